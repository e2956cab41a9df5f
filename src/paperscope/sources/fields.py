"""Parsing the fields sources share, with errors that name the field."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ParamSpec, TypeVar

from paperscope.models import MAX_INTEGER, Rejected

T = TypeVar("T")
P = ParamSpec("P")


class FieldError(ValueError):
    """A record's field could not be read; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field!r}: {problem}")
        self.field = field


def text(item: dict[str, Any], field: str, *, required: bool = False) -> str | None:
    value = item.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(field, "missing or empty")
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"expected text, got {type(value).__name__}")
    return value


def timestamp(value: Any, field: str) -> datetime | None:
    """ISO 8601 (``2024-05-24T17:34:15.000Z``, ``2024-05-24``) or RFC 2822, as aware UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"expected a date, got {type(value).__name__}")
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        elif value[:4].isdigit():
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            parsed = parsedate_to_datetime(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        # OverflowError: a year-9999 stamp west of UTC has no UTC value.
        raise FieldError(field, f"impossible date {value!r}") from error


def day(value: Any, field: str) -> date:
    stamp = timestamp(value, field)
    if stamp is None:
        raise FieldError(field, "missing")
    return stamp.date()


def count(value: Any, field: str) -> int:
    """A non-negative count, capped at ``MAX_INTEGER`` so that the store can always keep it."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError(field, f"expected a count, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(field, f"expected a count, got {value!r}")
    try:
        number = int(value)
    except ValueError as error:
        raise FieldError(field, f"expected a count, got {value!r}") from error
    if number < 0:
        raise FieldError(field, f"negative count {number}")
    return min(number, MAX_INTEGER)


def string_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(field, "expected a list of strings")
    return [v for v in value if v.strip()]


def parse_one(
    origin: str, parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | Rejected:
    """``parse(*args)`` for the record at ``origin``: any error rejects that record, not the run.

    A ``FieldError`` names the field; anything else is input the parser never expected, and
    is still only this record's problem.
    """
    try:
        return parse(*args, **kwargs)
    except FieldError as error:
        return Rejected(origin, str(error))
    except Exception as error:
        return Rejected(origin, f"unreadable record ({type(error).__name__}: {error})")
