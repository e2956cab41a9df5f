"""Factories for records and papers: each test builds exactly the data it needs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from paperscope.ingest import ingest_records
from paperscope.models import IngestReport, ListingRecord, PaperRecord, Rejected
from paperscope.store import Store


def record(**fields: Any) -> PaperRecord:
    values: dict[str, Any] = {
        "source": "test",
        "title": "A Study of Things",
        "abstract": "We study things.",
        "origin": "test:1",
        "arxiv_id": "2401.00001",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "published": datetime(2024, 1, 2, tzinfo=UTC),
    }
    values.update(fields)
    return PaperRecord(**values)


def listed(day: str, **fields: Any) -> ListingRecord:
    return ListingRecord(listing_date=date.fromisoformat(day), **fields)


def ingest_list(store: Store, records: list[PaperRecord | Rejected]) -> IngestReport:
    rejected: list[Rejected] = []
    report = ingest_records(store, records, rejects=rejected.append, batch_size=3)
    return report
