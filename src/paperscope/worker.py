"""``paperscope worker``: the periodic jobs, round after round.

Jobs (the ``worker_jobs`` setting), run in the order given: ``hf-daily`` ingests yesterday's
and today's Hugging Face daily lists (UTC), ``arxiv`` ingests today's arXiv announcements in
the ``worker_arxiv_categories`` (the RSS feed), ``embed`` gives papers without a vector one
from the configured embedder (so saved-search alerts and semantic search see them),
``stars`` refreshes GitHub star counts (``paperscope.stars``), ``digests`` composes due
digests into the outbox and delivers it. All but ``digests`` call other services or load a
model, so they run at most every ``worker_slow_jobs_interval_seconds``, together; ``digests``
runs every round. A job that fails is logged and retried later; the others go on. Several
workers may run at once on PostgreSQL (they claim outbox rows with ``FOR UPDATE SKIP
LOCKED``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from paperscope.config import Settings
from paperscope.digests.jobs import run_digests
from paperscope.store import Store

log = logging.getLogger(__name__)
JOBS = ("hf-daily", "arxiv", "embed", "stars", "digests")


def _digests(
    settings: Settings, store: Store, *, now: datetime | None, force: bool
) -> dict[str, Any]:
    composed, delivered = run_digests(settings, store, now=now, force=force)
    return {"composed": composed.as_dict(), "delivered": delivered.as_dict()}


def _stars(settings: Settings, store: Store, *, now: datetime | None, force: bool) -> Any:
    from paperscope.stars import refresh_stars

    return refresh_stars(store, settings).as_dict()


def _ingest(settings: Settings, store: Store, source: Any, source_name: str) -> Any:
    from paperscope.ingest import ingest

    return ingest(
        store,
        source.records(),
        source_name=source_name,
        rejects_dir=settings.rejects_dir,
        batch_size=settings.ingest_batch_size,
    ).as_dict()


def _hf_daily(settings: Settings, store: Store, *, now: datetime | None, force: bool) -> Any:
    from paperscope.sources.hf_daily import HFDailyApi

    day = (now or datetime.now(UTC)).date()
    # Yesterday too: papers are added to a day's list after it starts.
    source = HFDailyApi(settings, since=day - timedelta(days=1), until=day)
    return _ingest(settings, store, source, "hf-daily")


def _arxiv(settings: Settings, store: Store, *, now: datetime | None, force: bool) -> Any:
    from paperscope.sources.arxiv_rss import ArxivRss

    # One request: the day's announcements (new, cross-lists, replacements) of every
    # category. Re-running it the same day changes nothing (ingest is idempotent).
    source = ArxivRss(settings, categories=settings.worker_arxiv_categories)
    return _ingest(settings, store, source, "arxiv-rss")


def _embed(settings: Settings, store: Store, *, now: datetime | None, force: bool) -> Any:
    from paperscope.index.embedder import load_embedder
    from paperscope.index.embeddings import embed_pending

    embedder = load_embedder(settings)
    return embed_pending(store, embedder, batch_size=settings.embedding_batch_size).as_dict()


RUNNERS: dict[str, Callable[..., Any]] = {
    "hf-daily": _hf_daily,
    "arxiv": _arxiv,
    "embed": _embed,
    "stars": _stars,
    "digests": _digests,
}
SLOW_JOBS = frozenset({"hf-daily", "arxiv", "embed", "stars"})


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
    settings: Settings,
    store: Store,
    *,
    now: datetime | None = None,
    force: bool = False,
    skip: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """One round of every configured job (but ``skip``); returns each job's report or error."""
    report: dict[str, Any] = {}
    for job in configured_jobs(settings):
        if job in skip:
            continue
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
    slow_due = 0.0
    while not stop.is_set():
        skip: frozenset[str] = frozenset()
        if time.monotonic() < slow_due:
            skip = SLOW_JOBS
        else:
            slow_due = time.monotonic() + settings.worker_slow_jobs_interval_seconds
        report = run_once(settings, store, skip=skip)
        if on_round is not None:
            on_round(report)
        stop.wait(settings.worker_interval_seconds)
