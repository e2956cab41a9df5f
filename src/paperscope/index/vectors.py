"""Nearest-neighbour search over paper vectors: exact (matrix product) or HNSW, one interface.

Vectors are L2-normalized, so the score is the inner product (cosine similarity). Each paper
has a position (0..n-1, in the order it was added); ``allowed`` masks are over positions, and
they apply inside retrieval: the top k is the top k of the allowed papers, never a post-filter
of an unfiltered cut.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from paperscope.models import PaperscopeError

if TYPE_CHECKING:
    from paperscope.config import Settings

Kind = Literal["exact", "hnsw"]
META = "meta.json"
# Below this many allowed papers a filtered HNSW query is answered exactly: cheaper than a
# graph walk that must skip almost every node, and always complete. Measured at 100k vectors,
# top 100: exact costs ~12 us per allowed paper (hnswlib hands vectors out one by one), the
# filtered walk 3.6 ms with 10% allowed, 24 ms with 1%, 61 ms with 0.1%; they cross near 2,000.
FILTERED_EXACT_MAX = 2_000


@cache
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """One BLAS thread for a query's matrix-vector product.

    It is memory-bound, so more threads buy little, and on a busy machine OpenBLAS's threads
    wait on each other: measured here under load, a 10k x 384 product took 30-90 ms with the
    default threads and 0.6 ms with one.
    """
    with _blas().limit(limits=1, user_api="blas"):
        yield


def choose_kind(count: int, exact_max: int) -> Kind:
    """Exact search up to ``exact_max`` vectors (the benchmark sets it), HNSW beyond."""
    return "exact" if count <= exact_max else "hnsw"


def new_vector_index(settings: Settings, *, dim: int, model_id: str, count: int) -> VectorIndex:
    """An empty index of the kind the settings choose for a corpus of ``count`` vectors."""
    return VectorIndex(
        dim,
        kind=choose_kind(count, settings.vector_exact_max),
        model_id=model_id,
        m=settings.hnsw_m,
        ef_construction=settings.hnsw_ef_construction,
        ef_search=settings.hnsw_ef_search,
        capacity=count,
    )


# hnswlib allocates room for every element up front, and growing copies the whole index: grow
# by a tenth (at 1M vectors 1.5x would reserve 0.9 GB more, and the copy doubles the peak).
GROWTH = 1.1


class VectorIndex:
    """Top-k inner-product search over one model's vectors, exact or HNSW (hnswlib)."""

    def __init__(
        self,
        dim: int,
        *,
        kind: Kind = "exact",
        model_id: str = "",
        m: int = 16,
        ef_construction: int = 200,
        ef_search: int = 256,
        threads: int = 1,
        capacity: int = 0,
    ) -> None:
        if kind not in ("exact", "hnsw"):
            raise ValueError(f"unknown vector index kind {kind!r}")
        self.dim = dim
        self.kind: Kind = kind
        self.model_id = model_id
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self.threads = threads
        self.capacity = capacity  # HNSW: vectors to make room for at the first build
        self.meta: dict[str, Any] = {}
        self.ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._matrix: np.ndarray = np.zeros((0, dim), dtype=np.float32)  # exact only
        self._hnsw: Any = None

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, paper_id: str) -> int | None:
        return self._positions.get(paper_id)

    def build(self, ids: Sequence[str], matrix: np.ndarray) -> None:
        """Replace the whole index with these vectors."""
        self.ids, self._positions = [], {}
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._hnsw = None
        if self.kind == "hnsw":
            self._hnsw = self._new_hnsw(max(len(ids), self.capacity, 1))
        self.add(ids, matrix)

    def add(self, ids: Sequence[str], matrix: np.ndarray) -> None:
        """Add vectors; an id already present has its vector replaced (same position)."""
        matrix = self._check(matrix, len(ids))
        if not len(ids):
            return
        fresh_rows: list[int] = []
        fresh_ids: list[str] = []
        replaced: list[tuple[int, int]] = []
        seen: set[str] = set()
        for row, paper_id in enumerate(ids):
            if paper_id in seen:
                raise ValueError(f"duplicate id {paper_id!r} in one add()")
            seen.add(paper_id)
            if paper_id in self._positions:
                replaced.append((self._positions[paper_id], row))
            else:
                fresh_rows.append(row)
                fresh_ids.append(paper_id)
        start = len(self.ids)
        labels = np.arange(start, start + len(fresh_ids), dtype=np.int64)
        if self.kind == "exact":
            for position, row in replaced:
                self._matrix[position] = matrix[row]
            fresh = matrix if len(fresh_rows) == len(ids) else matrix[fresh_rows]
            self._matrix = (
                np.concatenate([self._matrix, fresh]) if len(self._matrix) else fresh.copy()
            )
        else:
            if self._hnsw is None:
                self._hnsw = self._new_hnsw(len(fresh_ids) + len(self.ids))
            needed = start + len(fresh_ids)
            if needed > self._hnsw.get_max_elements():
                self._hnsw.resize_index(max(needed, int(self._hnsw.get_max_elements() * GROWTH)))
            if replaced:
                positions, rows = zip(*replaced, strict=True)
                self._hnsw.add_items(
                    matrix[list(rows)], np.array(positions), num_threads=self.threads
                )
            if fresh_ids:
                # A whole-matrix build passes the matrix itself: no 1.5 GB copy at 1M vectors.
                fresh = matrix if len(fresh_rows) == len(ids) else matrix[fresh_rows]
                self._hnsw.add_items(fresh, labels, num_threads=self.threads)
        for label, paper_id in zip(labels.tolist(), fresh_ids, strict=True):
            self._positions[paper_id] = label
        self.ids.extend(fresh_ids)

    def vector(self, paper_id: str) -> np.ndarray | None:
        """The stored vector of a paper (for "similar papers"), or None."""
        position = self._positions.get(paper_id)
        if position is None:
            return None
        if self.kind == "exact":
            return self._matrix[position].copy()
        return self._hnsw.get_items([position], return_type="numpy")[0].astype(np.float32)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best (paper id, cosine) pairs, best first, among ``allowed`` positions."""
        n = len(self.ids)
        if k <= 0 or n == 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"query has {query.shape[0]} dimensions, index has {self.dim}")
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=bool)
            if allowed.shape != (n,):
                raise ValueError(f"allowed mask has shape {allowed.shape}, index holds {n}")
            count = int(allowed.sum())
            if count == 0:
                return []
            if self.kind == "hnsw" and count <= FILTERED_EXACT_MAX:
                positions = np.flatnonzero(allowed)
                vectors = self._hnsw.get_items(positions, return_type="numpy").astype(np.float32)
                with single_threaded_blas():
                    scores = vectors @ query
                return self._top(scores, k, positions)
            k = min(k, count)
        if self.kind == "exact":
            with single_threaded_blas():
                scores = self._matrix @ query
            if allowed is not None:
                scores = np.where(allowed, scores, -np.inf)
                k = min(k, int(allowed.sum()))
            return self._top(scores, k, None)
        return self._hnsw_search(query, min(k, n), allowed)

    def _hnsw_search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> list[tuple[str, float]]:
        self._hnsw.set_ef(max(self.ef_search, k))
        mask = allowed
        keep = None if mask is None else (lambda label: bool(mask[label]))
        try:
            labels, distances = self._hnsw.knn_query(query, k=k, num_threads=1, filter=keep)
        except RuntimeError:
            # hnswlib cannot fill k slots (too few reachable allowed nodes): answer exactly.
            positions = np.flatnonzero(mask) if mask is not None else np.arange(len(self.ids))
            vectors = self._hnsw.get_items(positions, return_type="numpy").astype(np.float32)
            with single_threaded_blas():
                scores = vectors @ query
            return self._top(scores, k, positions)
        return [
            (self.ids[int(label)], float(1.0 - distance))
            for label, distance in zip(labels[0], distances[0], strict=True)
        ]

    def _top(
        self, scores: np.ndarray, k: int, positions: np.ndarray | None
    ) -> list[tuple[str, float]]:
        k = min(k, scores.shape[0])
        if k <= 0:
            return []
        if k < scores.shape[0]:
            best = np.argpartition(-scores, k - 1)[:k]
        else:
            best = np.arange(scores.shape[0])
        best = best[np.argsort(-scores[best], kind="stable")]
        picked = best if positions is None else positions[best]
        return [
            (self.ids[int(p)], float(scores[b]))
            for p, b in zip(picked, best, strict=True)
            if np.isfinite(scores[b])
        ]

    def _new_hnsw(self, capacity: int) -> Any:
        import hnswlib

        index = hnswlib.Index(space="ip", dim=self.dim)
        index.init_index(max_elements=capacity, ef_construction=self.ef_construction, M=self.m)
        index.set_ef(self.ef_search)
        return index

    def _check(self, matrix: np.ndarray, count: int) -> np.ndarray:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != count:
            raise ValueError(f"expected {count} rows, got a matrix of shape {matrix.shape}")
        if count and matrix.shape[1] != self.dim:
            raise ValueError(f"vectors have {matrix.shape[1]} dimensions, index has {self.dim}")
        return matrix

    # -- files -------------------------------------------------------------------------------

    def save(self, folder: Path, meta: dict[str, Any] | None = None) -> None:
        """Write the index to ``folder`` (self-describing: meta.json names kind, model, dim).

        ``meta`` is kept alongside (e.g. the store seq the index has caught up to). The meta
        file is written last, so a crash mid-save leaves no index that claims to be complete.
        """
        folder.mkdir(parents=True, exist_ok=True)
        (folder / META).unlink(missing_ok=True)
        (folder / "ids.json").write_text(json.dumps(self.ids), "utf-8")
        if self.kind == "exact":
            np.save(folder / "vectors.npy", self._matrix)
        else:
            self._hnsw.save_index(str(folder / "hnsw.bin"))
        self.meta = dict(meta or {})
        description = {
            "kind": self.kind,
            "model_id": self.model_id,
            "dim": self.dim,
            "count": len(self.ids),
            "m": self.m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "meta": self.meta,
        }
        (folder / META).write_text(json.dumps(description, indent=1), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        """Read an index that ``save`` wrote; PaperscopeError if there is none."""
        try:
            description = json.loads((folder / META).read_text("utf-8"))
        except FileNotFoundError as error:
            raise PaperscopeError(f"no vector index in {folder}") from error
        index = cls(
            int(description["dim"]),
            kind=description["kind"],
            model_id=description["model_id"],
            m=int(description["m"]),
            ef_construction=int(description["ef_construction"]),
            ef_search=int(description["ef_search"]),
        )
        index.meta = dict(description.get("meta") or {})
        index.ids = json.loads((folder / "ids.json").read_text("utf-8"))
        index._positions = {paper_id: i for i, paper_id in enumerate(index.ids)}
        if index.kind == "exact":
            index._matrix = np.load(folder / "vectors.npy")
        else:
            import hnswlib

            index._hnsw = hnswlib.Index(space="ip", dim=index.dim)
            index._hnsw.load_index(str(folder / "hnsw.bin"), max_elements=max(len(index.ids), 1))
            index._hnsw.set_ef(index.ef_search)
        return index
