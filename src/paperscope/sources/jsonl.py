"""Generic JSON Lines: ``{"title", "abstract", "code_urls"?, "arxiv_id"?, "authors"?, ...}``.

This is the form of the seed page (title + abstract + code urls, no id); ingest derives a
stable id for records without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperscope.models import PaperRecord, Rejected
from paperscope.sources import register
from paperscope.sources.fields import parse_one, string_list, text, timestamp
from paperscope.sources.lines import json_lines


@register("jsonl")
class JsonLinesFile:
    """Any JSON Lines file of papers with at least a title."""

    name = "jsonl"

    def __init__(self, path: Path, *, source: str = "jsonl") -> None:
        self.path = path
        self.source = source

    def records(self) -> Iterator[PaperRecord | Rejected]:
        for origin, item in json_lines(self.path):
            if isinstance(item, Rejected):
                yield item
                continue
            yield parse_one(origin, parse_generic_item, item, origin, self.source)


def parse_generic_item(item: dict[str, Any], origin: str, source: str) -> PaperRecord:
    categories = string_list(item.get("categories"), "categories")
    return PaperRecord(
        source=source,
        origin=origin,
        arxiv_id=text(item, "arxiv_id") or text(item, "id"),
        title=text(item, "title", required=True) or "",
        abstract=text(item, "abstract") or text(item, "summary") or "",
        authors=string_list(item.get("authors"), "authors"),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=timestamp(item.get("published"), "published"),
        updated=timestamp(item.get("updated"), "updated"),
        doi=text(item, "doi"),
        comments=text(item, "comments"),
        code_urls=string_list(item.get("code_urls"), "code_urls"),
        project_page=text(item, "project_page"),
    )
