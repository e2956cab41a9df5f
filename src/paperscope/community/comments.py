"""Comments on papers: post, edit and delete one's own; admins hide and show any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paperscope.community import InvalidInput, NotAllowed, NotFound, ratelimit
from paperscope.community.accounts import User
from paperscope.community.markup import MAX_COMMENT, render_comment
from paperscope.config import Settings
from paperscope.store import Store
from paperscope.store import community as queries


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment as pages and the API show it; ``html`` is sanitized and safe to embed."""

    id: int
    paper_id: str
    handle: str
    body: str
    html: str
    hidden: bool
    created_at: datetime
    edited_at: datetime | None
    mine: bool
    can_edit: bool
    can_hide: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "paperId": self.paper_id,
            "author": self.handle,
            "body": self.body,
            "html": self.html,
            "hidden": self.hidden,
            "createdAt": _iso(self.created_at),
            "editedAt": _iso(self.edited_at) if self.edited_at else None,
        }


def _iso(value: datetime) -> str:
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).isoformat()


def _comment(row: dict[str, Any], viewer: User | None) -> Comment:
    mine = viewer is not None and viewer.id == row["user_id"]
    return Comment(
        id=int(row["id"]),
        paper_id=row["paper_id"],
        handle=row["handle"],
        body=row["body"],
        html=render_comment(row["body"]),
        hidden=bool(row["hidden"]),
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        mine=mine,
        can_edit=mine,
        can_hide=bool(viewer and viewer.is_admin),
    )


def _check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise InvalidInput("Write something before posting.")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"A comment is at most {MAX_COMMENT} characters ({len(text)} given).")
    return text


def list_comments(store: Store, paper_id: str, viewer: User | None = None) -> list[Comment]:
    """A paper's comments, oldest first; admins also see hidden ones (marked hidden)."""
    include_hidden = bool(viewer and viewer.is_admin)
    with store.read() as conn:
        rows = queries.list_comments(conn, paper_id, include_hidden=include_hidden)
    return [_comment(row, viewer) for row in rows]


def add_comment(
    store: Store, settings: Settings, *, user: User, paper_id: str, body: str
) -> Comment:
    """Post a comment on a visible paper."""
    text = _check_body(body)
    ratelimit.check(
        store, bucket="comment", subject=f"user:{user.id}", rate=settings.rate_limit_comment
    )
    with store.write() as conn:
        if not queries.paper_visibility(conn, paper_id):
            raise NotFound(f"No paper {paper_id} here.")
        comment_id = queries.insert_comment(
            conn, paper_id=paper_id, user_id=user.id, body=text, now=datetime.now(UTC)
        )
        row = queries.get_comment(conn, comment_id)
    assert row is not None
    return _comment(row, user)


def get_comment(store: Store, comment_id: int, viewer: User | None = None) -> Comment:
    with store.read() as conn:
        row = queries.get_comment(conn, comment_id)
    if row is None or row["deleted"] or (row["hidden"] and not (viewer and viewer.is_admin)):
        raise NotFound("This comment does not exist (or was deleted).")
    return _comment(row, viewer)


def _own(store: Store, user: User, comment_id: int) -> dict[str, Any]:
    with store.read() as conn:
        row = queries.get_comment(conn, comment_id)
    if row is None or row["deleted"]:
        raise NotFound("This comment does not exist (or was deleted).")
    if row["user_id"] != user.id:
        raise NotAllowed("Only its author can change a comment.")
    return row


def edit_comment(
    store: Store, settings: Settings, *, user: User, comment_id: int, body: str
) -> Comment:
    """Replace the text of one's own comment (marked as edited)."""
    text = _check_body(body)
    _own(store, user, comment_id)
    ratelimit.check(
        store, bucket="comment", subject=f"user:{user.id}", rate=settings.rate_limit_comment
    )
    with store.write() as conn:
        queries.update_comment_body(conn, comment_id, text, datetime.now(UTC))
        row = queries.get_comment(conn, comment_id)
    assert row is not None
    return _comment(row, user)


def delete_comment(store: Store, *, user: User, comment_id: int) -> str:
    """Delete one's own comment; returns its paper id."""
    row = _own(store, user, comment_id)
    with store.write() as conn:
        queries.delete_comment(conn, comment_id)
    return str(row["paper_id"])


def set_comment_hidden(store: Store, *, admin: User, comment_id: int, hidden: bool) -> str:
    """An admin hides (or shows again) any comment; returns its paper id."""
    if not admin.is_admin:
        raise NotAllowed("Only an admin can hide comments.")
    with store.write() as conn:
        row = queries.get_comment(conn, comment_id)
        if row is None or row["deleted"]:
            raise NotFound("This comment does not exist (or was deleted).")
        queries.set_comment_hidden(conn, comment_id, hidden)
    return str(row["paper_id"])


def set_paper_hidden(store: Store, *, admin: User, paper_id: str, hidden: bool) -> None:
    """An admin hides a paper from every list, search and page (or shows it again)."""
    if not admin.is_admin:
        raise NotAllowed("Only an admin can hide papers.")
    with store.write() as conn:
        if queries.paper_visibility(conn, paper_id) is None:
            raise NotFound(f"No paper {paper_id} here.")
        queries.set_paper_hidden(conn, paper_id, hidden)
