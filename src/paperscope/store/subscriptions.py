"""Named queries on subscriptions, the papers already mailed to them, the subscribe log, and
the reads a digest is composed from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import as_date, as_utc
from paperscope.store.tables import code_repos, listings, papers
from paperscope.store.tables_community import votes
from paperscope.store.tables_subscriptions import (
    outbox,
    sent_papers,
    subscribe_attempts,
    subscriptions,
    suppressed,
)

_TIMES = ("created_at", "confirmed_at", "unsubscribed_at")


def _row(mapping: Any) -> dict[str, Any]:
    row = dict(mapping)
    for column in _TIMES:
        if row.get(column) is not None:
            row[column] = as_utc(row[column])
    return row


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def insert_or_get(conn: sa.Connection, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Insert a subscription unless one with its ``dedupe_key`` exists; return (row, created)."""
    statement = _insert(conn, subscriptions).values(**values)
    created = conn.execute(statement.on_conflict_do_nothing()).rowcount == 1
    row = conn.execute(
        sa.select(subscriptions).where(subscriptions.c.dedupe_key == values["dedupe_key"])
    ).mappings()
    return _row(row.one()), created


def get(conn: sa.Connection, subscription_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(sa.select(subscriptions).where(subscriptions.c.id == subscription_id))
        .mappings()
        .first()
    )
    return _row(row) if row else None


def update(conn: sa.Connection, subscription_id: int, **values: Any) -> None:
    conn.execute(
        subscriptions.update().where(subscriptions.c.id == subscription_id).values(**values)
    )


def dedupe_key_taken(conn: sa.Connection, dedupe_key: str, other_than: int) -> bool:
    return (
        conn.execute(
            sa.select(subscriptions.c.id).where(
                subscriptions.c.dedupe_key == dedupe_key, subscriptions.c.id != other_than
            )
        ).first()
        is not None
    )


def listing(
    conn: sa.Connection, *, email: str | None = None, user_id: int | None = None
) -> list[dict[str, Any]]:
    """Every subscription (of one address, or made by one account, when given), oldest first."""
    query = sa.select(subscriptions).order_by(subscriptions.c.id)
    if email is not None:
        query = query.where(subscriptions.c.email == email)
    if user_id is not None:
        query = query.where(subscriptions.c.user_id == user_id)
    return [_row(r) for r in conn.execute(query).mappings()]


def deliverable(conn: sa.Connection) -> list[dict[str, Any]]:
    """Active subscriptions whose address is not suppressed."""
    blocked = sa.select(suppressed.c.email).where(suppressed.c.suppressed_at.is_not(None))
    query = (
        sa.select(subscriptions)
        .where(subscriptions.c.status == "active", subscriptions.c.email.not_in(blocked))
        .order_by(subscriptions.c.id)
    )
    return [_row(r) for r in conn.execute(query).mappings()]


