"""Hugging Face daily papers: the archived normalized JSONL, and raw ``/api/daily_papers`` items.

Raw items come in every schema variant HF has served (2024: ``paper{id,authors,publishedAt,
title,summary,upvotes}`` + ``mediaUrl``; 2025 adds ``submittedOnDailyBy``, ``githubRepo``,
``projectPage``; 2026 adds ``githubStars`` and ``organization``), and one archived day wraps
the list as ``{"status","date","count","data"}``.
"""

from __future__ import annotations

import ast
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from paperscope.config import Settings
from paperscope.models import ListingRecord, PaperRecord, PaperscopeError, Rejected
from paperscope.sources import register
from paperscope.sources.fields import (
    FieldError,
    count,
    day,
    parse_one,
    string_list,
    text,
    timestamp,
)
from paperscope.sources.http import PoliteFetcher
from paperscope.sources.lines import json_lines


@register("hf-daily-file")
class HFDailyFile:
    """The normalized HF daily papers archive: one JSON object per (listing day, paper)."""

    name = "hf-daily-file"

    def __init__(self, path: Path, *, since: date | None = None, until: date | None = None) -> None:
        self.path = path
        self.since = since
        self.until = until

    def records(self) -> Iterator[PaperRecord | Rejected]:
        positions: dict[date, int] = {}
        for origin, item in json_lines(self.path):
            if isinstance(item, Rejected):
                yield item
                continue
            record = parse_one(origin, parse_archived_item, item, origin)
            if isinstance(record, Rejected):
                yield record
                continue
            assert record.listing is not None
            listed = record.listing.listing_date
            if (self.since and listed < self.since) or (self.until and listed > self.until):
                continue
            record.listing.position = positions.get(listed, 0)
            positions[listed] = record.listing.position + 1
            yield record


def parse_archived_item(item: dict[str, Any], origin: str) -> PaperRecord:
    github = text(item, "github_repo")
    return PaperRecord(
        source="hf-daily",
        origin=origin,
        arxiv_id=text(item, "arxiv_id", required=True),
        title=text(item, "title", required=True) or "",
        abstract=text(item, "summary") or "",
        authors=string_list(item.get("authors"), "authors"),
        published=timestamp(item.get("paper_published_at"), "paper_published_at"),
        code_urls=[github] if github else [],
        github_stars=_optional_count(item.get("github_stars"), "github_stars"),
        project_page=text(item, "project_page"),
        listing=ListingRecord(
            listing_date=day(item.get("listing_date"), "listing_date"),
            submitted_by=text(item, "submitted_by"),
            upvotes=count(item.get("upvotes"), "upvotes"),
            num_comments=count(item.get("num_comments"), "num_comments"),
            organization=text(item, "organization"),
            thumbnail=text(item, "thumbnail"),
        ),
    )


def unwrap_daily_payload(payload: Any) -> list[Any]:
    """The item list of a ``/api/daily_papers`` response, in either the bare or wrapped form."""
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return payload["data"]
    if isinstance(payload, list):
        return payload
    raise FieldError("data", "expected a JSON array of items or a {status,date,count,data} object")


def parse_api_item(
    item: dict[str, Any], origin: str, listing_date: date | None, position: int = 0
) -> PaperRecord:
    """One raw ``/api/daily_papers`` item, any schema year, as a record listed on that day."""
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise FieldError("paper", "missing or not an object")
    submitter = paper.get("submittedOnDailyBy") or item.get("submittedBy") or {}
    organization = paper.get("organization") or item.get("organization") or {}
    github = text(paper, "githubRepo")
    listed = listing_date or day(
        paper.get("submittedOnDailyAt") or item.get("publishedAt"), "publishedAt"
    )
    return PaperRecord(
        source="hf-daily",
        origin=origin,
        arxiv_id=text(paper, "id", required=True),
        title=text(item, "title") or text(paper, "title", required=True) or "",
        abstract=text(paper, "summary") or text(item, "summary") or "",
        authors=[
            a["name"] for a in paper.get("authors") or [] if isinstance(a, dict) and a.get("name")
        ],
        published=timestamp(paper.get("publishedAt"), "paper.publishedAt"),
        code_urls=[github] if github else [],
        github_stars=_optional_count(paper.get("githubStars"), "paper.githubStars"),
        project_page=text(paper, "projectPage"),
        listing=ListingRecord(
            listing_date=listed,
            position=position,
            submitted_by=text(submitter, "user") if isinstance(submitter, dict) else None,
            upvotes=count(paper.get("upvotes"), "paper.upvotes"),
            num_comments=count(item.get("numComments"), "numComments"),
            organization=(text(organization, "fullname") or text(organization, "name"))
            if isinstance(organization, dict)
            else None,
            thumbnail=text(item, "thumbnail") or text(item, "mediaUrl"),
        ),
    )


