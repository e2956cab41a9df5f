"""The bundled demo corpus: HF daily papers 2024-05..2026-08 and one seed page of papers."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path

from paperscope.ingest import ingest
from paperscope.models import IngestReport
from paperscope.sources.hf_daily import HFDailyFile
from paperscope.sources.jsonl import JsonLinesFile
from paperscope.store import Store

DEMO = files("paperscope") / "demo"


def load_demo(
    store: Store,
    *,
    rejects_dir: Path,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, IngestReport]:
    """Load the demo corpus, idempotently. HF papers first, so seed papers merge into them."""
    reports = {}
    with as_file(DEMO / "hf_daily_papers.jsonl.gz") as path:
        reports["hf_daily_papers"] = ingest(
            store,
            HFDailyFile(path).records(),
            source_name="demo-hf",
            rejects_dir=rejects_dir,
            batch_size=batch_size,
            on_progress=on_progress,
        )
    with as_file(DEMO / "seed_page.jsonl") as path:
        reports["seed_page"] = ingest(
            store,
            JsonLinesFile(path, source="seed-page").records(),
            source_name="demo-seed",
            rejects_dir=rejects_dir,
            batch_size=batch_size,
            on_progress=on_progress,
        )
    return reports
