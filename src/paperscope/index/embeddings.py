"""Service functions of the vector stage: embed pending papers, load stored vectors, and
import the precomputed demo-corpus vectors."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np

from paperscope.index.embedder import Embedder, document_text, l2_normalize
from paperscope.store import Store
from paperscope.store import embeddings as queries

DEMO_VECTORS = "demo_vectors.f16.npy"
DEMO_VECTORS_INDEX = "demo_vectors.json.gz"


@dataclass(slots=True)
class EmbedReport:
    """What one ``embed_pending`` run did."""

    model_id: str
    embedded: int = 0
    pending_before: int = 0
    removed_other_models: int = 0
    seconds: float = 0.0

    @property
    def docs_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"docs_per_second": round(self.docs_per_second, 1)}


def text_hash(title: str, abstract: str) -> str:
    """A short hash of the exact text a paper is embedded from (stale-vector check)."""
    return hashlib.sha1(document_text(title, abstract).encode("utf-8")).hexdigest()[:16]


def count_pending(store: Store, model_id: str) -> int:
    """How many papers have no current vector from ``model_id``."""
    with store.read() as conn:
        return queries.count_pending(conn, model_id)


def embed_pending(
    store: Store,
    embedder: Embedder,
    *,
    batch_size: int = 32,
    on_progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> EmbedReport:
    """Embed every paper without a current vector from ``embedder``, one commit per batch.

    Vectors of any other model are deleted first (a model change re-embeds everything; two
    models never mix). Each batch is committed as it goes, so an interrupted run keeps its
    finished batches and the next run resumes with what is still pending.
    """
    started = time.perf_counter()
    model_id = embedder.model_id
    report = EmbedReport(model_id=model_id)
    with store.write() as conn:
        report.removed_other_models = queries.delete_other_models(conn, model_id)
    with store.read() as conn:
        report.pending_before = queries.count_pending(conn, model_id)
    after_seq = -1
    while limit is None or report.embedded < limit:
        size = batch_size if limit is None else min(batch_size, limit - report.embedded)
        with store.read() as conn:
            batch = queries.pending_papers(conn, model_id, limit=size, after_seq=after_seq)
        if not batch:
            break
        matrix = embedder.embed_documents(
            [document_text(p.title, p.abstract) for p in batch], batch_size=batch_size
        )
        with store.write() as conn:
            queries.write_vectors(
                conn, model_id, [p.id for p in batch], [p.seq for p in batch], matrix
            )
        # Move past this batch even if a paper vanished meanwhile: no endless retry loop.
        after_seq = batch[-1].seq
        report.embedded += len(batch)
        if on_progress:
            on_progress(len(batch))
    report.seconds = time.perf_counter() - started
    return report


def load_vectors(store: Store, model_id: str) -> tuple[list[str], np.ndarray]:
    """Every stored vector of ``model_id``: paper ids and an n x dim float32 matrix."""
    with store.read() as conn:
        ids, matrix, _seqs = queries.load_vectors(conn, model_id)
    return ids, matrix


def newest_vector_seq(store: Store, model_id: str) -> int:
    """The watermark a complete vector index of ``model_id`` would have (-1: no vectors)."""
    with store.read() as conn:
        return queries.newest_seq(conn, model_id)


def load_vectors_since(
    store: Store, model_id: str, after_seq: int
) -> tuple[list[str], np.ndarray, int]:
    """Vectors of ``model_id`` stored for papers with seq > ``after_seq``, and the new
    watermark (the largest seq returned, or ``after_seq``): what an index catches up with.

    ``embed_pending`` writes in change-sequence order, so following this watermark misses
    nothing; a model change needs a full rebuild (``load_vectors``) anyway.
    """
    with store.read() as conn:
        ids, matrix, seqs = queries.load_vectors(conn, model_id, after_seq=after_seq)
    return ids, matrix, max(seqs, default=after_seq)


# -- precomputed demo vectors -----------------------------------------------------------------


def import_demo_vectors(store: Store, embedder: Embedder) -> int:
    """Store the shipped demo-corpus vectors for papers whose text they still match.

    Only used when ``embedder`` is the model that computed them; papers whose title or
    abstract changed since (different text hash) stay pending. Returns how many were stored.
    """
    demo = files("paperscope") / "demo"
    with as_file(demo / DEMO_VECTORS_INDEX) as index_path:
        if not Path(index_path).is_file():
            return 0
        with gzip.open(index_path, "rt", encoding="utf-8") as handle:
            index = json.load(handle)
    if index["model_id"] != embedder.model_id or int(index["dim"]) != embedder.dim:
        return 0
    with as_file(demo / DEMO_VECTORS) as vectors_path:
        vectors = np.load(vectors_path)
    shipped = {
        paper_id: (row, digest)
        for row, (paper_id, digest) in enumerate(
            zip(index["ids"], index["text_hashes"], strict=True)
        )
    }
    ids: list[str] = []
    seqs: list[int] = []
    rows: list[int] = []
    after_seq = -1
    while True:
        with store.read() as conn:
            page = queries.pending_papers(conn, embedder.model_id, limit=5000, after_seq=after_seq)
        if not page:
            break
        after_seq = page[-1].seq
        for paper in page:
            found = shipped.get(paper.id)
            if found and found[1] == text_hash(paper.title, paper.abstract):
                ids.append(paper.id)
                seqs.append(paper.seq)
                rows.append(found[0])
    if not ids:
        return 0
    matrix = l2_normalize(vectors[rows].astype(np.float32))
    with store.write() as conn:
        queries.delete_other_models(conn, embedder.model_id)
        return queries.write_vectors(conn, embedder.model_id, ids, seqs, matrix)


def export_demo_vectors(store: Store, model_id: str, folder: Path) -> int:
    """Write the stored vectors of ``model_id`` as the shipped demo files (float16 + index).

    Run once after ``paperscope demo`` and ``paperscope embed`` with the shipped model.
    """
    ids, matrix = load_vectors(store, model_id)
    with store.read() as conn:
        texts = queries.paper_texts(conn, ids)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / DEMO_VECTORS, matrix.astype(np.float16))
    index = {
        "model_id": model_id,
        "dim": int(matrix.shape[1]) if len(ids) else 0,
        "text": "title. abstract",
        "ids": ids,
        "text_hashes": [text_hash(*texts[i][:2]) for i in ids],
    }
    # mtime=0: the same vectors give the same file bytes (a clean diff in the repository).
    with gzip.GzipFile(folder / DEMO_VECTORS_INDEX, "wb", mtime=0) as handle:
        handle.write(json.dumps(index).encode("utf-8"))
    return len(ids)
