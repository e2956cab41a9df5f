"""Named queries on the outbox (mail waiting, being sent, sent, failed) and on suppressed
addresses.

Claiming: on PostgreSQL rows are locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` so several
workers share the queue without waiting on each other; on SQLite the write transaction
(``BEGIN IMMEDIATE``) is the claim, since only one writer runs at a time. The claim is also
where a message nobody may receive any more (a digest of a subscription no longer active, any
mail to a suppressed address) becomes ``cancelled`` instead of being sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import as_utc
from paperscope.store.tables_subscriptions import outbox, subscriptions, suppressed


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def enqueue(conn: sa.Connection, values: dict[str, Any]) -> int | None:
    """Record a message; ``None`` when its (subscription, period) was already recorded."""
    statement = (
        _insert(conn, outbox)
        .values(status="queued", attempts=0, **values)
        .on_conflict_do_nothing(index_elements=["subscription_id", "period"])
        .returning(outbox.c.id)
    )
    return conn.execute(statement).scalar_one_or_none()


def enqueue_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """Record many messages; return the (subscription, period) pairs this call inserted.

    Pairs already in the outbox are left alone (a period is composed once). Callers hold the
    subscriptions' row locks (PostgreSQL) or the write lock (SQLite), so the check and the
    insert see the same outbox; the unique key stays the last line of defence.
    """
    if not rows:
        return set()
    wanted = {(r["subscription_id"], r["period"]) for r in rows}
    present: set[tuple[int, str]] = set()
    ids = sorted({sid for sid, _ in wanted})
    for start in range(0, len(ids), 500):
        found = conn.execute(
            sa.select(outbox.c.subscription_id, outbox.c.period).where(
                outbox.c.subscription_id.in_(ids[start : start + 500])
            )
        )
        present.update((sid, period) for sid, period in found if (sid, period) in wanted)
    fresh = [
        {"status": "queued", "attempts": 0, **r}
        for r in rows
        if (r["subscription_id"], r["period"]) not in present
    ]
    if fresh:
        conn.execute(
            _insert(conn, outbox).on_conflict_do_nothing(
                index_elements=["subscription_id", "period"]
            ),
            fresh,
        )
    return {(r["subscription_id"], r["period"]) for r in fresh}


def period_recorded(conn: sa.Connection, subscription_id: int, period: str) -> bool:
    return (
        conn.execute(
            sa.select(outbox.c.id).where(
                outbox.c.subscription_id == subscription_id, outbox.c.period == period
            )
        ).first()
        is not None
    )


@dataclass(slots=True)
class Claimed:
    """What one claim took: the rows to send now, and how many it cancelled instead."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cancelled: int = 0


def _due(now: datetime, lease_seconds: float) -> sa.ColumnElement[bool]:
    expired = now - timedelta(seconds=lease_seconds)
    return sa.or_(
        sa.and_(outbox.c.status == "queued", outbox.c.next_attempt_at <= now),
        sa.and_(outbox.c.status == "sending", outbox.c.claimed_at < expired),
    )


# Each message with its subscription and its address's suppression entry, when there is one.
_WITH_RECIPIENT = outbox.outerjoin(
    subscriptions, subscriptions.c.id == outbox.c.subscription_id
).outerjoin(suppressed, suppressed.c.email == outbox.c.to_addr)
_SUPPRESSED = suppressed.c.suppressed_at.is_not(None)
# A digest goes only to an active subscription. A confirmation is sent whatever the status:
# it is how a pending or unsubscribed subscription becomes active again.
_UNSUBSCRIBED = sa.and_(
    outbox.c.kind == "digest", sa.func.coalesce(subscriptions.c.status, "") != "active"
)


def claim(
    conn: sa.Connection,
    *,
    worker: str,
    now: datetime,
    lease_seconds: float,
    limit: int,
    ids: list[int] | None = None,
) -> Claimed:
    """Take up to ``limit`` messages that are due, or whose sender's lease ran out.

    A row left in ``sending`` by a worker that died is taken again only once its lease
    expired; its attempts count goes up each time it is taken. Due rows nobody may receive
    any more (their subscription was unsubscribed, their address suppressed, since they were
    recorded) are marked ``cancelled`` and never sent.
    """
    due = _due(now, lease_seconds)
    if ids is not None:
        due = sa.and_(due, outbox.c.id.in_(ids))
    cancelled = _cancel_undeliverable(conn, due)
    query = (
        sa.select(outbox)
        .select_from(_WITH_RECIPIENT)
        .where(due, sa.not_(sa.or_(_SUPPRESSED, _UNSUBSCRIBED)))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=outbox, skip_locked=True)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    if rows:
        conn.execute(
            outbox.update()
            .where(outbox.c.id.in_([r["id"] for r in rows]))
            .values(
                status="sending",
                claimed_by=worker,
                claimed_at=now,
                attempts=outbox.c.attempts + 1,
            )
        )
        for row in rows:
            row["attempts"] += 1
    return Claimed(rows=rows, cancelled=cancelled)


