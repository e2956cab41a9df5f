"""The Kaggle arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``, JSON Lines)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperscope.models import PaperRecord, Rejected
from paperscope.sources import register
from paperscope.sources.fields import FieldError, parse_one, text, timestamp
from paperscope.sources.lines import json_lines


@register("kaggle")
class KaggleSnapshot:
    """Streams a Kaggle snapshot file (``.gz`` too); old-style ids like ``quant-ph/0602109``."""

    name = "kaggle"

    def __init__(self, path: Path, *, category: str | None = None) -> None:
        self.path = path
        self.category = category

    def records(self) -> Iterator[PaperRecord | Rejected]:
        for origin, item in json_lines(self.path):
            if isinstance(item, Rejected):
                yield item
                continue
            record = parse_one(origin, parse_snapshot_item, item, origin)
            if isinstance(record, Rejected):
                yield record
                continue
            if self.category and not any(
                c == self.category or c.startswith(self.category + ".") for c in record.categories
            ):
                continue
            yield record


def parse_snapshot_item(item: dict[str, Any], origin: str) -> PaperRecord:
    arxiv_id = text(item, "id", required=True)
    versions = item.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise FieldError("versions", "expected a list of {version, created} objects")
    first = versions[0] if versions else {}
    last = versions[-1] if versions else {}
    published = timestamp(first.get("created"), "versions[0].created")
    updated = timestamp(last.get("created"), f"versions[{len(versions) - 1}].created")
    update_date = timestamp(item.get("update_date"), "update_date")
    version = _version_number(last.get("version")) if last else None
    categories = (text(item, "categories") or "").split()
    return PaperRecord(
        source="kaggle",
        origin=origin,
        arxiv_id=arxiv_id,
        version=version,
        title=text(item, "title", required=True) or "",
        abstract=text(item, "abstract") or "",
        authors=_authors(item),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=published,
        updated=updated or update_date,
        doi=text(item, "doi"),
        journal_ref=text(item, "journal-ref"),
        comments=text(item, "comments"),
        license=text(item, "license"),
        submitter=text(item, "submitter"),
    )


def _version_number(value: Any) -> int | None:
    if isinstance(value, str) and value[:1] == "v" and value[1:].isdigit():
        return int(value[1:])
    if value is None:
        return None
    raise FieldError("versions.version", f"expected 'vN', got {value!r}")


def _authors(item: dict[str, Any]) -> list[str]:
    parsed = item.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if (
                not isinstance(parts, list)
                or not parts
                or not all(p is None or isinstance(p, str) for p in parts)
            ):
                raise FieldError("authors_parsed", "expected [last, first, suffix] lists of text")
            last, first, suffix = [*parts, "", "", ""][:3]
            name = " ".join(p.strip() for p in (first, last, suffix) if p and p.strip())
            if name:
                names.append(name)
        return names
    raw = text(item, "authors") or ""
    return [a.strip() for a in raw.replace(" and ", ",").split(",") if a.strip()]
