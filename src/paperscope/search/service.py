"""The search service: hybrid lexical + semantic retrieval, filters, snippets, similar papers.

``SearchService(settings, store)`` owns this server's derived indexes (tantivy under
``<data_dir>/index/lexical``, vectors in memory) and keeps them in step with the store's change
sequence (``sync()``). The web pages, the API, the digests and the CLI call ``search`` and
``similar``; nothing else touches the indexes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from paperscope.config import Settings
from paperscope.index.embedder import Embedder, document_text, load_embedder
from paperscope.index.lexical import Constraints, LexicalHit, LexicalIndex, plain_snippet
from paperscope.index.sync import LexicalSync, SyncReport
from paperscope.index.vectors import VectorIndex, new_vector_index
from paperscope.ingest.ids import IdError, parse_arxiv_id
from paperscope.models import PaperscopeError
from paperscope.search.fusion import RRF_K, reciprocal_rank_fusion
from paperscope.search.query import ParsedQuery, parse_query
from paperscope.search.types import MODES, SearchFilters, SearchHit, SearchResults
from paperscope.store import Store
from paperscope.store.embeddings import load_vectors
from paperscope.store.search import hit_details, visible_paper_id

MAX_LIMIT = 100
MAX_OFFSET = 1000


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


class SearchService:
    """Search over one store, with this process's own derived indexes."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        embedder: Embedder | None = None,
        sync_on_open: bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.lexical_sync = LexicalSync(
            store,
            settings.data_dir / "index",
            batch_size=settings.index_batch_size,
            title_boost=settings.search_title_boost,
        )
        self._embedder = embedder
        self._embedder_error: str | None = None
        self._vectors: VectorIndex | None = None
        self._dense_seq = -1
        self._lock = threading.RLock()
        if sync_on_open:
            self.sync()

    @property
    def lexical(self) -> LexicalIndex:
        return self.lexical_sync.index

    # -- keeping up with the store -------------------------------------------------------

    def sync(self, on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Apply every store change since the last sync to the lexical and vector indexes."""
        with self._lock:
            report = self.lexical_sync.catch_up(on_progress)
            self._sync_vectors()
            return report

    def rebuild(self, on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Rebuild the lexical index from the store, and reload the vectors."""
        with self._lock:
            report = self.lexical_sync.rebuild(on_progress)
            self._vectors, self._dense_seq = None, -1
            self._sync_vectors()
            return report

    def embedder(self) -> Embedder | None:
        """The query embedder, loaded on first use; None (with the reason kept) if it cannot be."""
        if self._embedder is None and self._embedder_error is None:
            try:
                self._embedder = load_embedder(self.settings)
            except PaperscopeError as error:
                self._embedder_error = str(error)
        return self._embedder

    def vector_count(self) -> int:
        return len(self._vectors) if self._vectors is not None else 0

    def _sync_vectors(self) -> None:
        embedder = self.embedder()
        if embedder is None:
            return
        with self.store.read() as conn:
            after = None if self._dense_seq < 0 else self._dense_seq
            ids, matrix, seqs = load_vectors(conn, embedder.model_id, after_seq=after)
        if not ids:
            return
        if self._vectors is None:
            self._vectors = new_vector_index(
                self.settings, dim=matrix.shape[1], model_id=embedder.model_id, count=len(ids)
            )
            self._vectors.build(ids, matrix)
        else:
            self._vectors.add(ids, matrix)
        self._dense_seq = max(self._dense_seq, max(seqs))

    # -- search --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
        limit: int = 20,
        offset: int = 0,
        explain: bool = False,
    ) -> SearchResults:
        """Papers for a search box query, best first.

        ``mode``: ``hybrid`` (keyword and semantic rankings fused by weighted RRF, k=60),
        ``keyword`` (BM25) or ``semantic`` (embedding cosine). Filters and query operators
        restrict both retrievers before their top-k cut. A query that is an arXiv id or URL of
        a stored paper returns that paper (``redirect_paper_id``).
        """
        if mode not in MODES:
            raise PaperscopeError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        started = time.perf_counter()
        parsed = parse_query(query)
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
        if parsed.arxiv_id:
            with self.store.read() as conn:
                found = visible_paper_id(conn, parsed.arxiv_id)
            if found:
                hits = self._hits([(found, 1.0, None, None)], parsed, explain, {})
                return SearchResults(hits, len(hits), mode, parsed, redirect_paper_id=found)

        constraints = constraints_for(parsed, filters)
        depth = max(self.settings.search_candidates, offset + limit)
        ranked: list[tuple[str, float, int | None, int | None]]
        details: dict[str, dict[str, Any]] = {}
        if not parsed.has_text:
            # Filters alone: every matching paper, newest first.
            lexical_hits, total = self.lexical.search((), (), constraints, limit=offset + limit)
            ranked = [(h.paper_id, 0.0, None, None) for h in lexical_hits]
        else:
            lexical_hits, lexical_total = [], 0
            if mode in ("hybrid", "keyword"):
                lexical_hits, lexical_total = self.lexical.search(
                    parsed.terms, parsed.phrases, constraints, limit=depth
                )
            dense_hits: list[tuple[str, float]] = []
            if mode in ("hybrid", "semantic"):
                dense_hits, parsed = self._dense(parsed, constraints, depth)
            ranked, total = self._rank(mode, lexical_hits, lexical_total, dense_hits)
            if explain:
                details = _explanations(
                    mode, lexical_hits, dense_hits, self._weights(), parsed, constraints
                )
        hits = self._hits(ranked[offset : offset + limit], parsed, explain, details)
        if explain:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            for hit in hits:
                if hit.explain is not None:
                    hit.explain["elapsed_ms"] = elapsed
        return SearchResults(hits, total, mode, parsed)

    def _weights(self) -> dict[str, float]:
        return {
            "lexical": self.settings.search_lexical_weight,
            "dense": self.settings.search_dense_weight,
        }

    def _rank(
        self,
        mode: str,
        lexical_hits: Sequence[LexicalHit],
        lexical_total: int,
        dense_hits: Sequence[tuple[str, float]],
    ) -> tuple[list[tuple[str, float, int | None, int | None]], int]:
        if mode == "keyword":
            return [
                (h.paper_id, h.score, rank, None) for rank, h in enumerate(lexical_hits, 1)
            ], lexical_total
        if mode == "semantic":
            return [
                (paper_id, score, None, rank)
                for rank, (paper_id, score) in enumerate(dense_hits, 1)
            ], len(dense_hits)
        fused = reciprocal_rank_fusion(
            {
                "lexical": [h.paper_id for h in lexical_hits],
                "dense": [paper_id for paper_id, _ in dense_hits],
            },
            self._weights(),
            k=RRF_K,
        )
        ranked = [
            (f.paper_id, f.score, f.ranks.get("lexical"), f.ranks.get("dense")) for f in fused
        ]
        return ranked, len(ranked)

    def _dense(
        self, parsed: ParsedQuery, constraints: Constraints, depth: int
    ) -> tuple[list[tuple[str, float]], ParsedQuery]:
        embedder = self.embedder()
        if embedder is None:
            note = f"semantic search unavailable: {self._embedder_error}"
            return [], dataclasses.replace(parsed, notes=(*parsed.notes, note))
        with self._lock:
            vectors = self._vectors
            if vectors is None or not len(vectors):
                note = "no paper vectors yet (run `paperscope embed`): keyword ranking only"
                return [], dataclasses.replace(parsed, notes=(*parsed.notes, note))
            allowed = self._allowed(vectors, constraints)
            query_vector = embedder.embed_query(parsed.text)
            return vectors.search(query_vector, depth, allowed), parsed

    def _allowed(self, vectors: VectorIndex, constraints: Constraints) -> np.ndarray | None:
        """The vector positions the constraints allow, found by the same tantivy clauses."""
        if not constraints.restricts:
            return None
        mask = np.zeros(len(vectors), dtype=bool)
        for paper_id in self.lexical.matching_ids(constraints, limit=self.lexical.count()):
            position = vectors.position(paper_id)
            if position is not None:
                mask[position] = True
        return mask

    def _hits(
        self,
        ranked: Sequence[tuple[str, float, int | None, int | None]],
        parsed: ParsedQuery,
        explain: bool,
        details: dict[str, dict[str, Any]],
    ) -> list[SearchHit]:
        with self.store.read() as conn:
            rows = hit_details(conn, [paper_id for paper_id, *_ in ranked])
        hits = []
        for paper_id, score, lexical_rank, dense_rank in ranked:
            row = rows.get(paper_id)
            if row is None:  # hidden or deleted since the index last synced
                continue
            hits.append(
                SearchHit(
                    paper_id=paper_id,
                    title=row["title"],
                    score=score,
                    lexical_rank=lexical_rank,
                    dense_rank=dense_rank,
                    snippet=self.lexical.snippet(parsed.terms, parsed.phrases, row["abstract"]),
                    authors=row["authors"],
                    published=row["published"],
                    explain=dict(details.get(paper_id, {"why": "named paper or filters only"}))
                    if explain
                    else None,
                )
            )
        return hits

    # -- similar papers ------------------------------------------------------------------

    def similar(self, paper_id: str, *, limit: int = 10) -> list[SearchHit]:
        """The papers nearest to this one by embedding (the paper itself excluded)."""
        reference = paper_id.strip()
        with contextlib.suppress(IdError):
            reference = parse_arxiv_id(reference)[0]
        with self.store.read() as conn:
            found = visible_paper_id(conn, reference)
            row = hit_details(conn, [found]).get(found) if found else None
        if found is None or row is None:
            raise PaperscopeError(f"no paper {paper_id!r} in the store")
        limit = max(1, min(int(limit), MAX_LIMIT))
        with self._lock:
            vectors = self._vectors
            vector = vectors.vector(found) if vectors is not None else None
            if vector is None:
                embedder = self.embedder()
                if embedder is None or vectors is None:
                    return []
                vector = embedder.embed_documents([document_text(row["title"], row["abstract"])])[0]
            neighbours = vectors.search(vector, limit + 1) if vectors is not None else []
        ranked = [(pid, score) for pid, score in neighbours if pid != found][:limit]
        empty = ParsedQuery(raw="")
        hits = self._hits(
            [(pid, score, None, rank) for rank, (pid, score) in enumerate(ranked, 1)],
            empty,
            False,
            {},
        )
        for hit in hits:
            hit.snippet = hit.snippet or plain_snippet("")
        return hits


