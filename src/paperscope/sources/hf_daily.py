"""Hugging Face daily papers: the archived normalized JSONL, and raw ``/api/daily_papers`` items.

Raw items come in every schema variant HF has served (2024: ``paper{id,authors,publishedAt,
title,summary,upvotes}`` + ``mediaUrl``; 2025 adds ``submittedOnDailyBy``, ``githubRepo``,
``projectPage``; 2026 adds ``githubStars`` and ``organization``), and one archived day wraps
the list as ``{"status","date","count","data"}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from paperscope.models import ListingRecord, PaperRecord, Rejected
from paperscope.sources import register
from paperscope.sources.fields import FieldError, count, day, string_list, text, timestamp
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
            try:
                record = parse_archived_item(item, origin)
            except FieldError as error:
                yield Rejected(origin, str(error))
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
            submitted_by=submitter.get("user") if isinstance(submitter, dict) else None,
            upvotes=count(paper.get("upvotes"), "paper.upvotes"),
            num_comments=count(item.get("numComments"), "numComments"),
            organization=(organization.get("fullname") or organization.get("name"))
            if isinstance(organization, dict)
            else None,
            thumbnail=text(item, "thumbnail") or text(item, "mediaUrl"),
        ),
    )


def _optional_count(value: Any, field: str) -> int | None:
    return None if value is None else count(value, field)
