"""Signed links in mails: confirm (expires), unsubscribe and manage (long-lived).

Each purpose has its own salt, so a token made for one purpose is refused for another. A
token signs the subscription id and its random nonce: the tokens of a deleted subscription
never act on a later one that reuses its id. A confirmation token also signs the choices of
the request it answers (frequency, timezone, hour), which the click then applies, and the
state it was made in (which unsubscribe, if any), so an older link cannot undo a newer
unsubscribe.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from paperscope.config import Settings

Purpose = Literal["confirm", "unsubscribe", "manage"]
CONFIRM_MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_AGE: dict[str, int | None] = {
    "confirm": CONFIRM_MAX_AGE_SECONDS,
    "unsubscribe": None,
    "manage": None,
}


class TokenError(Exception):
    """A link that is forged, for another purpose, or (confirm links) expired."""


def signing_secret(settings: Settings) -> str:
    """``secret_key``, else the key generated once into ``<data_dir>/secret_key``."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True, slots=True)
class SignedLink:
    """What a valid token says."""

    subscription_id: int
    nonce: str
    requested: dict[str, Any] | None = None


class Tokens:
    """Makes and reads the signed tokens of subscription links."""

    def __init__(self, secret: str) -> None:
        self._serializers = {
            purpose: URLSafeTimedSerializer(secret, salt=f"paperscope.subscription.{purpose}")
            for purpose in MAX_AGE
        }

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return self._serializers[purpose]

    def make(
        self,
        purpose: Purpose,
        subscription_id: int,
        nonce: str,
        *,
        requested: dict[str, Any] | None = None,
    ) -> str:
        value: list[Any] = [subscription_id, nonce]
        if requested is not None:
            value.append(requested)
        return str(self._serializer(purpose).dumps(value))

    def read(self, purpose: Purpose, token: str) -> tuple[int, str]:
        """(subscription id, nonce) from a token; TokenError when it is not valid."""
        link = self.read_link(purpose, token)
        return link.subscription_id, link.nonce

    def read_link(self, purpose: Purpose, token: str) -> SignedLink:
        """Everything a token signs; TokenError when it is not valid."""
        try:
            value = self._serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
        except SignatureExpired as error:
            raise TokenError("this link has expired") from error
        except BadSignature as error:
            raise TokenError("this link is not valid") from error
        if not (
            isinstance(value, list)
            and len(value) in (2, 3)
            and isinstance(value[0], int)
            and (len(value) == 2 or isinstance(value[2], dict))
        ):
            raise TokenError("this link is not valid")
        requested = value[2] if len(value) == 3 else None
        return SignedLink(value[0], str(value[1]), requested)