def _cancel_undeliverable(conn: sa.Connection, due: sa.ColumnElement[bool]) -> int:
    query = (
        sa.select(outbox.c.id, _SUPPRESSED.label("suppressed"))
        .select_from(_WITH_RECIPIENT)
        .where(due, sa.or_(_SUPPRESSED, _UNSUBSCRIBED))
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=outbox, skip_locked=True)
    found = conn.execute(query).all()
    reasons = {
        "address suppressed": [i for i, is_suppressed in found if is_suppressed],
        "subscription no longer active": [i for i, is_suppressed in found if not is_suppressed],
    }
    for reason, ids in reasons.items():
        for start in range(0, len(ids), 500):
            conn.execute(
                outbox.update()
                .where(outbox.c.id.in_(ids[start : start + 500]))
                .values(
                    status="cancelled",
                    last_error=reason,
                    message=b"",
                    claimed_by=None,
                    claimed_at=None,
                )
            )
    return len(found)


def mark_sent(conn: sa.Connection, message_id: int, *, now: datetime) -> None:
    """Record that the relay accepted a message.

    On PostgreSQL this commit does not wait for its WAL flush: only a crash of the database
    server itself (not of a worker) could lose the mark, and the message would then be sent
    again with the same Message-ID: the window docs/digests.md already describes.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id)
        .values(status="sent", sent_at=now, last_error=None, message=b"")
    )


def mark_retry(
    conn: sa.Connection, message_id: int, *, error: str, next_attempt_at: datetime
) -> None:
    conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id)
        .values(
            status="queued",
            last_error=error[:2000],
            next_attempt_at=next_attempt_at,
            claimed_by=None,
            claimed_at=None,
        )
    )


def mark_failed(conn: sa.Connection, message_id: int, *, error: str) -> None:
    conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id)
        .values(status="failed", last_error=error[:2000], claimed_by=None, claimed_at=None)
    )


def record_permanent_failure(
    conn: sa.Connection, email: str, *, error: str, now: datetime, suppress_after: int
) -> bool:
    """Count a permanent failure for ``email``; suppress it at ``suppress_after``. True if
    the address is now suppressed."""
    statement = _insert(conn, suppressed).values(
        email=email, permanent_failures=1, last_error=error[:2000]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["email"],
        set_={
            "permanent_failures": suppressed.c.permanent_failures + 1,
            "last_error": statement.excluded.last_error,
        },
    )
    conn.execute(statement)
    failures = conn.execute(
        sa.select(suppressed.c.permanent_failures).where(suppressed.c.email == email)
    ).scalar_one()
    if failures >= suppress_after:
        conn.execute(
            suppressed.update()
            .where(suppressed.c.email == email, suppressed.c.suppressed_at.is_(None))
            .values(suppressed_at=now)
        )
        return True
    return False


def is_suppressed(conn: sa.Connection, email: str) -> bool:
    return (
        conn.execute(
            sa.select(suppressed.c.email).where(
                suppressed.c.email == email, suppressed.c.suppressed_at.is_not(None)
            )
        ).first()
        is not None
    )


def count_confirmations(conn: sa.Connection, email: str, *, since: datetime) -> int:
    """Confirmation mails recorded for ``email`` since ``since`` (sent or not)."""
    query = sa.select(sa.func.count()).where(
        outbox.c.kind == "confirm", outbox.c.to_addr == email, outbox.c.created_at >= since
    )
    return int(conn.execute(query).scalar_one())


def get_message(conn: sa.Connection, message_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(outbox).where(outbox.c.id == message_id)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    for column in ("next_attempt_at", "claimed_at", "created_at", "sent_at"):
        if out[column] is not None:
            out[column] = as_utc(out[column])
    return out


def status_counts(conn: sa.Connection) -> dict[str, int]:
    """How many messages are in each state."""
    rows = conn.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in rows}
