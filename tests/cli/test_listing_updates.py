"""Re-ingesting a day whose upvotes or stars moved reports those papers as updated."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

from support import SHARED_DATA, run_cli

HF_PAPERS = SHARED_DATA / "hf_daily_papers" / "papers.jsonl.gz"


def hf_items(start: int, n: int) -> list[dict]:
    with gzip.open(HF_PAPERS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in itertools.islice(lines, start, start + n)]


def ingest(env, path: Path, items: list[dict]) -> dict:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return json.loads(run_cli(env, "ingest", "hf-daily-file", str(path), "--json").stdout)


def counts(report: dict) -> tuple[int, int, int]:
    return report["new"], report["updated"], report["unchanged"]


def stats(env) -> dict:
    return json.loads(run_cli(env, "stats", "--json").stdout)


def test_listing_and_star_changes_count_as_updated(cli_env, tmp_path: Path):
    items = hf_items(2654, 6)  # 2025-03-04, two of them with a GitHub repo
    path = tmp_path / "day.jsonl"
    assert counts(ingest(cli_env, path, items)) == (6, 0, 0)
    assert counts(ingest(cli_env, path, items)) == (0, 0, 6)
    seq = stats(cli_env)["change_seq"]

    items[1]["upvotes"] += 10
    items[3]["num_comments"] += 1
    starred = next(i for i, item in enumerate(items) if item["github_repo"])
    items[starred]["github_stars"] = (items[starred]["github_stars"] or 0) + 100
    moved = {1, 3, starred}
    report = ingest(cli_env, path, items)
    assert counts(report) == (0, len(moved), 6 - len(moved))
    assert report["listings"] == 0  # no new listing: the same days, new figures
    shown = json.loads(run_cli(cli_env, "papers", "show", items[1]["arxiv_id"], "--json").stdout)
    assert shown["listings"][0]["imported_upvotes"] == items[1]["upvotes"]
    # The search index and the embeddings hold neither upvotes nor stars: nothing to re-do.
    assert stats(cli_env)["change_seq"] == seq
    assert counts(ingest(cli_env, path, items)) == (0, 0, 6)
