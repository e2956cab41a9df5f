"""Rate limits on log-in, sign-up, submit, vote and comment: fixed windows kept in the store.

A limit is written ``N/unit`` (``10/minute``). Counting in the store, not in process memory,
makes a limit hold across ``serve --workers N`` and across app servers sharing PostgreSQL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from paperscope.community import RateLimited
from paperscope.store import Store
from paperscope.store import accounts as queries

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_ACTIONS = {
    "login": "log-in attempts",
    "signup": "sign-ups",
    "submit": "submissions",
    "vote": "votes",
    "comment": "comments",
}


@dataclass(frozen=True, slots=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/minute"`` -> ``Rate(10, 60)``."""
        count, _, unit = text.partition("/")
        if unit not in UNITS or not count.isdigit():
            raise ValueError(f"a rate is N/second|minute|hour|day, not {text!r}")
        return cls(int(count), UNITS[unit])

    def describe(self) -> str:
        unit = next(name for name, seconds in UNITS.items() if seconds == self.seconds)
        return f"{self.limit} per {unit}"


def check(store: Store, *, bucket: str, subject: str, rate: str, now: float | None = None) -> None:
    """Count one attempt of ``bucket`` by ``subject``; raise ``RateLimited`` past the limit."""
    parsed = Rate.parse(rate)
    moment = time.time() if now is None else now
    window_start = int(moment // parsed.seconds) * parsed.seconds
    with store.write() as conn:
        hits = queries.count_hit(
            conn, bucket=bucket, subject=subject[:255], window_start=window_start
        )
        if hits == 1:  # the first hit of a window clears windows that ended a day ago
            queries.prune_hits(
                conn, bucket=bucket, before=window_start - max(parsed.seconds, 86400)
            )
    if hits > parsed.limit:
        retry_after = max(1, int(window_start + parsed.seconds - moment))
        action = _ACTIONS.get(bucket, bucket)
        raise RateLimited(
            f"Too many {action}: the limit is {parsed.describe()}. "
            f"Try again in {_duration(retry_after)}.",
            retry_after=retry_after,
        )


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"
