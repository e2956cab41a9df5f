"""Named queries for the community: votes, comments, submissions and moderation."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import _take_sequence, as_date
from paperscope.store.tables import listings, papers
from paperscope.store.tables_community import comments, users, votes

# --- papers -------------------------------------------------------------------------------


def paper_visibility(conn: sa.Connection, paper_id: str) -> bool | None:
    """``True`` if the paper is visible, ``False`` if hidden, ``None`` if unknown."""
    hidden = conn.execute(
        sa.select(papers.c.hidden).where(papers.c.id == paper_id)
    ).scalar_one_or_none()
    return None if hidden is None else not hidden


def set_paper_hidden(conn: sa.Connection, paper_id: str, hidden: bool) -> None:
    """Hide or show a paper; it takes a new change sequence so derived indexes notice."""
    seq = _take_sequence(conn, 1)
    conn.execute(papers.update().where(papers.c.id == paper_id).values(hidden=hidden, seq=seq))


# --- votes --------------------------------------------------------------------------------


def toggle_vote(conn: sa.Connection, *, user_id: int, paper_id: str, now: datetime) -> bool:
    """Add the user's vote, or take it back if there was one; return whether it now exists."""
    removed = conn.execute(
        votes.delete().where(votes.c.user_id == user_id, votes.c.paper_id == paper_id)
    ).rowcount
    if removed:
        return False
    conn.execute(votes.insert().values(user_id=user_id, paper_id=paper_id, created_at=now))
    return True


def voted_papers(conn: sa.Connection, user_id: int, paper_ids: Collection[str]) -> set[str]:
    """Which of ``paper_ids`` this user has upvoted."""
    if not paper_ids:
        return set()
    query = sa.select(votes.c.paper_id).where(
        votes.c.user_id == user_id, votes.c.paper_id.in_(list(paper_ids))
    )
    return set(conn.execute(query).scalars())


def user_votes(conn: sa.Connection, user_id: int) -> set[str]:
    """Every paper this user has upvoted."""
    return set(
        conn.execute(sa.select(votes.c.paper_id).where(votes.c.user_id == user_id)).scalars()
    )


def community_counts(
    conn: sa.Connection, paper_ids: Collection[str]
) -> dict[str, tuple[int, int, int, int]]:
    """Per paper: ``(imported upvotes, site votes, imported comments, visible site comments)``.

    Imported counts are the highest a listing carried (HF's figure when it was archived).
    """
    ids = list(paper_ids)
    out = {paper_id: (0, 0, 0, 0) for paper_id in ids}
    if not ids:
        return out
    imported = conn.execute(
        sa.select(
            listings.c.paper_id,
            sa.func.max(listings.c.imported_upvotes),
            sa.func.max(listings.c.imported_comments),
        )
        .where(listings.c.paper_id.in_(ids))
        .group_by(listings.c.paper_id)
    )
    imported_counts = {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in imported}
    vote_counts: dict[str, int] = {
        row[0]: int(row[1])
        for row in conn.execute(
            sa.select(votes.c.paper_id, sa.func.count())
            .where(votes.c.paper_id.in_(ids))
            .group_by(votes.c.paper_id)
        )
    }
    comment_counts: dict[str, int] = {
        row[0]: int(row[1])
        for row in conn.execute(
            sa.select(comments.c.paper_id, sa.func.count())
            .where(
                comments.c.paper_id.in_(ids),
                comments.c.hidden.is_(False),
                comments.c.deleted.is_(False),
            )
            .group_by(comments.c.paper_id)
        )
    }
    for paper_id in ids:
        up, com = imported_counts.get(paper_id, (0, 0))
        out[paper_id] = (
            up,
            int(vote_counts.get(paper_id, 0)),
            com,
            int(comment_counts.get(paper_id, 0)),
        )
    return out


# --- comments -----------------------------------------------------------------------------


def insert_comment(
    conn: sa.Connection, *, paper_id: str, user_id: int, body: str, now: datetime
) -> int:
    result = conn.execute(
        comments.insert().values(
            paper_id=paper_id,
            user_id=user_id,
            body=body,
            hidden=False,
            deleted=False,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get_comment(conn: sa.Connection, comment_id: int) -> dict[str, Any] | None:
    query = (
        sa.select(comments, users.c.handle)
        .join(users, users.c.id == comments.c.user_id)
        .where(comments.c.id == comment_id)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def list_comments(
    conn: sa.Connection, paper_id: str, *, include_hidden: bool
) -> list[dict[str, Any]]:
    """A paper's live comments, oldest first, with their authors' handles."""
    query = (
        sa.select(comments, users.c.handle)
        .join(users, users.c.id == comments.c.user_id)
        .where(comments.c.paper_id == paper_id, comments.c.deleted.is_(False))
        .order_by(comments.c.created_at, comments.c.id)
    )
    if not include_hidden:
        query = query.where(comments.c.hidden.is_(False))
    return [dict(row) for row in conn.execute(query).mappings()]


def update_comment_body(conn: sa.Connection, comment_id: int, body: str, now: datetime) -> None:
    conn.execute(
        comments.update().where(comments.c.id == comment_id).values(body=body, edited_at=now)
    )


def delete_comment(conn: sa.Connection, comment_id: int) -> None:
    """Soft-delete: the row stays (ids stay stable) but its text goes."""
    conn.execute(comments.update().where(comments.c.id == comment_id).values(body="", deleted=True))


def set_comment_hidden(conn: sa.Connection, comment_id: int, hidden: bool) -> None:
    conn.execute(comments.update().where(comments.c.id == comment_id).values(hidden=hidden))


# --- submissions --------------------------------------------------------------------------


def listing_dates(conn: sa.Connection, paper_id: str) -> list[date]:
    query = (
        sa.select(listings.c.listing_date)
        .where(listings.c.paper_id == paper_id)
        .order_by(listings.c.listing_date)
    )
    return [as_date(day) for day in conn.execute(query).scalars()]


def submissions_on(conn: sa.Connection, handle: str, day: date) -> int:
    """How many papers ``handle`` submitted to the daily list of ``day``."""
    query = sa.select(sa.func.count()).where(
        listings.c.submitted_by == handle,
        listings.c.source == "submit",
        listings.c.listing_date == day,
    )
    return int(conn.execute(query).scalar_one())


def insert_submission(conn: sa.Connection, *, paper_id: str, day: date, handle: str) -> None:
    """List a paper on ``day`` after that day's other papers, submitted by ``handle``."""
    last = conn.execute(
        sa.select(sa.func.max(listings.c.position)).where(listings.c.listing_date == day)
    ).scalar_one_or_none()
    conn.execute(
        listings.insert().values(
            paper_id=paper_id,
            listing_date=day,
            position=(int(last) + 1) if last is not None else 0,
            submitted_by=handle,
            imported_upvotes=0,
            imported_comments=0,
            source="submit",
        )
    )
