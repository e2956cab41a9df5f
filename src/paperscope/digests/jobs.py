"""The digest jobs: compose what is due into the outbox, then deliver the outbox.

Exactly once per (subscription, period):
- Compose records the message, the papers it carries and the subscription's last period in
  one transaction; the outbox's UNIQUE(subscription, period) makes a second composition of a
  period (another worker, a restart) insert nothing.
- Deliver claims rows (``sending``, with a lease), hands each to the SMTP relay and marks it
  ``sent``. A worker killed after claiming leaves its rows to be taken again once the lease
  runs out. The one window that cannot be closed is between the relay accepting a message and
  the ``sent`` mark: that message is sent again, with the same Message-ID (docs/digests.md).
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from paperscope.config import Settings
from paperscope.digests.candidates import Pools
from paperscope.digests.compose import DigestItem
from paperscope.digests.message import sender_address
from paperscope.digests.model import Subscription
from paperscope.digests.outgoing import digest_for, digest_row
from paperscope.digests.schedule import due_subscriptions, period_end
from paperscope.digests.select import select_items
from paperscope.digests.service import tokens_for
from paperscope.mail import PermanentFailure, SmtpMailer, TemporaryFailure
from paperscope.store import Store
from paperscope.store import outbox as outbox_queries
from paperscope.store import subscriptions as queries

COMPOSE_BATCH = 200
CLAIM_BATCH = 20
MAX_RETRY_DELAY = timedelta(hours=6)
CRASH_ENV = "PAPERSCOPE_CRASH_AT"

T = TypeVar("T")


def crash_point(name: str) -> None:
    """Test hook: SIGKILL this process at a named point when ``PAPERSCOPE_CRASH_AT`` says so.

    The kill-and-restart tests use it to stop a real worker exactly after composing, after
    claiming, or after the relay accepted a message; nothing else sets the variable.
    """
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class ComposeReport:
    """What one compose run did."""

    due: int = 0
    composed: int = 0
    empty: int = 0
    already: int = 0
    previews: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "due": self.due,
            "composed": self.composed,
            "empty": self.empty,
            "already": self.already,
        }
        if self.previews:
            out["previews"] = self.previews
        return out


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "suppressed": self.suppressed,
            "cancelled": self.cancelled,
        }


def compose_due(
    settings: Settings,
    store: Store,
    *,
    now: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> ComposeReport:
    """Compose the digest of every subscription whose period is due and record it.

    ``force`` ignores the local hour and weekday (still once per period); ``dry_run`` composes
    and reports without recording anything.
    """
    now = now or datetime.now(UTC)
    report = ComposeReport()
    with store.read() as conn:
        subscriptions = [Subscription.from_row(r) for r in queries.deliverable(conn)]
    due = due_subscriptions(subscriptions, now, force=force)
    report.due = len(due)
    pools = Pools(settings, store)
    tokens = tokens_for(settings)
    limit = settings.digest_max_papers
    for batch in _chunks(due, COMPOSE_BATCH):
        for subscription, _period in batch:  # read the pools before taking the write lock
            pools.for_subscription(subscription, period_end(subscription, now))
        if dry_run:
            with store.read() as conn:
                _compose_batch(conn, settings, tokens, pools, batch, now, report, limit, True)
            continue
        with store.write() as conn:
            _compose_batch(conn, settings, tokens, pools, batch, now, report, limit, False)
        crash_point("after-compose")
    return report


def _compose_batch(
    conn: Any,
    settings: Settings,
    tokens: Any,
    pools: Pools,
    batch: Sequence[tuple[Subscription, str]],
    now: datetime,
    report: ComposeReport,
    limit: int,
    dry_run: bool,
) -> None:
    wanted = {s.id: period for s, period in batch}
    if dry_run:
        current = [s for s, _ in batch]
    else:
        current = [Subscription.from_row(r) for r in queries.lock_for_compose(conn, list(wanted))]
    # Another worker may have composed some of them (or holds their lock) meanwhile.
    todo = [
        (s, wanted[s.id]) for s in current if s.status == "active" and s.last_period != wanted[s.id]
    ]
    report.already += len(batch) - len(todo)
    pool_ids: set[str] = set()
    for subscription, _ in todo:
        pool, _scores = pools.for_subscription(subscription, period_end(subscription, now))
        pool_ids.update(row["id"] for row in pool)
    sent = queries.sent_ids(conn, [s.id for s, _ in todo], pool_ids)
    handled: list[tuple[int, str]] = []
    sent_rows: list[dict[str, Any]] = []
    outgoing: list[dict[str, Any]] = []
    carried: dict[tuple[int, str], list[str]] = {}
    for subscription, period in todo:
        items = digest_items(pools, subscription, now, sent[subscription.id], limit=limit)
        if not items and settings.digest_skip_empty:
            report.empty += 1
            handled.append((subscription.id, period))
            continue
        if dry_run:
            digest, _ = digest_for(settings, tokens, subscription, items, period)
            report.previews.append(
                {
                    "email": subscription.email,
                    "kind": subscription.kind,
                    "period": period,
                    "subject": digest.subject,
                    "papers": [i.paper.id for i in items],
                }
            )
            report.composed += 1
            continue
        outgoing.append(digest_row(settings, tokens, subscription, items, period, now))
        carried[(subscription.id, period)] = [item.paper.id for item in items]
        handled.append((subscription.id, period))
    if dry_run:
        return
    inserted = outbox_queries.enqueue_many(conn, outgoing)
    report.composed += len(inserted)
    report.already += len(outgoing) - len(inserted)
    for subscription_id, period in inserted:
        sent_rows.extend(
            {"subscription_id": subscription_id, "paper_id": paper_id, "period": period}
            for paper_id in carried[(subscription_id, period)]
        )
    queries.record_sent(conn, sent_rows)
    queries.set_last_periods(conn, handled)


def digest_items(
    pools: Pools,
    subscription: Subscription,
    now: datetime,
    already_sent: set[str],
    *,
    limit: int,
) -> list[DigestItem]:
    """The papers of the period ``now`` falls in that this subscription gets, with reasons."""
    until = period_end(subscription, now)
    pool, scores = pools.for_subscription(subscription, until)
    ranked = None
    if subscription.kind == "trending":  # one ranking serves every trending subscription
        ranked = pools.ranked_for(subscription, until)
    return select_items(
        subscription, pool, already_sent, limit=limit, search_scores=scores, ranked=ranked
    )


def deliver(
    settings: Settings,
    store: Store,
    *,
    worker: str | None = None,
    ids: list[int] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DeliveryReport:
    """Send every due message of the outbox (or only ``ids``) and record each outcome.

    ``mail_connections`` senders run side by side, each with its own SMTP connection, each
    claiming its own batches (a relay's replies take longer than our bookkeeping).
    """
    worker = worker or worker_id()
    senders = 1 if ids is not None else settings.mail_connections
    if senders == 1:
        return _deliver_loop(settings, store, worker, ids, clock)
    with ThreadPoolExecutor(max_workers=senders) as pool:
        futures = [
            pool.submit(_deliver_loop, settings, store, f"{worker}/{n}", ids, clock)
            for n in range(senders)
        ]
        reports = [future.result() for future in futures]
    total = DeliveryReport()
    for part in reports:
        total.sent += part.sent
        total.retried += part.retried
        total.failed += part.failed
        total.suppressed += part.suppressed
        total.cancelled += part.cancelled
    return total


def _deliver_loop(
    settings: Settings,
    store: Store,
    worker: str,
    ids: list[int] | None,
    clock: Callable[[], datetime],
) -> DeliveryReport:
    report = DeliveryReport()
    lease = settings.mail_lease_seconds
    sender = sender_address(settings.mail_from)
    with SmtpMailer(settings) as mailer:
        while True:
            claimed_at = clock()
            with store.write() as conn:
                claimed = outbox_queries.claim(
                    conn,
                    worker=worker,
                    now=claimed_at,
                    lease_seconds=lease,
                    limit=CLAIM_BATCH,
                    ids=ids,
                )
            report.cancelled += claimed.cancelled
            rows = claimed.rows
            if not rows:
                return report
            crash_point("after-claim")
            for index, row in enumerate(rows):
                if (clock() - claimed_at).total_seconds() > lease / 2:
                    # Past half the lease: hand the rest back rather than risk a double send.
                    with store.write() as conn:
                        for rest in rows[index:]:
                            outbox_queries.mark_retry(
                                conn, rest["id"], error="lease ran short", next_attempt_at=clock()
                            )
                    break
                _send_one(settings, store, mailer, row, sender, report, clock)


def _send_one(
    settings: Settings,
    store: Store,
    mailer: SmtpMailer,
    row: dict[str, Any],
    sender: str,
    report: DeliveryReport,
    clock: Callable[[], datetime],
) -> None:
    try:
        mailer.send(row["message"], sender=sender, to=row["to_addr"])
    except TemporaryFailure as error:
        with store.write() as conn:
            if row["attempts"] >= settings.mail_max_attempts:
                outbox_queries.mark_failed(conn, row["id"], error=str(error))
                report.failed += 1
            else:
                delay = timedelta(
                    seconds=settings.mail_retry_base_seconds * 2 ** (row["attempts"] - 1)
                )
                outbox_queries.mark_retry(
                    conn,
                    row["id"],
                    error=str(error),
                    next_attempt_at=clock() + min(delay, MAX_RETRY_DELAY),
                )
                report.retried += 1
        return
    except PermanentFailure as error:
        with store.write() as conn:
            outbox_queries.mark_failed(conn, row["id"], error=str(error))
            if outbox_queries.record_permanent_failure(
                conn,
                row["to_addr"],
                error=str(error),
                now=clock(),
                suppress_after=settings.mail_suppress_after,
            ):
                report.suppressed += 1
        report.failed += 1
        return
    crash_point("after-send")
    with store.write() as conn:
        outbox_queries.mark_sent(conn, row["id"], now=clock())
    report.sent += 1


def run_digests(
    settings: Settings,
    store: Store,
    *,
    now: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> tuple[ComposeReport, DeliveryReport]:
    """Compose what is due, then deliver the outbox (nothing is sent on a dry run)."""
    composed = compose_due(settings, store, now=now, force=force, dry_run=dry_run)
    if dry_run:
        return composed, DeliveryReport()
    return composed, deliver(settings, store)
