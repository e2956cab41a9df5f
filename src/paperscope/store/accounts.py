"""Named queries on user accounts and rate-limit counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import _insert
from paperscope.store.tables import listings
from paperscope.store.tables_accounts import rate_limit_hits
from paperscope.store.tables_community import comments, users

_USER_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.handle,
    users.c.password_hash,
    users.c.is_admin,
    users.c.deleted,
    users.c.created_at,
)


def insert_user(
    conn: sa.Connection,
    *,
    email: str,
    handle: str,
    password_hash: str,
    is_admin: bool,
    now: datetime,
) -> int:
    """Create an account and return its id (the unique constraints refuse duplicates)."""
    result = conn.execute(
        users.insert().values(
            email=email,
            handle=handle,
            password_hash=password_hash,
            is_admin=is_admin,
            deleted=False,
            created_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_by_id(conn: sa.Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(*_USER_COLUMNS).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def user_by_email(conn: sa.Connection, email: str) -> dict[str, Any] | None:
    """A live account by email (emails are stored lower-cased)."""
    row = (
        conn.execute(
            sa.select(*_USER_COLUMNS).where(users.c.email == email, users.c.deleted.is_(False))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def handle_taken(conn: sa.Connection, handle: str) -> bool:
    """Whether any account, live or deleted, has this handle (compared case-insensitively)."""
    query = sa.select(users.c.id).where(sa.func.lower(users.c.handle) == handle.lower())
    return conn.execute(query.limit(1)).first() is not None


def email_taken(conn: sa.Connection, email: str) -> bool:
    return conn.execute(sa.select(users.c.id).where(users.c.email == email)).first() is not None


def set_password_hash(conn: sa.Connection, user_id: int, password_hash: str) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))


def set_admin(conn: sa.Connection, user_id: int, is_admin: bool) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(is_admin=is_admin))


def list_users(conn: sa.Connection) -> list[dict[str, Any]]:
    query = sa.select(*_USER_COLUMNS).where(users.c.deleted.is_(False)).order_by(users.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def anonymize_user(conn: sa.Connection, user_id: int, *, old_handle: str, new_handle: str) -> None:
    """Remove an account's personal data; its votes stay, attached to the anonymous account.

    Email, password and handle go; the user's comments are emptied and marked deleted; papers
    they submitted stay listed but no longer name them.
    """
    conn.execute(
        users.update()
        .where(users.c.id == user_id)
        .values(email=None, password_hash=None, handle=new_handle, is_admin=False, deleted=True)
    )
    conn.execute(
        comments.update().where(comments.c.user_id == user_id).values(body="", deleted=True)
    )
    conn.execute(
        listings.update()
        .where(listings.c.submitted_by == old_handle, listings.c.source == "submit")
        .values(submitted_by=new_handle)
    )


def count_hit(conn: sa.Connection, *, bucket: str, subject: str, window_start: int) -> int:
    """Count one more hit in a fixed window and return the window's total, atomically."""
    statement = _insert(conn, rate_limit_hits).values(
        bucket=bucket, subject=subject, window_start=window_start, hits=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["bucket", "subject", "window_start"],
        set_={"hits": rate_limit_hits.c.hits + 1},
    ).returning(rate_limit_hits.c.hits)
    return int(conn.execute(statement).scalar_one())


def prune_hits(conn: sa.Connection, *, bucket: str, before: int) -> None:
    """Drop a bucket's windows that ended long ago."""
    conn.execute(
        rate_limit_hits.delete().where(
            rate_limit_hits.c.bucket == bucket, rate_limit_hits.c.window_start < before
        )
    )
