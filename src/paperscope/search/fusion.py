"""Weighted reciprocal rank fusion (pure): combine ranked lists by rank, not by raw score.

BM25 scores and cosine similarities live on different scales; RRF only looks at positions, so
a paper ranked high by either retriever rises, and one ranked high by both rises most:
``score(d) = sum_i w_i / (k + rank_i(d))`` with 1-based ranks and ``k = 60`` (Cormack et al.).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

RRF_K = 60


@dataclass(slots=True)
class Fused:
    """One fused candidate: its score and its 1-based rank in each list that contained it."""

    paper_id: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None = None,
    *,
    k: int = RRF_K,
) -> list[Fused]:
    """Fuse named ranked lists of ids into one list, best first.

    ``rankings`` maps a retriever name ("lexical", "dense") to its ids, best first. Ties break
    by the best single rank, then by id, so the order is deterministic.
    """
    fused: dict[str, Fused] = {}
    for name, ids in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for position, paper_id in enumerate(ids, start=1):
            entry = fused.get(paper_id)
            if entry is None:
                entry = fused[paper_id] = Fused(paper_id, 0.0)
            if name in entry.ranks:  # a duplicate id in one list counts once, at its best rank
                continue
            entry.ranks[name] = position
            entry.score += weight / (k + position)
    return sorted(fused.values(), key=lambda f: (-f.score, min(f.ranks.values()), f.paper_id))
