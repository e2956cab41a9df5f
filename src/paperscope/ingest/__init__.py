"""Ingest: normalize what a source yields and upsert it into the store, in batches.

Every bad record is rejected with where it was and why, into a rejects file, while the batch
goes on. Each batch is one transaction, so an interrupted run leaves the store consistent and
a re-run (idempotent) finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from paperscope.ingest.normalize import RecordError, normalize
from paperscope.models import IngestReport, NormalizedPaper, PaperRecord, Rejected
from paperscope.store import Store
from paperscope.store.papers import upsert_batch

__all__ = ["ingest", "ingest_records"]


def ingest(
    store: Store,
    records: Iterable[PaperRecord | Rejected],
    *,
    source_name: str,
    rejects_dir: Path,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest every record; rejected ones go to ``rejects_dir/<source>-<time>.tsv``.

    The rejects file of the run is created when it starts (a long run can be watched) and is
    always the report's ``rejects_file``: with nothing rejected it holds only its header.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    rejects_path = rejects_dir / f"{source_name}-{stamp}.tsv"
    with _RejectsFile(rejects_path) as rejects:
        report = ingest_records(
            store, records, rejects=rejects.write, batch_size=batch_size, on_progress=on_progress
        )
    report.rejects_file = str(rejects_path)
    return report


def ingest_records(
    store: Store,
    records: Iterable[PaperRecord | Rejected],
    *,
    rejects: Callable[[Rejected], None],
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """The ingest loop, with rejections handed to ``rejects``."""
    report = IngestReport()
    batch: list[NormalizedPaper] = []

    def flush() -> None:
        if not batch:
            return
        with store.write() as conn:
            result = upsert_batch(conn, batch)
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.listings += result.listings
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    source = iter(records)
    while True:
        try:
            record = next(source)
        except StopIteration:
            break
        except Exception:
            # The source failed part-way (a network error, a truncated page): keep what it
            # delivered before the failure, then let the caller report the error.
            flush()
            raise
        if isinstance(record, Rejected):
            report.rejected += 1
            rejects(record)
            continue
        try:
            batch.append(normalize(record))
        except Exception as error:
            # A RecordError names the field; anything else is a record of a shape no one
            # expected (a plugin source's bug): still only this record's problem.
            reason = str(error) if isinstance(error, RecordError) else _unexpected(error)
            report.rejected += 1
            rejects(Rejected(record.origin, reason))
            continue
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def _unexpected(error: Exception) -> str:
    return f"unreadable record ({type(error).__name__}: {error})"


class _RejectsFile:
    """A TSV of ``origin<TAB>reason`` with a header line, written as rejections come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def write(self, rejected: Rejected) -> None:
        assert self._handle is not None, "write inside the with block"
        reason = rejected.reason.replace("\t", " ").replace("\n", " ")
        self._handle.write(f"{rejected.origin}\t{reason}\n")
        self._handle.flush()

    def __enter__(self) -> _RejectsFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("w", encoding="utf-8")
        self._handle.write("origin\treason\n")
        self._handle.flush()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._handle is not None:
            self._handle.close()
