"""Named queries on stored embeddings (one float32 vector per paper, per model id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from paperscope.store.tables import papers
from paperscope.store.tables_vectors import embeddings

# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PendingPaper:
    """A paper whose vector is missing, stale, or from another model."""

    id: str
    title: str
    abstract: str
    seq: int


def _pending_condition(model_id: str) -> sa.ColumnElement[bool]:
    return sa.or_(
        embeddings.c.paper_id.is_(None),
        embeddings.c.model_id != model_id,
        embeddings.c.seq < papers.c.seq,
    )


def _papers_with_embeddings() -> sa.Join:
    return papers.outerjoin(embeddings, embeddings.c.paper_id == papers.c.id)


def count_pending(conn: sa.Connection, model_id: str) -> int:
    """How many papers need (re-)embedding with ``model_id``."""
    query = (
        sa.select(sa.func.count())
        .select_from(_papers_with_embeddings())
        .where(_pending_condition(model_id))
    )
    return int(conn.execute(query).scalar_one())


def pending_papers(
    conn: sa.Connection, model_id: str, *, limit: int, after_seq: int = -1
) -> list[PendingPaper]:
    """The next ``limit`` pending papers in change-sequence order, after ``after_seq``."""
    query = (
        sa.select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.seq)
        .select_from(_papers_with_embeddings())
        .where(_pending_condition(model_id), papers.c.seq > after_seq)
        .order_by(papers.c.seq)
        .limit(limit)
    )
    return [PendingPaper(r.id, r.title, r.abstract, r.seq) for r in conn.execute(query)]


def write_vectors(
    conn: sa.Connection,
    model_id: str,
    paper_ids: Sequence[str],
    seqs: Sequence[int],
    matrix: np.ndarray,
) -> int:
    """Store one vector per paper (replacing any older one); skips papers deleted meanwhile."""
    vectors = np.ascontiguousarray(matrix, dtype="<f4")
    written = 0
    for start in range(0, len(paper_ids), _CHUNK):
        chunk = list(paper_ids[start : start + _CHUNK])
        present = set(conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(chunk))).scalars())
        rows = [
            {
                "paper_id": paper_id,
                "model_id": model_id,
                "dim": int(vectors.shape[1]),
                "vector": vectors[start + i].tobytes(),
                "seq": int(seqs[start + i]),
            }
            for i, paper_id in enumerate(chunk)
            if paper_id in present
        ]
        if not rows:
            continue
        # Delete then insert: the same upsert on SQLite and PostgreSQL, in the caller's
        # transaction.
        conn.execute(
            embeddings.delete().where(embeddings.c.paper_id.in_([r["paper_id"] for r in rows]))
        )
        conn.execute(embeddings.insert(), rows)
        written += len(rows)
    return written


def delete_other_models(conn: sa.Connection, model_id: str) -> int:
    """Drop every vector made by a model other than ``model_id``; returns how many."""
    result = conn.execute(embeddings.delete().where(embeddings.c.model_id != model_id))
    return int(result.rowcount or 0)


def count_vectors(conn: sa.Connection, model_id: str) -> int:
    query = sa.select(sa.func.count()).where(embeddings.c.model_id == model_id)
    return int(conn.execute(query).scalar_one())


def load_vectors(
    conn: sa.Connection, model_id: str, *, after_seq: int | None = None
) -> tuple[list[str], np.ndarray, list[int]]:
    """Every stored vector of ``model_id`` (optionally only those with seq > ``after_seq``).

    Returns paper ids, an n x dim float32 matrix and the seqs, in seq order.
    """
    query = (
        sa.select(embeddings.c.paper_id, embeddings.c.dim, embeddings.c.vector, embeddings.c.seq)
        .where(embeddings.c.model_id == model_id)
        .order_by(embeddings.c.seq, embeddings.c.paper_id)
    )
    if after_seq is not None:
        query = query.where(embeddings.c.seq > after_seq)
    count = int(conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
    ids: list[str] = []
    seqs: list[int] = []
    matrix = np.zeros((0, 0), dtype=np.float32)
    # Rows go straight into one preallocated matrix: at 1M vectors a list of blobs, their
    # join and a copy would hold three 1.5 GB copies at once.
    for row in conn.execution_options(yield_per=10_000).execute(query):
        if not ids:
            matrix = np.empty((count, int(row.dim)), dtype=np.float32)
        if len(ids) == count:  # written since the count: the next catch-up takes it
            break
        matrix[len(ids)] = np.frombuffer(bytes(row.vector), dtype="<f4")
        ids.append(row.paper_id)
        seqs.append(int(row.seq))
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32), []
    return ids, matrix[: len(ids)], seqs


def newest_seq(conn: sa.Connection, model_id: str) -> int:
    """The highest paper seq among the stored vectors of ``model_id`` (-1 when none)."""
    query = sa.select(sa.func.max(embeddings.c.seq)).where(embeddings.c.model_id == model_id)
    found = conn.execute(query).scalar()
    return -1 if found is None else int(found)


def paper_texts(conn: sa.Connection, paper_ids: Sequence[str]) -> dict[str, tuple[str, str, int]]:
    """Title, abstract and seq of the given papers (those that exist)."""
    out: dict[str, tuple[str, str, int]] = {}
    ids = list(paper_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = sa.select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.seq).where(
            papers.c.id.in_(chunk)
        )
        for row in conn.execute(query):
            out[row.id] = (row.title, row.abstract, int(row.seq))
    return out
