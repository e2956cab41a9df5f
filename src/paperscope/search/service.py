"""The search service: hybrid lexical + semantic retrieval, filters, snippets, similar papers.

``SearchService(settings, store)`` owns this server's derived indexes (tantivy under
``<data_dir>/index/lexical``, vectors in memory) and keeps them in step with the store's change
sequence (``sync()``). The web pages, the API, the digests and the CLI call ``search`` and
``similar``; nothing else touches the indexes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from paperscope.config import Settings
from paperscope.index.embedder import Embedder, document_text, load_embedder
from paperscope.index.embeddings import load_vectors_since, newest_vector_seq
from paperscope.index.lexical import LexicalIndex, plain_snippet
from paperscope.index.sync import LexicalSync, SyncReport
from paperscope.index.vectors import VectorIndex, new_vector_index
from paperscope.ingest.ids import IdError, parse_arxiv_id
from paperscope.models import PaperscopeError
from paperscope.search.query import ParsedQuery, parse_query
from paperscope.search.retrieval import Ranked, Retriever, constraints_for, explanations
from paperscope.search.types import MODES, SearchFilters, SearchHit, SearchResults
from paperscope.store import Store
from paperscope.store.search import hidden_paper_ids, hit_details, visible_paper_id

MAX_LIMIT = 100
MAX_OFFSET = 1000


class SearchService:
    """Search over one store, with this process's own derived indexes."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        embedder: Embedder | None = None,
        sync_on_open: bool = True,
        save_vectors: bool = False,
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
        # The process that catches up before the web workers start (`serve`, `index sync`)
        # saves an HNSW index, so the workers load it instead of building it again.
        self.save_vectors = save_vectors
        self.vectors_folder = settings.data_dir / "index" / "vectors"
        self._hidden: frozenset[str] | None = None
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
            if self._hidden is None or report.indexed or report.removed:
                self._refresh_hidden()
            self._sync_vectors()
            return report

    def _refresh_hidden(self) -> None:
        with self.store.read() as conn:
            self._hidden = frozenset(hidden_paper_ids(conn))

    def rebuild(self, on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Rebuild the lexical index from the store, and reload the vectors."""
        with self._lock:
            report = self.lexical_sync.rebuild(on_progress)
            self._refresh_hidden()
            self._vectors, self._dense_seq = None, -1
            shutil.rmtree(self.vectors_folder, ignore_errors=True)
            self._sync_vectors()
            return report

    def embedder(self) -> Embedder | None:
        """The query embedder, loaded on first use; None (with the reason kept) if it cannot be."""
        if self._embedder is None and self._embedder_error is None:
            try:
                threads = {"embedding_threads": self.settings.search_embed_threads}
                self._embedder = load_embedder(self.settings.model_copy(update=threads))
            except PaperscopeError as error:
                self._embedder_error = str(error)
        return self._embedder

    def vector_count(self) -> int:
        return len(self._vectors) if self._vectors is not None else 0

    def _sync_vectors(self) -> None:
        embedder = self.embedder()
        if embedder is None:
            return
        if self._vectors is None:
            self._vectors, self._dense_seq = self._saved_vectors(embedder.model_id)
        ids, matrix, newest = load_vectors_since(self.store, embedder.model_id, self._dense_seq)
        if not ids:
            return
        if self._vectors is None:
            self._vectors = new_vector_index(
                self.settings, dim=matrix.shape[1], model_id=embedder.model_id, count=len(ids)
            )
            self._vectors.build(ids, matrix)
        else:
            self._vectors.add(ids, matrix)
        self._dense_seq = newest
        if self.save_vectors and self._vectors.kind == "hnsw":
            self._save_vectors(self._vectors, newest)

    def _saved_vectors(self, model_id: str) -> tuple[VectorIndex | None, int]:
        """The saved HNSW index and its watermark, when it is of this model and not ahead of
        the store (a replaced store is read afresh); else (None, -1)."""
        try:
            saved = VectorIndex.load(self.vectors_folder)
        except (PaperscopeError, OSError, RuntimeError, ValueError):
            return None, -1
        seq = int(saved.meta.get("seq", -1))
        if saved.model_id != model_id or seq > newest_vector_seq(self.store, model_id):
            return None, -1
        return saved, seq

    def _save_vectors(self, vectors: VectorIndex, seq: int) -> None:
        """Write the index beside the lexical one, swapping folders so a reader never sees
        half of it."""
        fresh = self.vectors_folder.with_name("vectors.new")
        old = self.vectors_folder.with_name("vectors.old")
        for stale in (fresh, old):
            shutil.rmtree(stale, ignore_errors=True)
        vectors.save(fresh, meta={"seq": seq})
        if self.vectors_folder.exists():
            self.vectors_folder.rename(old)
        fresh.rename(self.vectors_folder)
        shutil.rmtree(old, ignore_errors=True)

    # -- search --------------------------------------------------------------------------

    def retriever(self) -> Retriever:
        """Retrieval over this server's current indexes."""
        embedder = self.embedder()
        return Retriever(
            self.lexical,
            self._vectors,
            embedder,
            weights={
                "lexical": self.settings.search_lexical_weight,
                "dense": self.settings.search_dense_weight,
            },
            embedder_problem=self._embedder_error,
            hidden=self._hidden or frozenset(),
        )

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
                hits = self._hits([Ranked(found, 1.0)], parsed, explain, {})
                return SearchResults(hits, len(hits), mode, parsed, redirect_paper_id=found)

        constraints = constraints_for(parsed, filters)
        depth = max(self.settings.search_candidates, offset + limit)
        retriever = self.retriever()
        with self._lock:  # a sync may be growing the vector index
            retrieval = retriever.retrieve(parsed, constraints, mode=mode, depth=depth)
        if retrieval.notes:
            parsed = dataclasses.replace(parsed, notes=(*parsed.notes, *retrieval.notes))
        details = (
            explanations(mode, retrieval, retriever.weights, parsed, constraints) if explain else {}
        )
        hits = self._hits(retrieval.ranked[offset : offset + limit], parsed, explain, details)
        if explain:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            for hit in hits:
                if hit.explain is not None:
                    hit.explain["elapsed_ms"] = elapsed
        return SearchResults(hits, retrieval.total, mode, parsed)

    def _hits(
        self,
        ranked: Sequence[Ranked],
        parsed: ParsedQuery,
        explain: bool,
        details: dict[str, dict[str, Any]],
    ) -> list[SearchHit]:
        with self.store.read() as conn:
            rows = hit_details(conn, [r.paper_id for r in ranked])
        hits = []
        for entry in ranked:
            paper_id = entry.paper_id
            row = rows.get(paper_id)
            if row is None:  # hidden or deleted since the index last synced
                continue
            hits.append(
                SearchHit(
                    paper_id=paper_id,
                    title=row["title"],
                    score=entry.score,
                    lexical_rank=entry.lexical_rank,
                    dense_rank=entry.dense_rank,
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
            # Hidden papers are dropped below; ask for enough to fill the page anyway.
            extra = 1 + min(len(self._hidden or ()), MAX_LIMIT)
            neighbours = vectors.search(vector, limit + extra) if vectors is not None else []
        ranked = [(pid, score) for pid, score in neighbours if pid != found][:limit]
        empty = ParsedQuery(raw="")
        hits = self._hits(
            [Ranked(pid, score, dense_rank=rank) for rank, (pid, score) in enumerate(ranked, 1)],
            empty,
            False,
            {},
        )
        for hit in hits:
            hit.snippet = hit.snippet or plain_snippet("")
        return hits
