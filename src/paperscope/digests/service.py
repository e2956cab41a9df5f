"""Subscription services: subscribe (double opt-in, rate limits, no enumeration), confirm,
unsubscribe (one click, idempotent), undo, manage and delete.

Every answer to a subscribe request is the same whether or not the address is known, already
confirmed, suppressed or over its limit; only a client over its own limit is told so.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from paperscope.config import Settings
from paperscope.digests.model import (
    FREQUENCIES,
    Subscription,
    SubscriptionRequest,
    email_hash,
    valid_timezone,
)
from paperscope.digests.outgoing import confirmation_row
from paperscope.digests.tokens import Purpose, TokenError, Tokens, signing_secret
from paperscope.models import PaperscopeError
from paperscope.store import Store
from paperscope.store import outbox as outbox_queries
from paperscope.store import subscriptions as queries

RATE_WINDOW = timedelta(hours=1)
CONFIRMATION_WINDOW = timedelta(days=1)
ATTEMPT_LOG_KEPT = timedelta(days=1)


class RateLimited(PaperscopeError):
    """This client sent too many subscribe requests; it may try again later."""


class SubscriptionConflict(PaperscopeError):
    """The change would duplicate another subscription of the same address."""


@dataclass(slots=True)
class SubscribeOutcome:
    """What a subscribe request did. ``outbox_ids`` are mails to send now (may be empty)."""

    outbox_ids: list[int] = field(default_factory=list)

    message: str = (
        "Thanks! If this address can receive mail, a confirmation link is on its way. "
        "Your subscription starts when you click it."
    )


def tokens_for(settings: Settings) -> Tokens:
    return Tokens(signing_secret(settings))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def subscribe(
    settings: Settings,
    store: Store,
    request: SubscriptionRequest,
    *,
    client: str,
    now: datetime | None = None,
    user_id: int | None = None,
) -> SubscribeOutcome:
    """Record a pending subscription and queue its confirmation mail.

    Raises RateLimited when ``client`` is over its hourly limit. An address over its own
    limits, suppressed, or already confirmed gets no mail, and the caller sees the same
    outcome. A subscription that exists already keeps its status and settings (an
    unsubscribed one stays unsubscribed): the new confirmation link carries this request's
    frequency, timezone and hour, and only clicking it applies them.
    """
    now = _now(now)
    tokens = tokens_for(settings)
    hashed = email_hash(request.email)
    outcome = SubscribeOutcome()
    with store.write() as conn:
        queries.prune_attempts(conn, before=now - ATTEMPT_LOG_KEPT)
        since = now - RATE_WINDOW
        if queries.count_attempts(conn, since=since, client=client) >= (
            settings.subscribe_limit_per_client
        ):
            raise RateLimited("too many subscribe requests from here; try again in an hour")
        address_limited = (
            queries.count_attempts(conn, since=since, email_hash=hashed)
            >= settings.subscribe_limit_per_address
        )
        queries.log_attempt(conn, email_hash=hashed, client=client, now=now)
        row, _created = queries.insert_or_get(
            conn,
            {
                "email": request.email,
                "kind": request.kind,
                "frequency": request.frequency,
                "query": request.query,
                "author": request.author,
                "category": request.category,
                "timezone": request.timezone,
                "hour": request.hour,
                "status": "pending",
                "dedupe_key": request.dedupe_key(),
                "nonce": secrets.token_hex(16),
                "user_id": user_id,
                "created_at": now,
            },
        )
        if row["status"] == "active" or address_limited:
            return outcome
        if outbox_queries.is_suppressed(conn, request.email):
            return outcome
        mailed_today = outbox_queries.count_confirmations(
            conn, request.email, since=now - CONFIRMATION_WINDOW
        )
        if mailed_today >= settings.subscribe_confirmations_per_address_per_day:
            return outcome
        requested = {
            "frequency": request.frequency,
            "timezone": request.timezone,
            "hour": request.hour,
            "after_unsubscribe": _unsubscribe_mark(row),
        }
        message_id = outbox_queries.enqueue(
            conn,
            confirmation_row(
                settings, tokens, Subscription.from_row(row), now, requested=requested
            ),
        )
        if message_id is not None:
            outcome.outbox_ids.append(message_id)
    return outcome


def _subscription_from_token(
    conn_store: Store, tokens: Tokens, purpose: Purpose, token: str
) -> Subscription | None:
    """The subscription a valid token names; None when it was deleted. TokenError if forged."""
    subscription_id, nonce = tokens.read(purpose, token)
    with conn_store.read() as conn:
        row = queries.get(conn, subscription_id)
    if row is None or not secrets.compare_digest(row["nonce"], nonce):
        return None
    return Subscription.from_row(row)


def confirm(
    settings: Settings, store: Store, token: str, *, now: datetime | None = None
) -> Subscription:
    """Activate the subscription a confirmation link names, with the choices of the request
    that link answered (clicking twice is harmless).

    An unsubscribed subscription comes back only through a link made after that unsubscribe:
    an older one (a link scanner's second visit, a stale mail) leaves it unsubscribed.
    """
    link = tokens_for(settings).read_link("confirm", token)
    with store.read() as conn:
        row = queries.get(conn, link.subscription_id)
    if row is None or not secrets.compare_digest(row["nonce"], link.nonce):
        raise TokenError("this subscription no longer exists")
    subscription = Subscription.from_row(row)
    if subscription.status == "active":
        return subscription
    made_after = (link.requested or {}).get("after_unsubscribe")
    if subscription.status == "unsubscribed" and made_after != _unsubscribe_mark(row):
        return subscription
    with store.write() as conn:
        queries.update(
            conn,
            subscription.id,
            status="active",
            confirmed_at=_now(now),
            unsubscribed_at=None,
            **_requested_choices(link.requested),
        )
    return _reload(store, subscription.id) or subscription


def _unsubscribe_mark(row: dict[str, Any]) -> str | None:
    """Which unsubscribe a link was made after (None: the subscription was not unsubscribed)."""
    left = row.get("unsubscribed_at") if row["status"] == "unsubscribed" else None
    return left.isoformat() if left else None


def _requested_choices(requested: dict[str, Any] | None) -> dict[str, Any]:
    """The choices a confirmation link carries, checked as a subscribe request is (the link
    is ours, signed; this guards against a change of the rules since it was made)."""
    if not requested:
        return {}
    out: dict[str, Any] = {}
    if requested.get("frequency") in FREQUENCIES:
        out["frequency"] = requested["frequency"]
    with contextlib.suppress(ValueError):
        out["timezone"] = valid_timezone(str(requested.get("timezone")))
    hour = requested.get("hour")
    if isinstance(hour, int) and 0 <= hour <= 23:
        out["hour"] = hour
    return out


def unsubscribe(
    settings: Settings, store: Store, token: str, *, now: datetime | None = None
) -> Subscription | None:
    """Unsubscribe (one click, idempotent). None when the subscription was already deleted."""
    subscription = _subscription_from_token(store, tokens_for(settings), "unsubscribe", token)
    if subscription is None:
        return None
    if subscription.status != "unsubscribed":
        with store.write() as conn:
            queries.update(conn, subscription.id, status="unsubscribed", unsubscribed_at=_now(now))
    return _reload(store, subscription.id)


def resubscribe(settings: Settings, store: Store, token: str) -> Subscription | None:
    """Undo an unsubscribe made with this link (only a confirmed address can come back so)."""
    subscription = _subscription_from_token(store, tokens_for(settings), "unsubscribe", token)
    if subscription is None:
        return None
    if subscription.status == "unsubscribed":
        with store.write() as conn:
            queries.update(conn, subscription.id, status="active", unsubscribed_at=None)
    return _reload(store, subscription.id)


def peek(settings: Settings, store: Store, purpose: Purpose, token: str) -> Subscription | None:
    """The subscription a link names, without changing anything (for GET pages)."""
    return _subscription_from_token(store, tokens_for(settings), purpose, token)


def manage_overview(
    settings: Settings, store: Store, token: str
) -> tuple[Subscription, list[Subscription]] | None:
    """The subscription a manage link names and every subscription of its address."""
    subscription = peek(settings, store, "manage", token)
    if subscription is None:
        return None
    with store.read() as conn:
        rows = queries.listing(conn, email=subscription.email)
    return subscription, [Subscription.from_row(r) for r in rows]


def update_subscription(
    settings: Settings, store: Store, token: str, change: SubscriptionRequest
) -> Subscription | None:
    """Change kind, target, frequency, timezone and hour of the subscription a manage link
    names. The address stays the one the link was made for."""
    subscription = peek(settings, store, "manage", token)
    if subscription is None:
        return None
    change = change.model_copy(update={"email": subscription.email})
    key = change.dedupe_key()
    with store.write() as conn:
        if queries.dedupe_key_taken(conn, key, other_than=subscription.id):
            raise SubscriptionConflict("this address already has that subscription")
        queries.update(
            conn,
            subscription.id,
            kind=change.kind,
            frequency=change.frequency,
            query=change.query,
            author=change.author,
            category=change.category,
            timezone=change.timezone,
            hour=change.hour,
            dedupe_key=key,
        )
    return _reload(store, subscription.id)


def delete_everything(settings: Settings, store: Store, token: str) -> int:
    """Delete every subscription, mail and log entry stored for the manage link's address.

    A suppression stays (only the address and when it was suppressed): it is what stops
    mail to an address that bounced for good.
    """
    subscription = peek(settings, store, "manage", token)
    if subscription is None:
        return 0
    with store.write() as conn:
        return queries.delete_address(conn, subscription.email, email_hash(subscription.email))


def list_subscriptions(store: Store) -> list[Subscription]:
    with store.read() as conn:
        return [Subscription.from_row(r) for r in queries.listing(conn)]


def account_subscriptions(
    settings: Settings, store: Store, user_id: int
) -> list[tuple[Subscription, str]]:
    """Subscriptions made while signed in to this account, each with its manage token.

    Only those: an account's email address is not proven, so it never grants access to
    subscriptions made for that address by someone else.
    """
    tokens = tokens_for(settings)
    with store.read() as conn:
        rows = queries.listing(conn, user_id=user_id)
    subscriptions = [Subscription.from_row(r) for r in rows]
    return [(s, tokens.make("manage", s.id, s.nonce)) for s in subscriptions]


def _reload(store: Store, subscription_id: int) -> Subscription | None:
    with store.read() as conn:
        row = queries.get(conn, subscription_id)
    return Subscription.from_row(row) if row else None