def lock_for_compose(conn: sa.Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Re-read these subscriptions inside the compose transaction.

    On PostgreSQL the rows are locked and rows another worker holds are skipped, so two
    workers never compose the same subscription at once; on SQLite the write transaction
    already excludes every other writer.
    """
    query = sa.select(subscriptions).where(subscriptions.c.id.in_(list(ids)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [_row(r) for r in conn.execute(query.order_by(subscriptions.c.id)).mappings()]


def delete_address(conn: sa.Connection, email: str, email_hash: str) -> int:
    """Delete everything stored for an address but its suppression; return how many
    subscriptions it had.

    A suppression (the address bounced for good) is kept, reduced to the address and when it
    was suppressed: it is what refuses to mail that address again, and deleting it would let
    anyone with a manage link, or a new subscribe request, restart mail to a dead mailbox.
    Failures short of a suppression are not kept.
    """
    ids = [
        r[0]
        for r in conn.execute(sa.select(subscriptions.c.id).where(subscriptions.c.email == email))
    ]
    if ids:
        conn.execute(sent_papers.delete().where(sent_papers.c.subscription_id.in_(ids)))
        conn.execute(outbox.delete().where(outbox.c.subscription_id.in_(ids)))
        conn.execute(subscriptions.delete().where(subscriptions.c.id.in_(ids)))
    conn.execute(outbox.delete().where(outbox.c.to_addr == email))
    conn.execute(
        suppressed.delete().where(suppressed.c.email == email, suppressed.c.suppressed_at.is_(None))
    )
    conn.execute(suppressed.update().where(suppressed.c.email == email).values(last_error=None))
    conn.execute(subscribe_attempts.delete().where(subscribe_attempts.c.email_hash == email_hash))
    return len(ids)


def sent_ids(
    conn: sa.Connection, subscription_ids: Sequence[int], paper_ids: Iterable[str]
) -> dict[int, set[str]]:
    """Which of ``paper_ids`` each subscription was already sent."""
    out: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
    paper_list = list(set(paper_ids))
    if not subscription_ids or not paper_list:
        return out
    for start in range(0, len(subscription_ids), 500):
        chunk = list(subscription_ids[start : start + 500])
        rows = conn.execute(
            sa.select(sent_papers.c.subscription_id, sent_papers.c.paper_id).where(
                sent_papers.c.subscription_id.in_(chunk),
                sent_papers.c.paper_id.in_(paper_list),
            )
        )
        for sid, pid in rows:
            out[sid].add(pid)
    return out


def record_sent(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Remember papers mailed to subscriptions: ``{subscription_id, paper_id, period}`` rows."""
    if rows:
        conn.execute(_insert(conn, sent_papers).on_conflict_do_nothing(), rows)


def log_attempt(conn: sa.Connection, *, email_hash: str, client: str, now: datetime) -> None:
    conn.execute(
        subscribe_attempts.insert().values(email_hash=email_hash, client=client, created_at=now)
    )


def count_attempts(
    conn: sa.Connection,
    *,
    since: datetime,
    email_hash: str | None = None,
    client: str | None = None,
) -> int:
    query = sa.select(sa.func.count()).where(subscribe_attempts.c.created_at >= since)
    if email_hash is not None:
        query = query.where(subscribe_attempts.c.email_hash == email_hash)
    if client is not None:
        query = query.where(subscribe_attempts.c.client == client)
    return int(conn.execute(query).scalar_one())


def prune_attempts(conn: sa.Connection, *, before: datetime) -> None:
    conn.execute(subscribe_attempts.delete().where(subscribe_attempts.c.created_at < before))


# --- what digests are composed from ---------------------------------------------------------

_PAPER_FIELDS = (
    papers.c.id,
    papers.c.arxiv_id,
    papers.c.title,
    papers.c.authors,
    papers.c.abstract,
    papers.c.categories,
    papers.c.primary_category,
    papers.c.published,
)


def listed_between(conn: sa.Connection, first: date, last: date) -> list[dict[str, Any]]:
    """Papers listed from ``first`` to ``last`` (inclusive): id, arXiv id, title, authors,
    abstract, categories, the newest such listing's day, its upvotes plus local votes, and
    the best-starred code link."""
    local_votes = (
        sa.select(votes.c.paper_id, sa.func.count().label("n"))
        .group_by(votes.c.paper_id)
        .subquery()
    )
    upvotes = sa.func.max(listings.c.imported_upvotes).label("upvotes")
    query = (
        sa.select(
            *_PAPER_FIELDS,
            sa.func.max(listings.c.listing_date).label("listing_date"),
            upvotes,
            sa.func.coalesce(sa.func.max(local_votes.c.n), 0).label("votes"),
        )
        .join(listings, listings.c.paper_id == papers.c.id)
        .outerjoin(local_votes, local_votes.c.paper_id == papers.c.id)
        .where(listings.c.listing_date.between(first, last), papers.c.hidden.is_(sa.false()))
        .group_by(papers.c.id)
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    code = _best_code(conn, [r["id"] for r in rows])
    for row in rows:
        row["listing_date"] = as_date(row["listing_date"])
        row["code_url"], row["stars"] = code.get(row["id"], (None, None))
    return rows


def published_between(conn: sa.Connection, since: date, until: date) -> list[dict[str, Any]]:
    """Papers published or updated from ``since`` to ``until`` (inclusive, UTC days), listed
    or not (an arXiv ingest brings papers no daily list has): the fields of
    ``listed_between`` with no listing, and their local votes."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    local_votes = (
        sa.select(votes.c.paper_id, sa.func.count().label("n"))
        .group_by(votes.c.paper_id)
        .subquery()
    )
    query = (
        sa.select(*_PAPER_FIELDS, sa.func.coalesce(local_votes.c.n, 0).label("votes"))
        .outerjoin(local_votes, local_votes.c.paper_id == papers.c.id)
        .where(
            sa.or_(
                sa.and_(papers.c.published >= start, papers.c.published < end),
                sa.and_(papers.c.updated >= start, papers.c.updated < end),
            ),
            papers.c.hidden.is_(sa.false()),
        )
        .order_by(papers.c.id)
    )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    code = _best_code(conn, [r["id"] for r in rows])
    for row in rows:
        row.update(listing_date=None, upvotes=0)
        row["code_url"], row["stars"] = code.get(row["id"], (None, None))
    return rows


def papers_by_ids(conn: sa.Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The same fields as ``listed_between`` for papers named by id (e.g. search hits)."""
    if not ids:
        return []
    rows = [
        dict(r)
        for r in conn.execute(
            sa.select(*_PAPER_FIELDS).where(
                papers.c.id.in_(list(ids)), papers.c.hidden.is_(sa.false())
            )
        ).mappings()
    ]
    code = _best_code(conn, [r["id"] for r in rows])
    for row in rows:
        row.update(listing_date=None, upvotes=0, votes=0)
        row["code_url"], row["stars"] = code.get(row["id"], (None, None))
    return rows


def _best_code(conn: sa.Connection, ids: list[str]) -> dict[str, tuple[str, int | None]]:
    out: dict[str, tuple[str, int | None]] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            sa.select(code_repos.c.paper_id, code_repos.c.url, code_repos.c.stars)
            .where(code_repos.c.paper_id.in_(ids[start : start + 500]))
            .order_by(code_repos.c.id)
        )
        for paper_id, url, stars in rows:
            best = out.get(paper_id)
            if best is None or (stars or 0) > (best[1] or 0):
                out[paper_id] = (url, stars)
    return out


def set_last_periods(conn: sa.Connection, periods: list[tuple[int, str]]) -> None:
    """Record the last period handled for many subscriptions at once (one UPDATE per
    distinct period: a batch has few)."""
    by_period: dict[str, list[int]] = {}
    for subscription_id, period in periods:
        by_period.setdefault(period, []).append(subscription_id)
    for period, ids in by_period.items():
        for start in range(0, len(ids), 1000):
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.id.in_(ids[start : start + 1000]))
                .values(last_period=period)
            )


def insert_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert many subscription rows at once (imports, benchmarks)."""
    if rows:
        conn.execute(subscriptions.insert(), rows)


def authors_listed(conn: sa.Connection, *, limit: int) -> list[str]:
    """Some author names from the newest listed papers (benchmarks and examples)."""
    rows = conn.execute(
        sa.select(papers.c.authors)
        .join(listings, listings.c.paper_id == papers.c.id)
        .order_by(listings.c.listing_date.desc())
        .limit(limit)
    )
    names: list[str] = []
    for (authors,) in rows:
        names.extend(str(a) for a in (authors or [])[:2])
    return names
