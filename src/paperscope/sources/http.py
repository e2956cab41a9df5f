"""One polite HTTP fetcher for every network source.

arXiv asks for 3 s between API calls and 10 s between OAI-PMH pages, answers ``503`` with a
``Retry-After`` when a harvester is too fast, and both arXiv and Hugging Face have transient
5xx and connection resets. ``PoliteFetcher`` keeps those rules in one place: a delay between
calls, retries with exponential backoff, ``Retry-After`` honoured (seconds or an HTTP date),
and one clear ``PaperscopeError`` naming the URL when it finally gives up.

The sleep and the clock are injectable so that tests run the same client against a local
server without waiting; everything else is the live code path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from paperscope import __version__
from paperscope.config import Settings
from paperscope.models import PaperscopeError

# Statuses worth another try: throttling and the server's own trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 60.0

Params = Mapping[str, str | int]


class PoliteFetcher:
    """GET with a politeness delay, retries with backoff and ``Retry-After``; a context manager.

    ``delay`` is the minimum time between the end of one request and the start of the next;
    ``retries`` and ``max_retry_after`` default to the settings (a caller with a user waiting
    passes smaller ones).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        delay: float,
        retries: int | None = None,
        max_retry_after: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.delay = delay
        self.retries = settings.http_retries if retries is None else retries
        self.max_retry_after = (
            settings.http_max_retry_after_seconds if max_retry_after is None else max_retry_after
        )
        self.sleep = sleep
        self.clock = clock
        self.now = now
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent or f"paperscope/{__version__}"},
            timeout=settings.http_timeout_seconds,
            follow_redirects=True,
        )
        self._last_call: float | None = None

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, params: Params | None = None) -> httpx.Response:
        """The successful (2xx) response, after as many retries as the settings allow.

        Raises ``PaperscopeError`` naming the URL on a 4xx other than 429, and when retries run
        out on connection errors, 429 or 5xx.
        """
        shown = str(httpx.URL(url, params=dict(params or {})))
        wait = 0.0
        problem = ""
        for attempt in range(self.retries + 1):
            self._pause(wait)
            try:
                response = self.client.get(url, params=dict(params or {}))
                # Read the whole body here, so a connection cut mid-body counts as a failure.
                response.read()
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                wait = self._backoff(attempt)
                continue
            finally:
                self._last_call = self.clock()
            if response.is_success:
                return response
            problem = f"HTTP {response.status_code}"
            if response.status_code not in RETRY_STATUSES:
                raise PaperscopeError(f"GET {shown} failed: {problem} {_snippet(response)}")
            asked = self._retry_after(response, shown)
            wait = self._backoff(attempt) if asked is None else asked
        raise PaperscopeError(
            f"GET {shown} failed after {self.retries + 1} attempts: {problem}".rstrip()
        )

    def get_xml(self, url: str, params: Params | None = None, *, what: str) -> Element:
        """GET and parse an XML body safely; a truncated or malformed body names ``what``."""
        response = self.get(url, params)
        return parse_xml(response.content, what=f"{what} ({response.url})")

    def _pause(self, wait: float) -> None:
        """Sleep for the retry wait or what is left of the politeness delay, whichever is longer."""
        remaining = 0.0
        if self._last_call is not None:
            remaining = self.delay - (self.clock() - self._last_call)
        pause = max(wait, remaining)
        if pause > 0:
            self.sleep(pause)

    def _backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF_SECONDS, 2.0**attempt)

    def _retry_after(self, response: httpx.Response, shown: str) -> float | None:
        """Seconds the server asked us to wait, or None when it did not say."""
        header = response.headers.get("Retry-After")
        if not header:
            return None
        header = header.strip()
        if header.isdigit():
            seconds = float(header)
        else:
            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = max(0.0, (when - self.now()).total_seconds())
        if seconds > self.max_retry_after:
            raise PaperscopeError(
                f"GET {shown}: the server asks to retry after {seconds:.0f} s (HTTP "
                f"{response.status_code}), more than http_max_retry_after_seconds="
                f"{self.max_retry_after:.0f}; try again later"
            )
        return seconds


def parse_xml(body: bytes, *, what: str) -> Element:
    """Parse XML with defusedxml (no entity expansion, no external entities)."""
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        # An error on the body's last line means the document stopped early: a cut transfer.
        line = error.position[0] if error.position else 0
        ends_early = "no element found" in str(error) or line >= body.count(b"\n") + 1
        problem = "truncated XML" if ends_early else "malformed XML"
        raise PaperscopeError(f"{problem} in {what}: {error}") from error
    except DefusedXmlException as error:
        raise PaperscopeError(f"refused unsafe XML in {what}: {error}") from error


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())[:160]
    return f"({text})" if text else ""
