"""Retrieval without the store: lexical top-k and dense top-k under the same constraints,
fused by weighted reciprocal rank fusion. ``SearchService`` and the benchmarks both call it,
so the numbers in docs/benchmarks.md come from the code that serves queries."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from paperscope.index.embedder import Embedder
from paperscope.index.lexical import Constraints, LexicalHit, LexicalIndex
from paperscope.index.vectors import VectorIndex
from paperscope.search.fusion import RRF_K, reciprocal_rank_fusion
from paperscope.search.query import ParsedQuery
from paperscope.search.types import SearchFilters


def constraints_for(parsed: ParsedQuery, filters: SearchFilters | None) -> Constraints:
    """The query's operators and the caller's filters as one set of constraints (pure)."""
    filters = filters or SearchFilters()
    since = max((d for d in (parsed.since, filters.since) if d), default=None)
    until = min((d for d in (parsed.until, filters.until) if d), default=None)
    groups: list[tuple[str, ...]] = []
    if parsed.categories:
        groups.append(tuple(parsed.categories))
    if filters.category:
        groups.append((filters.category,))
    authors = [*parsed.authors, *([filters.author] if filters.author else [])]
    return Constraints(
        since=since,
        until=until,
        category_groups=tuple(groups),
        authors=tuple(authors),
        has_code=parsed.has_code or filters.has_code,
        excluded=parsed.excluded,
    )


@dataclass(frozen=True, slots=True)
class Ranked:
    """One paper in the final order: its score in this mode and its rank in each retriever."""

    paper_id: str
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None


@dataclass(slots=True)
class Retrieval:
    ranked: list[Ranked]
    total: int
    lexical_hits: list[LexicalHit] = field(default_factory=list)
    dense_hits: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@cache
def _dense_pool() -> ThreadPoolExecutor:
    """Threads for the dense half of queries (a few: web requests search side by side)."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="paperscope-dense")


# A filter that at least this share of papers passes is applied by over-fetching (see
# Retriever._dense_broad_filter); a narrower one by a mask over the vector index.
BROAD_FILTER_SHARE = 0.2


