"""Per-app service holders: the search service (one per app, created on first use) and a
short-lived cache for the data behind the busiest pages."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")
log = logging.getLogger("paperscope.web")
SEARCH_SYNC_SECONDS = 30.0
SEARCH_OPEN_WAIT_SECONDS = 60.0
_search_lock = threading.Lock()


class SearchUnavailable(HTTPException):
    def __init__(self, reason: str) -> None:
        super().__init__(status_code=503, detail=f"Search is not available: {reason}")


def search_service(app: FastAPI) -> Any:
    """The app's ``SearchService``, created on first use and kept in step with the store.

    Raises SearchUnavailable (503) when the search stage cannot be loaded.
    """
    with _search_lock:
        service = app.state.search
        if service is None:
            try:
                from paperscope.search import SearchService
            except ImportError as error:  # the search stage is optional at run time
                raise SearchUnavailable(str(error)) from error
            service = _open_search(SearchService, app)
            app.state.search = service
            app.state.search_synced = time.monotonic()
        elif time.monotonic() - getattr(app.state, "search_synced", 0.0) > SEARCH_SYNC_SECONDS:
            # Papers submitted since the last sync become findable within this interval.
            app.state.search_synced = time.monotonic()
            try:
                service.sync()
            except Exception:  # e.g. another worker holds the index writer: answer from
                log.warning(
                    "search index sync failed; answering from the index as it is", exc_info=True
                )
    return service


def _open_search(factory: Any, app: FastAPI) -> Any:
    """Open the search service, waiting while another worker process writes the index."""
    deadline = time.monotonic() + SEARCH_OPEN_WAIT_SECONDS
    while True:
        try:
            return factory(app.state.settings, app.state.store)
        except Exception as error:
            busy = "another process" in str(error) or "LockBusy" in str(error)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


class TTLCache:
    """A small least-recently-used cache whose entries expire after ``seconds``.

    The feed pages read the same few lists over and over; reusing a result for a second or
    two is invisible to readers and spares the store. ``seconds=0`` turns it off.
    """

    def __init__(self, seconds: float, size: int = 256) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, computing it at most once at a time when stale."""
        if self.seconds <= 0:
            return compute()
        found = self._fresh(key)
        if found is not None:
            return found[0]
        with self._key_lock(key):
            # Whoever waited on the lock finds the value its predecessor computed.
            found = self._fresh(key)
            if found is not None:
                return found[0]
            value = compute()
            with self._lock:
                self._entries[key] = (time.monotonic(), value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value

    async def aget(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``get`` for async routes: a fresh value without leaving the event loop, else
        computed in the thread pool (the store's calls block)."""
        found = self._fresh(key) if self.seconds > 0 else None
        if found is not None:
            return found[0]
        return await run_in_threadpool(self.get, key, compute)

    def _fresh(self, key: Hashable) -> tuple[Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and time.monotonic() - found[0] < self.seconds:
                self._entries.move_to_end(key)
                return (found[1],)
        return None

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            lock = self._computing.get(key)
            if lock is None:
                if len(self._computing) > 4 * self.size:
                    self._computing.clear()
                lock = self._computing[key] = threading.Lock()
            return lock

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def feed_cache(app: FastAPI) -> TTLCache:
    cache: TTLCache = app.state.feed_cache
    return cache


class ClearCacheOnWrite:
    """Empty the app's feed cache after any successful non-GET request (a vote, a comment, a
    submission, a hide), so the page a visitor is sent back to shows the change at once.
    Other worker processes catch up within ``feed_cache_seconds``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return

        async def send_and_clear(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                cache = getattr(scope["app"].state, "feed_cache", None)
                if cache is not None:
                    cache.clear()
            await send(message)

        await self.app(scope, receive, send_and_clear)
