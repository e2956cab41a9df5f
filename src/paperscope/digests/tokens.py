"""Signed links in mails: confirm (expires), unsubscribe and manage (long-lived).

Each purpose has its own salt, so a token made for one purpose is refused for another. A
token signs the subscription id and its random nonce: the tokens of a deleted subscription
never act on a later one that reuses its id.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

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


class Tokens:
    """Makes and reads the signed tokens of subscription links."""

    def __init__(self, secret: str) -> None:
        self._serializers = {
            purpose: URLSafeTimedSerializer(secret, salt=f"paperscope.subscription.{purpose}")
            for purpose in MAX_AGE
        }

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return self._serializers[purpose]

    def make(self, purpose: Purpose, subscription_id: int, nonce: str) -> str:
        return str(self._serializer(purpose).dumps([subscription_id, nonce]))

    def read(self, purpose: Purpose, token: str) -> tuple[int, str]:
        """(subscription id, nonce) from a token; TokenError when it is not valid."""
        try:
            value = self._serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
        except SignatureExpired as error:
            raise TokenError("this link has expired") from error
        except BadSignature as error:
            raise TokenError("this link is not valid") from error
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
            raise TokenError("this link is not valid")
        return value[0], str(value[1])
