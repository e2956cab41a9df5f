"""A deterministic synthetic corpus in the Kaggle snapshot format, for ingest benchmarks.

Words are drawn from the real abstracts of the demo corpus, so record sizes and text look like
real arXiv metadata. Same seed, same file, byte for byte.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "math.OC", "quant-ph", "hep-th"]
MONTHS = ["Mon, 2 Apr 2007 19:18:42 GMT", "Tue, 24 Jul 2007 20:10:27 GMT"]


def vocabulary() -> list[str]:
    path = files("paperscope") / "demo" / "hf_daily_papers.jsonl.gz"
    words: set[str] = set()
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            words.update(re.findall(r"[A-Za-z][A-Za-z-]{2,}", json.loads(line)["summary"]))
            if number > 3000:
                break
    return sorted(words)


def records(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    words = vocabulary()
    for number in range(count):
        month = 1 + number // 99_999
        arxiv_id = f"{24 + month // 12:02d}{1 + month % 12:02d}.{number % 99_999:05d}"
        versions = rng.randint(1, 3)
        authors = [f"{rng.choice(words).title()} {rng.choice(words).title()}" for _ in range(4)]
        yield {
            "id": arxiv_id,
            "submitter": authors[0],
            "authors": ", ".join(authors),
            "title": " ".join(rng.choices(words, k=rng.randint(6, 14))).capitalize(),
            "comments": f"{rng.randint(8, 40)} pages",
            "journal-ref": None,
            "doi": None,
            "report-no": None,
            "categories": " ".join(rng.sample(CATEGORIES, rng.randint(1, 3))),
            "license": "http://creativecommons.org/licenses/by/4.0/",
            "abstract": "  " + " ".join(rng.choices(words, k=rng.randint(120, 220))) + "\n",
            "versions": [
                {"version": f"v{v + 1}", "created": MONTHS[v % 2]} for v in range(versions)
            ],
            "update_date": "2024-03-01",
            "authors_parsed": [[a.split()[1], a.split()[0], ""] for a in authors],
        }


def write(path: Path, count: int, seed: int = 7) -> Path:
    """Write ``count`` records to ``path`` (JSON Lines), unless an identical file is there."""
    marker = path.with_suffix(path.suffix + f".{count}.{seed}.done")
    if path.exists() and marker.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for item in records(count, seed):
            handle.write(json.dumps(item) + "\n")
    marker.touch()
    return path
