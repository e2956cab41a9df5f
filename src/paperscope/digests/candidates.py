"""The pool of papers a period offers, read once per (frequency, day) and shared by every
subscription that draws from it; saved searches ask the search service.

A period offers the papers listed on the days it covers (``schedule.covered_days``). Author
and category alerts also get the papers published or updated from a week before those days
up to the local date, listed or not, as saved searches do: an arXiv ingest brings papers
with categories that no daily list has.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from paperscope.config import Settings
from paperscope.digests.model import Subscription
from paperscope.digests.schedule import covered_days, welcome_day
from paperscope.digests.select import rank_pool
from paperscope.models import PaperscopeError
from paperscope.store import Store
from paperscope.store import feeds as feed_queries
from paperscope.store import subscriptions as queries

log = logging.getLogger(__name__)
SEARCH_POOL = 50


class Pools:
    """Caches the pools of one compose run (papers do not change under a run's feet)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._listed: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._new: dict[tuple[str, date], list[dict[str, Any]]] = {}
        self._search: dict[tuple[str, date], tuple[list[dict[str, Any]], dict[str, float]]] = {}
        self._service: Any = None
        self._ranked: dict[tuple[str, date], list[tuple[dict[str, Any], Any]]] = {}
        self._listing_days: list[date] | None = None

    def listed(self, frequency: str, until: date) -> list[dict[str, Any]]:
        """Papers listed on the days the period of local date ``until`` covers."""
        key = (frequency, until)
        if key not in self._listed:
            first, last = covered_days(frequency, until)
            with self.store.read() as conn:
                self._listed[key] = queries.listed_between(conn, first, last)
        return self._listed[key]

    def new_papers(self, frequency: str, until: date) -> list[dict[str, Any]]:
        """The pool of author and category alerts: the period's listed papers, then every
        other paper published or updated from a week before its first covered day to
        ``until`` (papers reach arXiv days before a list or an alert sees them)."""
        key = (frequency, until)
        if key not in self._new:
            listed = self.listed(frequency, until)
            seen = {row["id"] for row in listed}
            with self.store.read() as conn:
                recent = queries.published_between(conn, self._since(frequency, until), until)
            self._new[key] = listed + [row for row in recent if row["id"] not in seen]
        return self._new[key]

    @staticmethod
    def _since(frequency: str, until: date) -> date:
        return covered_days(frequency, until)[0] - timedelta(days=7)

    def newest_listing_day(self, before: date) -> date | None:
        """The newest listing day before the local date ``before`` (one read, then cached)."""
        if self._listing_days is None:
            with self.store.read() as conn:
                self._listing_days = sorted(feed_queries.listing_days(conn))
        earlier = [day for day in self._listing_days if day < before]
        return earlier[-1] if earlier else None

    def offered_day(self, subscription: Subscription, until: date) -> date:
        """The local date whose period a subscription's digest offers: ``until``, except for
        a trending subscription's first digest when its period has no list (lists stopped
        arriving, or the demo corpus): then the period of the newest earlier list, so a new
        subscriber gets what /trending shows. Later periods without a list stay empty."""
        if (
            subscription.kind != "trending"
            or subscription.last_period is not None
            or self.listed(subscription.frequency, until)
        ):
            return until
        newest = self.newest_listing_day(before=until)
        return until if newest is None else welcome_day(subscription.frequency, newest)

    def ranked(self, frequency: str, until: date) -> list[tuple[dict[str, Any], Any]]:
        """The period's papers under the trending formula, best first (computed once)."""
        key = (frequency, until)
        if key not in self._ranked:
            self._ranked[key] = rank_pool(self.listed(frequency, until))
        return self._ranked[key]

    def ranked_for(
        self, subscription: Subscription, until: date
    ) -> list[tuple[dict[str, Any], Any]]:
        """The trending ranking of the pool ``for_subscription`` offers a trending
        subscription (shared by every trending subscription offered the same period)."""
        return self.ranked(subscription.frequency, self.offered_day(subscription, until))

    def for_subscription(
        self, subscription: Subscription, until: date
    ) -> tuple[list[dict[str, Any]], dict[str, float] | None]:
        """(pool, search scores) for one subscription's period ending ``until``."""
        if subscription.kind == "trending":
            offered = self.offered_day(subscription, until)
            return self.listed(subscription.frequency, offered), None
        if subscription.kind != "search":
            return self.new_papers(subscription.frequency, until), None
        key = (f"{subscription.frequency}\x00{subscription.query}", until)
        if key not in self._search:
            self._search[key] = self._search_pool(subscription, until)
        return self._search[key]

    def _search_pool(
        self, subscription: Subscription, until: date
    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        since = self._since(subscription.frequency, until)
        service = self._search_service()
        if service is None:
            return self._fallback_search(subscription, until), {}
        from paperscope.search import SearchFilters

        try:
            results = service.search(
                subscription.query or "",
                mode="hybrid",
                filters=SearchFilters(since=since, until=until),
                limit=SEARCH_POOL,
            )
        except Exception:  # a broken index must not stop every other digest
            log.exception("saved search %r failed; matching words instead", subscription.query)
            return self._fallback_search(subscription, until), {}
        scores = {hit.paper_id: float(hit.score) for hit in results.hits}
        with self.store.read() as conn:
            rows = {r["id"]: r for r in queries.papers_by_ids(conn, list(scores))}
        return [rows[pid] for pid in scores if pid in rows], scores

    def _search_service(self) -> Any:
        if self._service is None:
            try:
                from paperscope.search import SearchService
            except ImportError:
                log.warning("paperscope.search is not available; saved searches match words")
                self._service = False
            else:
                self._service = self._open_search(SearchService)
        return self._service or None

    def _open_search(self, service_class: Any) -> Any:
        """The search service, synced when possible. Another process (the web server) may be
        writing the shared index: then search the index as it is."""
        try:
            return service_class(self.settings, self.store)
        except PaperscopeError as error:
            log.warning("search index not synced (%s); searching it as it is", error)
        try:
            return service_class(self.settings, self.store, sync_on_open=False)
        except Exception:
            log.exception("no search index; saved searches match words")
            return False

    def _fallback_search(self, subscription: Subscription, until: date) -> list[dict[str, Any]]:
        """Without the search service: new papers containing every word of the query."""
        words = [w.casefold() for w in (subscription.query or "").split() if w]
        pool = self.new_papers(subscription.frequency, until)
        return [
            row
            for row in pool
            if all(w in f"{row['title']} {row['abstract']}".casefold() for w in words)
        ]
