"""Named queries the search index needs: papers changed (or removed) since a change-sequence
value, and the display fields of a page of hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import as_utc
from paperscope.store.tables import code_repos, counters, paper_removals, papers

# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ChangedPaper:
    """A paper as the index needs it, with its change-sequence value.

    ``removed``: the paper left the store (folded into its arXiv twin); only its id is known.
    """

    id: str
    seq: int
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    published: datetime | None
    hidden: bool
    has_code: bool
    removed: bool = False


def papers_changed_since(conn: sa.Connection, after_seq: int, *, limit: int) -> list[ChangedPaper]:
    """The next ``limit`` paper changes and removals with ``seq > after_seq``, in seq order."""
    has_code = (
        sa.select(code_repos.c.id).where(code_repos.c.paper_id == papers.c.id).exists()
    ).label("has_code")
    query = (
        sa.select(
            papers.c.id,
            papers.c.seq,
            papers.c.title,
            papers.c.abstract,
            papers.c.authors,
            papers.c.categories,
            papers.c.published,
            papers.c.hidden,
            has_code,
        )
        .where(papers.c.seq > after_seq)
        .order_by(papers.c.seq)
        .limit(limit)
    )
    changed = [
        ChangedPaper(
            id=row.id,
            seq=int(row.seq),
            title=row.title,
            abstract=row.abstract,
            authors=list(row.authors or []),
            categories=list(row.categories or []),
            published=as_utc(row.published) if row.published else None,
            hidden=bool(row.hidden),
            has_code=bool(row.has_code),
        )
        for row in conn.execute(query)
    ]
    removals = (
        sa.select(paper_removals.c.paper_id, paper_removals.c.seq)
        .where(paper_removals.c.seq > after_seq)
        .order_by(paper_removals.c.seq)
        .limit(limit)
    )
    removed = [
        ChangedPaper(
            id=paper_id,
            seq=int(seq),
            title="",
            abstract="",
            authors=[],
            categories=[],
            published=None,
            hidden=False,
            has_code=False,
            removed=True,
        )
        for paper_id, seq in conn.execute(removals)
    ]
    if not removed:
        return changed
    merged = sorted(changed + removed, key=lambda change: change.seq)[:limit]
    # A removed id stored again later appears twice: only its latest change counts.
    latest = {change.id: change for change in merged}
    return [change for change in merged if latest[change.id] is change]


def last_change_seq(conn: sa.Connection) -> int:
    """The newest change-sequence value handed out to papers."""
    value = conn.execute(sa.select(counters.c.value).where(counters.c.name == "papers")).scalar()
    return int(value or 0)


def count_searchable(conn: sa.Connection) -> int:
    """Papers the index should hold (everything not hidden)."""
    query = sa.select(sa.func.count()).select_from(papers).where(papers.c.hidden.is_(False))
    return int(conn.execute(query).scalar_one())


def count_changed_since(conn: sa.Connection, after_seq: int) -> int:
    """Paper changes and removals the index has not applied yet."""
    total = 0
    for table in (papers, paper_removals):
        query = sa.select(sa.func.count()).select_from(table).where(table.c.seq > after_seq)
        total += int(conn.execute(query).scalar_one())
    return total


def hit_details(conn: sa.Connection, paper_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Title, abstract, authors and publication time of the given (visible) papers."""
    out: dict[str, dict[str, Any]] = {}
    ids = list(dict.fromkeys(paper_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = sa.select(
            papers.c.id, papers.c.title, papers.c.abstract, papers.c.authors, papers.c.published
        ).where(papers.c.id.in_(chunk), papers.c.hidden.is_(False))
        for row in conn.execute(query):
            out[row.id] = {
                "title": row.title,
                "abstract": row.abstract,
                "authors": list(row.authors or []),
                "published": as_utc(row.published) if row.published else None,
            }
    return out


def visible_paper_id(conn: sa.Connection, paper_id: str) -> str | None:
    """``paper_id`` (or the paper whose arXiv id it is) when it is stored and not hidden."""
    query = sa.select(papers.c.id).where(
        sa.or_(papers.c.id == paper_id, papers.c.arxiv_id == paper_id),
        papers.c.hidden.is_(False),
    )
    return conn.execute(query.limit(1)).scalar()


def hidden_paper_ids(conn: sa.Connection) -> set[str]:
    """Ids of hidden and removed papers (few): the vector side leaves them out of every search.

    (A vector index loaded before a paper was folded away still holds its vector.)
    """
    hidden = set(conn.execute(sa.select(papers.c.id).where(papers.c.hidden.is_(True))).scalars())
    gone = sa.select(paper_removals.c.paper_id).where(
        ~sa.select(papers.c.id).where(papers.c.id == paper_removals.c.paper_id).exists()
    )
    return hidden | set(conn.execute(gone).scalars())