def _optional_count(value: Any, field: str) -> int | None:
    return None if value is None else count(value, field)


@register("hf-daily")
class HFDailyApi:
    """The live ``/api/daily_papers?date=`` feed, one request per listing day (paged if full)."""

    name = "hf-daily"

    def __init__(
        self,
        settings: Settings,
        *,
        since: date,
        until: date | None = None,
        fetcher: PoliteFetcher | None = None,
    ) -> None:
        self.settings = settings
        self.since = since
        self.until = until or since
        if self.until < self.since:
            raise PaperscopeError(f"--until {self.until} is before --since {self.since}")
        self.fetcher = fetcher

    def records(self) -> Iterator[PaperRecord | Rejected]:
        fetcher = self.fetcher or PoliteFetcher(self.settings, delay=self.settings.hf_delay_seconds)
        try:
            listed = self.since
            while listed <= self.until:
                yield from self._day(fetcher, listed)
                listed += timedelta(days=1)
        finally:
            if self.fetcher is None:
                fetcher.close()

    def _day(self, fetcher: PoliteFetcher, listed: date) -> Iterator[PaperRecord | Rejected]:
        url = f"{self.settings.hf_api_url.rstrip('/')}/api/daily_papers"
        limit = self.settings.hf_page_size
        seen: set[str] = set()
        page = 0
        while True:
            params: dict[str, str | int] = {"date": listed.isoformat(), "limit": limit, "p": page}
            response = fetcher.get(url, params)
            origin = f"daily_papers?date={listed.isoformat()}&p={page}"
            try:
                items = unwrap_daily_payload(response.json())
            except (ValueError, FieldError) as error:
                raise PaperscopeError(
                    f"unreadable daily papers page {response.url}: {error}"
                ) from error
            fresh = 0
            for record in parse_api_items(items, origin, listed, start=len(seen)):
                if isinstance(record, PaperRecord) and record.arxiv_id:
                    if record.arxiv_id in seen:
                        continue
                    seen.add(record.arxiv_id)
                    fresh += 1
                yield record
            # A full page may have a next one; an HF that ignores ``p`` repeats the first
            # page, which adds nothing new and ends the loop.
            if len(items) < limit or fresh == 0:
                return
            page += 1


@register("hf-daily-raw-file")
class HFDailyRawFile:
    """An archived raw ``/api/daily_papers`` response on disk: ``YYYY-MM-DD.json`` (``.gz`` too).

    The listing day comes from the wrapper's ``date``, else the file name, else each item.
    """

    name = "hf-daily-raw-file"

    def __init__(self, path: Path, *, since: date | None = None, until: date | None = None) -> None:
        self.path = path
        self.since = since
        self.until = until

    def records(self) -> Iterator[PaperRecord | Rejected]:
        try:
            payload = json.loads(_read_bytes(self.path))
            items = unwrap_daily_payload(payload)
        except (OSError, EOFError, zlib.error, ValueError, FieldError) as error:
            if isinstance(error, FileNotFoundError):
                raise
            yield Rejected(self.path.name, f"unreadable daily papers file: {error}")
            return
        for record in parse_api_items(items, self.path.name, _file_day(self.path, payload)):
            if isinstance(record, PaperRecord) and record.listing:
                listed = record.listing.listing_date
                if (self.since and listed < self.since) or (self.until and listed > self.until):
                    continue
            yield record


def parse_api_items(
    items: list[Any], origin: str, listing_date: date | None, *, start: int = 0
) -> Iterator[PaperRecord | Rejected]:
    """Records for a day's raw items, in list order; a bad item is rejected, the rest go on."""
    position = start
    for index, item in enumerate(items):
        where = f"{origin}#{index}"
        if isinstance(item, str):
            # Some archived days stored each item as a Python repr string.
            try:
                item = ast.literal_eval(item)
            except (ValueError, SyntaxError) as error:
                yield Rejected(where, f"item is text that is not a Python/JSON object: {error}")
                continue
        if not isinstance(item, dict):
            yield Rejected(where, f"expected an object, got {type(item).__name__}")
            continue
        record = parse_one(where, parse_api_item, item, where, listing_date, position)
        yield record
        if isinstance(record, PaperRecord):
            position += 1


_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _file_day(path: Path, payload: Any) -> date | None:
    candidates = []
    if isinstance(payload, dict) and isinstance(payload.get("date"), str):
        candidates.append(payload["date"][:10])
    match = _DAY_IN_NAME.search(path.name)
    if match:
        candidates.append(match.group(1))
    for candidate in candidates:
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as handle:
            return handle.read()
    return path.read_bytes()