def _explanations(
    mode: str,
    lexical_hits: Sequence[LexicalHit],
    dense_hits: Sequence[tuple[str, float]],
    weights: dict[str, float],
    parsed: ParsedQuery,
    constraints: Constraints,
) -> dict[str, dict[str, Any]]:
    """Why each candidate ranked where it did: both ranks and raw scores, RRF contributions."""
    out: dict[str, dict[str, Any]] = {}
    restricted = dataclasses.asdict(constraints)
    for key in ("since", "until"):
        restricted[key] = restricted[key].isoformat() if restricted[key] else None
    shared = {
        "mode": mode,
        "query": parsed.as_dict(),
        "constraints": restricted,
        "rrf_k": RRF_K,
        "weights": weights,
    }
    for rank, hit in enumerate(lexical_hits, 1):
        entry = out.setdefault(hit.paper_id, dict(shared))
        entry["lexical"] = {"rank": rank, "bm25": round(hit.score, 4)}
    for rank, (paper_id, score) in enumerate(dense_hits, 1):
        entry = out.setdefault(paper_id, dict(shared))
        entry["dense"] = {"rank": rank, "cosine": round(score, 4)}
    for entry in out.values():
        entry["rrf_contributions"] = {
            name: weights[name] / (RRF_K + entry[name]["rank"])
            for name in ("lexical", "dense")
            if name in entry
        }
    return out