class Retriever:
    """Keyword, semantic or hybrid ranking over one lexical index and one vector index."""

    def __init__(
        self,
        lexical: LexicalIndex,
        vectors: VectorIndex | None,
        embedder: Embedder | None,
        *,
        weights: Mapping[str, float],
        embedder_problem: str | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        self.lexical = lexical
        self.hidden = hidden
        self.vectors = vectors
        self.embedder = embedder
        self.weights = dict(weights)
        self.embedder_problem = embedder_problem

    def retrieve(
        self, parsed: ParsedQuery, constraints: Constraints, *, mode: str, depth: int
    ) -> Retrieval:
        """The top ``depth`` papers for ``parsed`` within ``constraints``.

        Without words or phrases, every paper within the constraints matches, newest first.
        """
        if not parsed.has_text:
            hits, total = self.lexical.search((), (), constraints, limit=depth)
            return Retrieval([Ranked(h.paper_id, 0.0) for h in hits], total, hits)
        result = Retrieval([], 0)
        lexical_total = 0
        # The dense side (query embedding + vector search, native code that releases the
        # GIL) runs beside tantivy's search, so a hybrid query costs about the slower of
        # the two rather than their sum.
        dense = None
        if mode == "hybrid":
            dense = _dense_pool().submit(self.dense, parsed.text, constraints, depth, result.notes)
        if mode in ("hybrid", "keyword"):
            result.lexical_hits, lexical_total = self.lexical.search(
                parsed.terms, parsed.phrases, constraints, limit=depth
            )
        if dense is not None:
            result.dense_hits = dense.result()
        elif mode == "semantic":
            result.dense_hits = self.dense(parsed.text, constraints, depth, result.notes)
        if mode == "keyword":
            result.ranked = [
                Ranked(h.paper_id, h.score, lexical_rank=rank)
                for rank, h in enumerate(result.lexical_hits, 1)
            ]
            result.total = lexical_total
        elif mode == "semantic":
            result.ranked = [
                Ranked(paper_id, score, dense_rank=rank)
                for rank, (paper_id, score) in enumerate(result.dense_hits, 1)
            ]
            result.total = len(result.ranked)
        else:
            fused = reciprocal_rank_fusion(
                {
                    "lexical": [h.paper_id for h in result.lexical_hits],
                    "dense": [paper_id for paper_id, _score in result.dense_hits],
                },
                self.weights,
                k=RRF_K,
            )
            result.ranked = [
                Ranked(f.paper_id, f.score, f.ranks.get("lexical"), f.ranks.get("dense"))
                for f in fused
            ]
            result.total = len(result.ranked)
        return result

    def dense(
        self, text: str, constraints: Constraints, depth: int, notes: list[str]
    ) -> list[tuple[str, float]]:
        """Nearest papers to the query text among those the constraints allow."""
        if self.embedder is None:
            notes.append(f"semantic search unavailable: {self.embedder_problem}")
            return []
        if self.vectors is None or not len(self.vectors):
            notes.append("no paper vectors yet (run `paperscope embed`): keyword ranking only")
            return []
        query = self.embedder.embed_query(text)
        if constraints.restricts:
            found = self._dense_broad_filter(query, constraints, depth)
            if found is not None:
                return found
        return self.vectors.search(query, depth, self.allowed(constraints))

    def _dense_broad_filter(
        self, query: np.ndarray, constraints: Constraints, depth: int
    ) -> list[tuple[str, float]] | None:
        """For a filter most papers pass, over-fetch neighbours and keep the allowed ones.

        Building a mask reads one tantivy document per allowed paper, which at scale costs
        more than the search. When at least ``depth`` allowed papers are among the top ``k``,
        they are exactly the top ``depth`` allowed papers (any better one would be in the top
        ``k`` too), so the answer equals the masked search. Otherwise None: use the mask.
        """
        assert self.vectors is not None
        allowed_count = self.lexical.count_matching(constraints)
        share = allowed_count / max(len(self.vectors), 1)
        if allowed_count == 0 or share < BROAD_FILTER_SHARE:
            return None
        k = min(len(self.vectors), int(depth / share * 1.5) + 10)
        candidates = self.vectors.search(query, k, self.allowed(Constraints()))
        keep = self.lexical.within([paper_id for paper_id, _ in candidates], constraints)
        found = [(paper_id, score) for paper_id, score in candidates if paper_id in keep]
        if len(found) >= min(depth, allowed_count) or k >= len(self.vectors):
            return found[:depth]
        return None

    def allowed(self, constraints: Constraints) -> np.ndarray | None:
        """Vector positions the constraints allow, found by the same tantivy clauses, so both
        retrievers filter identically and before their cut. Hidden papers are never allowed
        (tantivy no longer holds them; the vector index still does)."""
        if self.vectors is None:
            return None
        if not constraints.restricts:
            if not self.hidden:
                return None
            mask = np.ones(len(self.vectors), dtype=bool)
            for paper_id in self.hidden:
                position = self.vectors.position(paper_id)
                if position is not None:
                    mask[position] = False
            return mask
        mask = np.zeros(len(self.vectors), dtype=bool)
        for paper_id in self.lexical.matching_ids(constraints, limit=self.lexical.count()):
            position = self.vectors.position(paper_id)
            if position is not None:
                mask[position] = True
        return mask


def explanations(
    mode: str,
    retrieval: Retrieval,
    weights: Mapping[str, float],
    parsed: ParsedQuery,
    constraints: Constraints,
) -> dict[str, dict[str, Any]]:
    """Why each candidate ranked where it did: both ranks and raw scores, RRF contributions."""
    restricted = dataclasses.asdict(constraints)
    for key in ("since", "until"):
        restricted[key] = restricted[key].isoformat() if restricted[key] else None
    shared = {
        "mode": mode,
        "query": parsed.as_dict(),
        "constraints": restricted,
        "rrf_k": RRF_K,
        "weights": dict(weights),
    }
    out: dict[str, dict[str, Any]] = {}
    for rank, hit in enumerate(retrieval.lexical_hits, 1):
        entry = out.setdefault(hit.paper_id, dict(shared))
        entry["lexical"] = {"rank": rank, "bm25": round(hit.score, 4)}
    for rank, (paper_id, score) in enumerate(retrieval.dense_hits, 1):
        entry = out.setdefault(paper_id, dict(shared))
        entry["dense"] = {"rank": rank, "cosine": round(score, 4)}
    for entry in out.values():
        entry["rrf_contributions"] = {
            name: weights[name] / (RRF_K + entry[name]["rank"])
            for name in ("lexical", "dense")
            if name in entry
        }
    return out


def ranked_ids(ranked: Sequence[Ranked]) -> list[str]:
    return [r.paper_id for r in ranked]
