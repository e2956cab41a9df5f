"""``paperscope worker``: the periodic jobs, round after round.

Jobs (the ``worker_jobs`` setting): ``digests`` composes due digests into the outbox and
delivers the outbox; ``stars`` refreshes GitHub star counts (``paperscope.stars``). A job that
fails is logged and retried next round; the others go on. Several workers may run at once on
PostgreSQL (they claim outbox rows with ``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from paperscope.config import Settings
from paperscope.digests.jobs import run_digests
from paperscope.store import Store

log = logging.getLogger(__name__)
JOBS = ("digests", "stars")


def _digests(
    settings: Settings, store: Store, *, now: datetime | None, force: bool
) -> dict[str, Any]:
    composed, delivered = run_digests(settings, store, now=now, force=force)
    return {"composed": composed.as_dict(), "delivered": delivered.as_dict()}


def _stars(settings: Settings, store: Store, *, now: datetime | None, force: bool) -> Any:
    from paperscope.stars import refresh_stars

    return refresh_stars(store, settings).as_dict()


RUNNERS: dict[str, Callable[..., Any]] = {"digests": _digests, "stars": _stars}


def configured_jobs(settings: Settings) -> list[str]:
    jobs = [j.strip() for j in settings.worker_jobs.split(",") if j.strip()]
    unknown = sorted(set(jobs) - set(JOBS))
    if unknown:
        from paperscope.models import PaperscopeError

        raise PaperscopeError(
            f"unknown worker job(s) {', '.join(unknown)}; known: {', '.join(JOBS)}"
        )
    return jobs


def run_once(
    settings: Settings, store: Store, *, now: datetime | None = None, force: bool = False
) -> dict[str, Any]:
    """One round of every configured job; returns each job's report (or its error)."""
    report: dict[str, Any] = {}
    for job in configured_jobs(settings):
        try:
            report[job] = RUNNERS[job](settings, store, now=now, force=force)
        except Exception as error:  # one failing job must not stop the others
            log.exception("worker job %s failed", job)
            report[job] = {"error": f"{type(error).__name__}: {error}"}
    return report


def run_forever(
    settings: Settings,
    store: Store,
    *,
    stop: threading.Event | None = None,
    on_round: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Run rounds every ``worker_interval_seconds`` until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        report = run_once(settings, store)
        if on_round is not None:
            on_round(report)
        stop.wait(settings.worker_interval_seconds)
