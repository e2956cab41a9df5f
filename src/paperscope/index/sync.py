"""Keep the lexical index in step with the store by following the papers' change sequence.

Every paper write takes the next ``papers.seq`` values in commit order. The index remembers the
highest value it has applied (the *watermark*, a small file beside the index, written only after
the index commit). On open it applies ``WHERE seq > watermark``; each paper is replaced by id
(delete, then add), so replaying a batch after a crash never duplicates a paper. Hidden papers
and papers that left the store (folded into their arXiv twin, recorded with their own ``seq``)
are deleted from the index. With PostgreSQL as the store, every app server keeps its own index
and follows the same sequence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from paperscope.index.lexical import SCHEMA_VERSION, IndexedPaper, LexicalIndex
from paperscope.store import Store
from paperscope.store.search import (
    count_changed_since,
    count_searchable,
    last_change_seq,
    papers_changed_since,
)


@dataclass(slots=True)
class SyncReport:
    """What one catch-up did."""

    indexed: int = 0
    removed: int = 0
    watermark: int = 0
    rebuilt: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


@dataclass(slots=True)
class IndexStatus:
    """How the index compares with the store."""

    path: str
    documents: int
    watermark: int
    store_seq: int
    store_papers: int
    pending: int

    @property
    def in_sync(self) -> bool:
        return self.pending == 0 and self.documents == self.store_papers

    def as_dict(self) -> dict[str, int | str | bool]:
        return {**asdict(self), "in_sync": self.in_sync}


class LexicalSync:
    """The lexical index at ``<index_dir>/lexical`` and its watermark file."""

    def __init__(
        self, store: Store, index_dir: Path, *, batch_size: int = 5000, title_boost: float = 0.25
    ) -> None:
        self.store = store
        self.index_dir = index_dir
        self.batch_size = batch_size
        self.title_boost = title_boost
        self.lexical_path = index_dir / "lexical"
        self.watermark_path = index_dir / "lexical.watermark.json"
        index_dir.mkdir(parents=True, exist_ok=True)
        self.needs_rebuild = not self._watermark_is_valid()
        if self.needs_rebuild:
            self._reset()
        self.index = LexicalIndex(self.lexical_path, title_boost=title_boost)

    # -- the watermark -------------------------------------------------------------------

    def watermark(self) -> int:
        try:
            data = json.loads(self.watermark_path.read_text())
        except (OSError, ValueError):
            return 0
        return int(data.get("seq", 0))

    def _write_watermark(self, seq: int) -> None:
        """Atomically replace the watermark file (write, fsync, rename)."""
        temporary = self.watermark_path.with_suffix(".tmp")
        with temporary.open("w") as handle:
            json.dump({"seq": seq, "schema_version": SCHEMA_VERSION}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.watermark_path)

    def _watermark_is_valid(self) -> bool:
        try:
            data = json.loads(self.watermark_path.read_text())
        except (OSError, ValueError):
            return False
        if data.get("schema_version") != SCHEMA_VERSION or not self.lexical_path.exists():
            return False
        with self.store.read() as conn:
            # A store that is behind the watermark was replaced: the index describes another.
            return int(data.get("seq", 0)) <= last_change_seq(conn)

    def _reset(self) -> None:
        # The watermark goes first: a crash after it leaves "rebuild from 0", never an empty
        # index that claims to be current.
        self._write_watermark(0)
        LexicalIndex.create_empty(self.lexical_path, title_boost=self.title_boost)

    # -- following the store -------------------------------------------------------------

    def pending(self) -> int:
        with self.store.read() as conn:
            return count_changed_since(conn, self.watermark())

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Apply every paper change after the watermark, one committed batch at a time."""
        report = SyncReport(watermark=self.watermark(), rebuilt=self.needs_rebuild)
        while True:
            with self.store.read() as conn:
                batch = papers_changed_since(conn, report.watermark, limit=self.batch_size)
            if not batch:
                break
            visible = [p for p in batch if not (p.hidden or p.removed)]
            gone = [p.id for p in batch if p.hidden or p.removed]
            report.indexed += self.index.upsert(
                IndexedPaper(
                    id=p.id,
                    title=p.title,
                    abstract=p.abstract,
                    authors=p.authors,
                    categories=p.categories,
                    published=p.published,
                    has_code=p.has_code,
                )
                for p in visible
            )
            self.index.delete(gone)
            report.removed += len(gone)
            self.index.commit()
            report.watermark = batch[-1].seq
            self._write_watermark(report.watermark)
            if on_progress:
                on_progress(len(batch))
        self.needs_rebuild = False
        return report

    def rebuild(self, on_progress: Callable[[int], None] | None = None) -> SyncReport:
        """Drop the index and build it again from the store."""
        self._reset()
        self.index = LexicalIndex(self.lexical_path, title_boost=self.title_boost)
        self.needs_rebuild = True
        return self.catch_up(on_progress)

    def status(self) -> IndexStatus:
        watermark = self.watermark()
        with self.store.read() as conn:
            store_seq = last_change_seq(conn)
            store_papers = count_searchable(conn)
            pending = count_changed_since(conn, watermark)
        return IndexStatus(
            path=str(self.lexical_path),
            documents=self.index.count(),
            watermark=watermark,
            store_seq=store_seq,
            store_papers=store_papers,
            pending=pending,
        )
