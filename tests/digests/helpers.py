"""Helpers the digest tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage

# Wednesday 2024-01-10, 08:00 UTC: a daily digest at 07:00 UTC is due.
WEDNESDAY_8AM = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)


def link(message: EmailMessage, pattern: str) -> str:
    """The first URL path in the plain-text part that matches ``pattern`` (a regex)."""
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(pattern, text)
    assert found, f"no link like {pattern!r} in:\n{text}"
    return found.group(0)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]
