"""Outbox rows for the two kinds of mail: the confirmation and the digest.

The message is built once, when it is recorded, with its Message-ID; every send attempt then
hands the relay the same bytes.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from paperscope.config import Settings
from paperscope.digests.compose import (
    Digest,
    DigestItem,
    LinkTokens,
    compose_confirmation,
    compose_digest,
)
from paperscope.digests.message import list_id, message_id, render_message
from paperscope.digests.model import Subscription
from paperscope.digests.tokens import Tokens

_CHOICES = ("frequency", "timezone", "hour")


def link_tokens(tokens: Tokens, subscription: Subscription) -> LinkTokens:
    return LinkTokens(
        unsubscribe=tokens.make("unsubscribe", subscription.id, subscription.nonce),
        manage=tokens.make("manage", subscription.id, subscription.nonce),
    )


def unsubscribe_url(settings: Settings, link: LinkTokens) -> str:
    return f"{settings.base_url.rstrip('/')}/u/{link.unsubscribe}"


def digest_for(
    settings: Settings,
    tokens: Tokens,
    subscription: Subscription,
    items: Sequence[DigestItem],
    period: str,
) -> tuple[Digest, LinkTokens]:
    link = link_tokens(tokens, subscription)
    digest = compose_digest(
        subscription,
        items,
        settings.base_url,
        tokens=link,
        period=period,
        site_name=settings.site_name,
    )
    return digest, link


def digest_message(
    settings: Settings,
    tokens: Tokens,
    subscription: Subscription,
    items: Sequence[DigestItem],
    period: str,
    now: datetime,
) -> tuple[Digest, str, bytes]:
    """One subscription's digest for ``period``: the composed mail, its Message-ID and the
    exact bytes the relay receives (list headers included)."""
    digest, link = digest_for(settings, tokens, subscription, items, period)
    msg_id = message_id("digest", subscription.id, period, subscription.nonce, settings.base_url)
    message = render_message(
        digest,
        to=subscription.email,
        mail_from=settings.mail_from,
        msg_id=msg_id,
        date=now,
        unsubscribe_url=unsubscribe_url(settings, link),
        list_id=list_id(subscription.kind, settings.site_name, settings.base_url),
    )
    return digest, msg_id, message


def digest_row(
    settings: Settings,
    tokens: Tokens,
    subscription: Subscription,
    items: Sequence[DigestItem],
    period: str,
    now: datetime,
) -> dict[str, Any]:
    """The outbox values of one subscription's digest for ``period``."""
    digest, msg_id, message = digest_message(settings, tokens, subscription, items, period, now)
    return _row(subscription, "digest", period, digest, message, msg_id, now)


def confirmation_row(
    settings: Settings,
    tokens: Tokens,
    subscription: Subscription,
    now: datetime,
    *,
    requested: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The outbox values of a confirmation mail (each request gets its own period key).

    ``requested`` (frequency, timezone, hour, ...) are the choices of the request this mail
    answers: the mail describes them and its link carries them, to apply when clicked.
    """
    period = f"confirm-{secrets.token_hex(8)}"
    choices = {k: v for k, v in (requested or {}).items() if k in _CHOICES}
    wanted = replace(subscription, **choices)
    mail = compose_confirmation(
        wanted,
        settings.base_url,
        confirm_token=tokens.make(
            "confirm", subscription.id, subscription.nonce, requested=requested
        ),
        site_name=settings.site_name,
    )
    msg_id = message_id("confirm", subscription.id, period, subscription.nonce, settings.base_url)
    message = render_message(
        mail, to=subscription.email, mail_from=settings.mail_from, msg_id=msg_id, date=now
    )
    return _row(subscription, "confirm", period, mail, message, msg_id, now)


def _row(
    subscription: Subscription,
    kind: str,
    period: str,
    mail: Digest,
    message: bytes,
    msg_id: str,
    now: datetime,
) -> dict[str, Any]:
    return {
        "subscription_id": subscription.id,
        "period": period,
        "kind": kind,
        "to_addr": subscription.email,
        "subject": mail.subject,
        "message": message,
        "message_id": msg_id,
        "next_attempt_at": now,
        "created_at": now,
    }
