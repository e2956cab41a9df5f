"""Trending: the papers listed in the trending window, scored by the published formula.

The formula itself is pure, in ``paperscope.rank`` (docs/trending.md); this module reads its
input from the store (listings, votes, code repos, star snapshots) and decides what "now" is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from paperscope import rank
from paperscope.feeds import Card, Period, make_card
from paperscope.models import PaperscopeError
from paperscope.store import Store
from paperscope.store import feeds as queries
from paperscope.store import stars as star_queries
from paperscope.store.papers import as_date, as_utc


@dataclass(slots=True)
class TrendingEntry:
    """A trending paper: its card and its score with the parts."""

    card: Card
    score: rank.TrendingScore


@dataclass(slots=True)
class TrendingList:
    """One page of the trending list, with the moment and window it was computed for."""

    now: datetime
    window_days: int
    entries: list[TrendingEntry]
    total: int
    page: int
    per_page: int
    weights: rank.TrendingWeights

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def trending_moment(
    configured: str | None, newest_day: date | None, *, window_days: int, wall_clock: datetime
) -> datetime:
    """The "now" trending is computed for (pure).

    A configured ISO date means the end of that day, a datetime that moment. Otherwise the
    wall clock, unless the newest listing is older than the window (a stale corpus such as
    the demo, whose data ends 2026-08-21): then the end of the newest listing day.
    """
    if configured:
        text = configured.strip()
        try:
            if len(text) == 10:
                return _day_start(date.fromisoformat(text)) + timedelta(days=1)
            return as_utc(datetime.fromisoformat(text))
        except ValueError:
            raise PaperscopeError(
                f"PAPERSCOPE_TRENDING_NOW={configured!r} is not an ISO date or datetime"
            ) from None
    if newest_day is None:
        return wall_clock
    newest_end = _day_start(newest_day) + timedelta(days=1)
    if wall_clock - newest_end > timedelta(days=window_days):
        return newest_end
    return wall_clock


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def trending_inputs(
    rows: list[dict[str, Any]],
    repos: dict[str, list[dict[str, Any]]],
    history: dict[str, list[tuple[datetime, int]]],
    *,
    now: datetime,
    window: timedelta,
) -> tuple[list[rank.TrendingInput], dict[str, dict[str, Any]]]:
    """The formula's input per paper from listed rows, code repos and star snapshots (pure).

    A paper listed on several days counts from its first listing and its highest imported
    upvote count. A repo's imported star count, when it has no snapshot yet, is its first
    snapshot, taken when the paper was listed.
    """
    papers: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = papers.get(row["id"])
        if kept is None:
            papers[row["id"]] = dict(row)
            continue
        kept["imported_upvotes"] = max(kept["imported_upvotes"], row["imported_upvotes"])
        if as_date(row["listing_date"]) < as_date(kept["listing_date"]):
            kept["listing_date"] = row["listing_date"]
    inputs = []
    for paper_id, row in papers.items():
        listed_at = _day_start(as_date(row["listing_date"]))
        growth = 0
        github = [r for r in repos.get(paper_id, []) if r["host"] == "github"]
        if github:
            snapshots = history.get(github[0]["url"]) or (
                [(listed_at, int(github[0]["stars"]))] if github[0]["stars"] is not None else []
            )
            growth = rank.star_growth(snapshots, now=now, window=window, listed_at=listed_at)
        inputs.append(
            rank.TrendingInput(
                paper_id=paper_id,
                listed_at=listed_at,
                imported_upvotes=int(row["imported_upvotes"] or 0),
                local_votes=int(row["local_votes"] or 0),
                star_growth=growth,
            )
        )
    return inputs, papers


def trending_papers(
    store: Store,
    *,
    configured_now: str | None = None,
    window_days: int = 7,
    period: Period | None = None,
    submitter: str | None = None,
    page: int = 1,
    per_page: int = 50,
    weights: rank.TrendingWeights = rank.TrendingWeights(),
) -> TrendingList:
    """One page of the papers trending now (see docs/trending.md).

    With a ``period``, the papers listed in it, scored as at the end of it; with a
    ``submitter``, only the listings that user submitted.
    """
    with store.read() as conn:
        if period is not None:
            now = _day_start(period.end) + timedelta(days=1)
            window = now - _day_start(period.start)
        else:
            days = queries.listing_days(conn)
            now = trending_moment(
                configured_now,
                days[-1] if days else None,
                window_days=window_days,
                wall_clock=datetime.now(UTC),
            )
            window = timedelta(days=window_days)
        rows, _total = queries.listed_papers(
            conn,
            start=(now - window).date(),
            end=(now - timedelta(microseconds=1)).date(),
            submitter=submitter,
        )
        repos = queries.code_for(conn, (row["id"] for row in rows))
        urls = [r["url"] for found in repos.values() for r in found if r["host"] == "github"]
        history = star_queries.star_history(conn, urls)
    inputs, papers = trending_inputs(rows, repos, history, now=now, window=window)
    scores = rank.rank_trending(inputs, now, weights)
    start = (page - 1) * per_page
    entries = [
        TrendingEntry(make_card(papers[s.paper_id], repos.get(s.paper_id, [])), s)
        for s in scores[start : start + per_page]
    ]
    return TrendingList(now, window.days, entries, len(scores), page, per_page, weights)
