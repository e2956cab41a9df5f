"""``paperscope digest preview``: the digest each subscription of an address would get if its
current period were composed now, as the exact message a worker would send (the same papers,
headers, links and Message-ID; only Date and the MIME boundary differ). Nothing is recorded
or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from paperscope.config import Settings
from paperscope.digests.candidates import Pools
from paperscope.digests.compose import Digest
from paperscope.digests.jobs import digest_items
from paperscope.digests.model import Subscription, normalize_email
from paperscope.digests.outgoing import digest_message
from paperscope.digests.schedule import period_end, period_key
from paperscope.digests.service import tokens_for
from paperscope.store import Store
from paperscope.store import outbox as outbox_queries
from paperscope.store import subscriptions as queries


@dataclass(frozen=True, slots=True)
class Preview:
    """One subscription's next digest; ``skipped`` says why a worker would not send it."""

    subscription: Subscription
    period: str
    digest: Digest
    message_id: str
    message: bytes
    skipped: str | None = None


def preview(
    settings: Settings, store: Store, email: str, *, now: datetime | None = None
) -> list[Preview]:
    """The digest of each subscription of ``email`` (but unsubscribed ones) for the period
    ``now`` falls in, oldest subscription first.

    Each says why a worker would send nothing (``skipped``): the subscription is pending,
    the address is suppressed, or the digest is empty (with ``digest_skip_empty``).
    ValueError when ``email`` is not an address.
    """
    now = now or datetime.now(UTC)
    address = normalize_email(email)
    with store.read() as conn:
        rows = queries.listing(conn, email=address)
        suppressed = outbox_queries.is_suppressed(conn, address)
    subscriptions = [Subscription.from_row(r) for r in rows if r["status"] != "unsubscribed"]
    pools = Pools(settings, store)
    tokens = tokens_for(settings)
    out = []
    for subscription in subscriptions:
        pool, _ = pools.for_subscription(subscription, period_end(subscription, now))
        with store.read() as conn:
            sent = queries.sent_ids(conn, [subscription.id], [r["id"] for r in pool])
        items = digest_items(
            pools, subscription, now, sent[subscription.id], limit=settings.digest_max_papers
        )
        period = period_key(subscription, now)
        digest, msg_id, message = digest_message(settings, tokens, subscription, items, period, now)
        skipped = None
        if subscription.status == "pending":
            skipped = "pending: the confirmation link was not clicked"
        elif suppressed:
            skipped = "suppressed: mail to this address bounced for good"
        elif not items and settings.digest_skip_empty:
            skipped = "empty: nothing new this period"
        out.append(Preview(subscription, period, digest, msg_id, message, skipped))
    return out
