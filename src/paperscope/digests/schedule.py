"""When a subscription is due (pure): its IANA timezone, local hour, frequency, and the
last period it was sent.

A period is named by a key in the subscriber's local calendar: the local date for daily
digests (``2026-11-30``), the ISO week for weekly ones (``2026-W49``). A period is sent at most
once (the outbox's unique key). Daily digests go out Monday to Friday only: arXiv makes no
announcements on weekends, so a Saturday or Sunday digest would repeat Friday's. A weekly
digest is due from Monday at the local hour until the week ends, so a worker that was down on
Monday still sends it later in the week.

What a period's digest covers is fixed by its frequency and local date alone
(``covered_days``): a daily digest the listing days since the previous weekday, up to
yesterday; a weekly digest the previous ISO week. Consecutive periods cover days that do not
overlap, so a period with no new list has nothing to send, however many papers an older list
had left over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from paperscope.digests.model import Subscription


def local_time(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def period_key(subscription: Subscription, now: datetime) -> str:
    """The key of the period ``now`` falls in, in the subscriber's timezone."""
    local = local_time(now, subscription.timezone)
    if subscription.frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def period_end(subscription: Subscription, now: datetime) -> date:
    """The last local day whose papers this period's digest may include (today, local)."""
    return local_time(now, subscription.timezone).date()


def is_due(subscription: Subscription, now: datetime, *, force: bool = False) -> bool:
    """Whether this subscription's current period should be sent at ``now``.

    ``force`` ignores the hour and the weekday (``digest run --now``) but still sends a period
    only once.
    """
    if subscription.status != "active":
        return False
    if subscription.last_period == period_key(subscription, now):
        return False
    if force:
        return True
    local = local_time(now, subscription.timezone)
    if subscription.frequency == "weekly":
        return local.weekday() > 0 or local.hour >= subscription.hour
    return local.weekday() < 5 and local.hour >= subscription.hour


def due_subscriptions(
    subscriptions: Iterable[Subscription], now: datetime, *, force: bool = False
) -> list[tuple[Subscription, str]]:
    """The subscriptions due at ``now``, each with the key of the period to send."""
    return [(s, period_key(s, now)) for s in subscriptions if is_due(s, now, force=force)]


def covered_days(frequency: str, local_day: date) -> tuple[date, date]:
    """The first and last listing day (inclusive) whose papers the period of ``local_day``
    offers.

    Daily: from the previous weekday to yesterday: Tuesday's digest has Monday's list,
    Monday's has Friday's and the weekend's. A day's list grows during the day, so a digest
    sent in the morning offers the finished lists before it rather than today's first few
    papers (in Tokyo, 07:00 comes before the UTC day's list has begun). Weekly: the
    previous ISO week, Monday to Sunday.
    """
    if frequency == "weekly":
        first = local_day - timedelta(days=local_day.weekday() + 7)
        return first, first + timedelta(days=6)
    first = local_day - timedelta(days=1)
    while first.weekday() >= 5:
        first -= timedelta(days=1)
    return first, local_day - timedelta(days=1)


def welcome_day(frequency: str, newest_listing_day: date) -> date:
    """The local date whose period covers ``newest_listing_day`` (see ``covered_days``)."""
    if frequency == "weekly":  # the Monday after that day's ISO week
        return newest_listing_day + timedelta(days=7 - newest_listing_day.weekday())
    return newest_listing_day + timedelta(days=1)
