"""Data the community tests share (a module of its own: ``conftest`` is ambiguous to import)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_arxiv import ArxivEntry

PASSWORD = "correct horse battery"


def recent_entry(
    arxiv_id: str = "2611.01234", *, days_ago: int = 2, **fields: object
) -> ArxivEntry:
    values: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "title": "Sparse Attention for Long Documents",
        "abstract": "We make attention sparse and documents long.",
        "published": datetime.now(UTC) - timedelta(days=days_ago),
    }
    values.update(fields)
    return ArxivEntry(**values)  # type: ignore[arg-type]
