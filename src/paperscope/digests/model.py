"""What a subscription is, and the rules a subscribe request must follow."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator

Kind = Literal["trending", "search", "author", "category"]
Frequency = Literal["daily", "weekly"]
KINDS: tuple[str, ...] = ("trending", "search", "author", "category")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly")
DEFAULT_TIMEZONE = "UTC"
DEFAULT_HOUR = 7

# Deliberately loose: the confirmation mail is the real test of an address.
_EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]+\.[^@\s<>,;\".]{2,}$")


def normalize_email(value: str) -> str:
    """The address as stored and compared: trimmed and lower-cased; ValueError if malformed."""
    email = value.strip().lower()
    if len(email) > 254 or not email.isascii() or not _EMAIL.match(email) or ".." in email:
        raise ValueError("not a valid email address")
    return email


def email_hash(email: str) -> str:
    """A stable digest of an address, for the rate-limit log (which keeps no addresses)."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown IANA timezone {value!r}") from error
    return value


class SubscriptionRequest(BaseModel):
    """A subscribe request, from the form, the JSON API or account settings."""

    email: str = Field(..., max_length=254, description="Where the digests go.")
    kind: Kind = Field("trending", description="trending | search | author | category.")
    frequency: Frequency = Field("daily", description="daily | weekly.")
    query: str | None = Field(None, max_length=250, description="The saved search (kind search).")
    author: str | None = Field(None, max_length=200, description="Author name (kind author).")
    category: str | None = Field(None, max_length=64, description="e.g. cs.CL (kind category).")
    timezone: str = Field(DEFAULT_TIMEZONE, description="IANA timezone of the send hour.")
    hour: int = Field(DEFAULT_HOUR, ge=0, le=23, description="Local hour to send at (0-23).")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return valid_timezone(value.strip() or DEFAULT_TIMEZONE)

    @field_validator("query", "author", "category")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None

    @model_validator(mode="after")
    def _target(self) -> SubscriptionRequest:
        needed = {"search": "query", "author": "author", "category": "category"}.get(self.kind)
        if needed and not getattr(self, needed):
            raise ValueError(f"a {self.kind} subscription needs a {needed}")
        # Only the field of its own kind is kept, so the dedupe key is the kind's target.
        for name in ("query", "author", "category"):
            if name != needed:
                setattr(self, name, None)
        return self

    @property
    def target(self) -> str | None:
        return self.query or self.author or self.category

    def dedupe_key(self) -> str:
        """One subscription per (address, kind, target)."""
        target = (self.target or "").casefold()
        raw = f"{self.email}\x00{self.kind}\x00{target}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Subscription:
    """A stored subscription, as services and pure functions see it."""

    id: int
    email: str
    kind: str
    frequency: str
    timezone: str
    hour: int
    status: str
    nonce: str
    query: str | None = None
    author: str | None = None
    category: str | None = None
    last_period: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Subscription:
        return cls(
            id=int(row["id"]),
            email=row["email"],
            kind=row["kind"],
            frequency=row["frequency"],
            timezone=row["timezone"],
            hour=int(row["hour"]),
            status=row["status"],
            nonce=row["nonce"],
            query=row.get("query"),
            author=row.get("author"),
            category=row.get("category"),
            last_period=row.get("last_period"),
        )

    @property
    def target(self) -> str | None:
        return self.query or self.author or self.category

    def describe(self) -> str:
        """A short human name: 'daily trending papers', 'weekly papers by Ada Lovelace'."""
        what = {
            "trending": "trending papers",
            "search": f"papers matching “{self.query}”",
            "author": f"papers by {self.author}",
            "category": f"papers in {self.category}",
        }[self.kind]
        return f"{self.frequency} {what}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "kind": self.kind,
            "frequency": self.frequency,
            "query": self.query,
            "author": self.author,
            "category": self.category,
            "timezone": self.timezone,
            "hour": self.hour,
            "status": self.status,
            "last_period": self.last_period,
        }
