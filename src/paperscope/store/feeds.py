"""Named queries behind the feeds: listing days, listed papers with their counts, trending input."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

import sqlalchemy as sa

from paperscope.store.papers import as_date
from paperscope.store.tables import code_repos, listings, papers
from paperscope.store.tables_community import comments, votes

FeedSort = Literal["upvotes", "listed"]

_PAPER_COLUMNS = (
    papers.c.id,
    papers.c.arxiv_id,
    papers.c.title,
    papers.c.abstract,
    papers.c.authors,
    papers.c.categories,
    papers.c.primary_category,
    papers.c.published,
    papers.c.submitter,
    papers.c.project_page,
)
_LISTING_COLUMNS = (
    listings.c.listing_date,
    listings.c.position,
    listings.c.submitted_by,
    listings.c.imported_upvotes,
    listings.c.imported_comments,
    listings.c.organization,
    listings.c.thumbnail,
)


def _local_votes() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .select_from(votes)
        .where(votes.c.paper_id == papers.c.id)
        .scalar_subquery()
    )


def _local_comments() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .select_from(comments)
        .where(
            comments.c.paper_id == papers.c.id,
            comments.c.hidden.is_(False),
            comments.c.deleted.is_(False),
        )
        .scalar_subquery()
    )


def listing_days(conn: sa.Connection) -> list[date]:
    """Every day that has a listing, oldest first.

    Read from the listing-date index alone (a day whose papers are all hidden still counts:
    its page is then empty), because every feed page asks for it.
    """
    rows = conn.execute(
        sa.select(listings.c.listing_date).distinct().order_by(listings.c.listing_date)
    )
    return [as_date(day) for (day,) in rows]


def listed_papers(
    conn: sa.Connection,
    *,
    start: date,
    end: date,
    submitter: str | None = None,
    sort: FeedSort = "upvotes",
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Visible papers listed between ``start`` and ``end`` (inclusive) and how many there are.

    Each row carries the paper, its listing, and this site's vote and comment counts. Sorted by
    upvotes (imported + local), then newest day, then listing position, as HF orders a list;
    or (``listed``) newest day first, then upvotes.
    """
    local_votes = _local_votes().label("local_votes")
    local_comments = _local_comments().label("local_comments")
    where = [
        listings.c.listing_date >= start,
        listings.c.listing_date <= end,
        papers.c.hidden.is_(False),
    ]
    if submitter:
        where.append(listings.c.submitted_by == submitter)
    query = (
        sa.select(*_PAPER_COLUMNS, *_LISTING_COLUMNS, local_votes, local_comments)
        .select_from(listings.join(papers, papers.c.id == listings.c.paper_id))
        .where(*where)
    )
    if sort == "listed":
        query = query.order_by(
            listings.c.listing_date.desc(),
            (listings.c.imported_upvotes + local_votes).desc(),
            listings.c.position,
            papers.c.id,
        )
    else:
        query = query.order_by(
            (listings.c.imported_upvotes + local_votes).desc(),
            listings.c.listing_date.desc(),
            listings.c.position,
            papers.c.id,
        )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = [dict(row) for row in conn.execute(query).mappings()]
    total = conn.execute(
        sa.select(sa.func.count())
        .select_from(listings.join(papers, papers.c.id == listings.c.paper_id))
        .where(*where)
    ).scalar_one()
    return rows, int(total)


def code_for(conn: sa.Connection, paper_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Code repositories of these papers, GitHub first, by paper id."""
    ids = list(set(paper_ids))
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    query = (
        sa.select(
            code_repos.c.paper_id,
            code_repos.c.url,
            code_repos.c.host,
            code_repos.c.stars,
            code_repos.c.checked_at,
        )
        .where(code_repos.c.paper_id.in_(ids))
        .order_by(code_repos.c.paper_id, (code_repos.c.host == "github").desc(), code_repos.c.id)
    )
    for row in conn.execute(query).mappings():
        out.setdefault(row["paper_id"], []).append(dict(row))
    return out


def engagement(conn: sa.Connection, paper_id: str) -> dict[str, int]:
    """This site's vote and visible-comment counts for one paper."""
    row = conn.execute(
        sa.select(_local_votes().label("votes"), _local_comments().label("comments")).where(
            papers.c.id == paper_id
        )
    ).one_or_none()
    if row is None:
        return {"votes": 0, "comments": 0}
    return {"votes": int(row.votes), "comments": int(row.comments)}


def trending_candidates(conn: sa.Connection, *, start: date, end: date) -> list[dict[str, Any]]:
    """Visible papers listed between ``start`` and ``end``: their first listing day in the
    window, imported upvotes and this site's votes (the input of the trending formula)."""
    rows, _total = listed_papers(conn, start=start, end=end)
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = first.get(row["id"])
        if kept is None or as_date(row["listing_date"]) < as_date(kept["listing_date"]):
            first[row["id"]] = row
    return list(first.values())


def visible_papers(conn: sa.Connection, paper_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Visible papers by id, each with its code repos, listings and this site's counts.

    The same shape as ``store.papers.get_paper`` plus ``local_votes`` and ``local_comments``,
    for many papers in four queries (search results, similar papers).
    """
    ids = list(set(paper_ids))
    if not ids:
        return {}
    query = sa.select(
        papers, _local_votes().label("local_votes"), _local_comments().label("local_comments")
    ).where(papers.c.id.in_(ids), papers.c.hidden.is_(False))
    found = {row["id"]: dict(row) for row in conn.execute(query).mappings()}
    repos = code_for(conn, found)
    for paper_id, paper in found.items():
        paper["code_repos"] = repos.get(paper_id, [])
        paper["listings"] = []
    listing_rows = conn.execute(
        sa.select(listings.c.paper_id, *_LISTING_COLUMNS)
        .where(listings.c.paper_id.in_(list(found)))
        .order_by(listings.c.paper_id, listings.c.listing_date)
    ).mappings()
    for row in listing_rows:
        found[row["paper_id"]]["listings"].append(dict(row))
    return found
