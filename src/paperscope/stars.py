"""Refresh GitHub star counts of papers' code repositories (``paperscope stars refresh``).

Asks GitHub's REST API ``GET {github_api_url}/repos/{owner}/{repo}`` for ``stargazers_count``
and keeps every answer as a snapshot, so trending can measure star growth over time. It
honours GitHub's rate limits: it stops when ``X-RateLimit-Remaining`` reaches 0 (reporting
``X-RateLimit-Reset``), and waits out a short ``Retry-After``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from paperscope.config import Settings
from paperscope.store import Store
from paperscope.store import stars as queries

GITHUB_REPO = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
LONGEST_WAIT_SECONDS = 60.0


@dataclass(slots=True)
class StarsReport:
    """What one refresh did."""

    checked: int = 0
    updated: int = 0
    missing: int = 0
    failed: int = 0
    rate_limited_until: datetime | None = None

    def as_dict(self) -> dict[str, int | str | None]:
        until = self.rate_limited_until
        return {
            "checked": self.checked,
            "updated": self.updated,
            "missing": self.missing,
            "failed": self.failed,
            "rate_limited_until": until.isoformat() if until else None,
        }


class RateLimited(Exception):
    def __init__(self, until: datetime | None) -> None:
        super().__init__(f"GitHub rate limit reached until {until}")
        self.until = until


def parse_github_repo(url: str) -> tuple[str, str] | None:
    """``(owner, repo)`` of a GitHub repository URL, or None."""
    match = GITHUB_REPO.match(url.strip())
    return (match[1], match[2]) if match else None


def _reset_time(response: httpx.Response) -> datetime | None:
    reset = response.headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        return datetime.fromtimestamp(int(reset), UTC)
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def fetch_stars(
    client: httpx.Client,
    api_url: str,
    owner: str,
    repo: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int | None:
    """The repository's star count; None when it does not exist (404/451).

    Raises RateLimited when GitHub says to stop, httpx.HTTPError on other failures.
    """
    url = f"{api_url.rstrip('/')}/repos/{owner}/{repo}"
    for _attempt in range(2):
        response = client.get(url)
        if response.status_code in (403, 429):
            wait = _retry_after(response)
            if wait is not None and wait <= LONGEST_WAIT_SECONDS:
                sleep(wait)
                continue
            raise RateLimited(_reset_time(response))
        if response.status_code in (404, 451):
            return None
        response.raise_for_status()
        stars = int(response.json()["stargazers_count"])
        if response.headers.get("X-RateLimit-Remaining") == "0":
            # This answer counts; the next request would be refused, so stop after it.
            raise _LastAnswer(stars, _reset_time(response))
        return stars
    raise RateLimited(None)


class _LastAnswer(Exception):
    def __init__(self, stars: int, until: datetime | None) -> None:
        super().__init__("rate limit exhausted")
        self.stars = stars
        self.until = until


def refresh_stars(
    store: Store,
    settings: Settings,
    *,
    limit: int | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> StarsReport:
    """Ask GitHub about the least recently checked repositories and record their stars."""
    report = StarsReport()
    with store.read() as conn:
        urls = queries.repos_to_check(conn, limit=limit or settings.stars_refresh_batch)
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": settings.user_agent,
    }
    if settings.github_token:
        headers["Authorization"] = f"Bearer {settings.github_token}"
    own_client = client is None
    http = client or httpx.Client(headers=headers, timeout=settings.http_timeout_seconds)
    if not own_client:
        http.headers.update(headers)
    try:
        for url in urls:
            parsed = parse_github_repo(url)
            now = datetime.now(UTC)
            if parsed is None:
                with store.write() as conn:
                    queries.mark_checked(conn, url, now)
                report.missing += 1
                continue
            stop_until: datetime | None = None
            try:
                stars = fetch_stars(http, settings.github_api_url, *parsed, sleep=sleep)
            except _LastAnswer as last:
                stars, stop_until = last.stars, last.until or now
            except RateLimited as limited:
                report.rate_limited_until = limited.until or now
                break
            except (httpx.HTTPError, KeyError, ValueError):
                report.failed += 1
                continue
            report.checked += 1
            with store.write() as conn:
                if stars is None:
                    queries.mark_checked(conn, url, now)
                    report.missing += 1
                elif queries.record_stars(conn, url, stars, now):
                    report.updated += 1
            if stop_until is not None:
                report.rate_limited_until = stop_until
                break
    finally:
        if own_client:
            http.close()
    return report
