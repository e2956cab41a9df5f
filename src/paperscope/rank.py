"""Trending: the published formula (pure). See docs/trending.md.

    points = imported_upvotes + vote_weight * local_votes + star_weight * star_growth
    score  = points / (age_hours + age_offset_hours) ** gravity

``age_hours`` runs from the start (00:00 UTC) of the day the paper was first listed to "now";
``star_growth`` is how many GitHub stars the paper's code gained over the trending window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class TrendingWeights:
    """The formula's constants (their defaults are the published ones)."""

    vote_weight: float = 1.0
    star_weight: float = 0.1
    gravity: float = 1.2
    age_offset_hours: float = 2.0


@dataclass(frozen=True, slots=True)
class TrendingInput:
    """What the formula reads about one paper."""

    paper_id: str
    listed_at: datetime
    imported_upvotes: int
    local_votes: int
    star_growth: int


@dataclass(frozen=True, slots=True)
class TrendingScore:
    """A paper's trending score with every part of it, so anyone can recompute it."""

    paper_id: str
    score: float
    points: float
    imported_upvotes: int
    local_votes: int
    star_growth: int
    age_hours: float


def trending_score(
    item: TrendingInput, now: datetime, weights: TrendingWeights = TrendingWeights()
) -> TrendingScore:
    """The score of one paper at ``now``."""
    age_hours = max(0.0, (now - item.listed_at).total_seconds() / 3600)
    points = (
        item.imported_upvotes
        + weights.vote_weight * item.local_votes
        + weights.star_weight * item.star_growth
    )
    score = points / (age_hours + weights.age_offset_hours) ** weights.gravity
    return TrendingScore(
        paper_id=item.paper_id,
        score=score,
        points=points,
        imported_upvotes=item.imported_upvotes,
        local_votes=item.local_votes,
        star_growth=item.star_growth,
        age_hours=age_hours,
    )


def rank_trending(
    items: Iterable[TrendingInput], now: datetime, weights: TrendingWeights = TrendingWeights()
) -> list[TrendingScore]:
    """Every paper's score, best first (ties: more points, then paper id, for a stable order)."""
    scores = [trending_score(item, now, weights) for item in items]
    return sorted(scores, key=lambda s: (-s.score, -s.points, s.paper_id))


def stars_at(snapshots: Sequence[tuple[datetime, int]], moment: datetime) -> int | None:
    """The newest star count taken at or before ``moment`` (snapshots sorted by time)."""
    found = None
    for taken_at, stars in snapshots:
        if taken_at > moment:
            break
        found = stars
    return found


def star_growth(
    snapshots: Sequence[tuple[datetime, int]],
    *,
    now: datetime,
    window: timedelta,
    listed_at: datetime,
) -> int:
    """Stars gained between ``now - window`` and ``now`` (never negative).

    With no snapshot as old as the window's start, a paper first listed inside the window
    counts from zero (its code is taken to be as new as the paper); an older paper counts from
    its earliest known count, so no growth is claimed without evidence.
    """
    ordered = sorted(snapshots)
    current = stars_at(ordered, now)
    if current is None:
        return 0
    start = now - window
    baseline = stars_at(ordered, start)
    if baseline is None:
        baseline = 0 if listed_at >= start else ordered[0][1]
    return max(0, current - baseline)
