"""One malformed field rejects its record, never the run: the rest of the file is ingested."""

from __future__ import annotations

import json
from pathlib import Path

from support import SHARED_DATA, run_cli

KAGGLE_SAMPLE = SHARED_DATA / "arxiv_kaggle_sample" / "arxiv-metadata-oai-snapshot.first200.jsonl"
MAX_INTEGER = 2**31 - 1


def kaggle_items(n: int) -> list[dict]:
    return [json.loads(line) for line in KAGGLE_SAMPLE.read_text().splitlines()[:n]]


def rejects_of(report: dict) -> dict[str, str]:
    lines = Path(report["rejects_file"]).read_text().splitlines()[1:]
    return dict(line.split("\t", 1) for line in lines)


def show(env, paper_id: str) -> dict:
    return json.loads(run_cli(env, "papers", "show", paper_id, "--json").stdout)


def test_kaggle_fields_of_the_wrong_shape_reject_only_their_line(cli_env, tmp_path: Path):
    items = kaggle_items(5)
    items[1]["versions"] = ["v1"]
    items[2]["authors_parsed"] = [[1, "x", ""]]
    items[4]["versions"] = [{"version": "v1", "created": "Fri, 31 Dec 9999 23:59:59 -0100"}]
    path = tmp_path / "snapshot.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items))

    done = run_cli(cli_env, "ingest", "kaggle", str(path), "--json")
    report = json.loads(done.stdout)
    assert (report["new"], report["rejected"]) == (2, 3)
    reasons = rejects_of(report)
    assert sorted(reasons) == ["snapshot.jsonl:2", "snapshot.jsonl:3", "snapshot.jsonl:5"]
    assert reasons["snapshot.jsonl:2"].startswith("field 'versions'")
    assert reasons["snapshot.jsonl:3"].startswith("field 'authors_parsed'")
    assert reasons["snapshot.jsonl:5"].startswith("field 'versions[0].created'")
    assert show(cli_env, items[3]["id"])["title"]


def hf_line(arxiv_id: str, **fields: object) -> str:
    item = {
        "listing_date": "2024-05-27",
        "arxiv_id": arxiv_id,
        "title": f"Paper {arxiv_id}",
        "summary": "An abstract.",
        "upvotes": 3,
        "github_repo": f"https://github.com/lab/p{arxiv_id[-1]}",
    }
    item.update(fields)
    return json.dumps(item)  # allow_nan: writes Infinity as JSON's non-standard literal


def test_impossible_counts_are_rejected_or_capped_and_the_batch_goes_on(cli_env, tmp_path: Path):
    path = tmp_path / "daily.jsonl"
    path.write_text(
        "\n".join(
            [
                hf_line("2405.00001"),
                hf_line("2405.00002", upvotes=float("inf")),
                hf_line("2405.00003", upvotes=1e300),
                hf_line("2405.00004", github_stars=1e300),
                hf_line("2405.00005", num_comments=-1),
            ]
        )
        + "\n"
    )
    report = json.loads(run_cli(cli_env, "ingest", "hf-daily-file", str(path), "--json").stdout)
    assert (report["new"], report["rejected"]) == (3, 2)
    reasons = rejects_of(report)
    assert reasons["daily.jsonl:2"] == "field 'upvotes': expected a count, got inf"
    assert reasons["daily.jsonl:5"].startswith("field 'num_comments'")
    assert show(cli_env, "2405.00003")["listings"][0]["imported_upvotes"] == MAX_INTEGER
    assert show(cli_env, "2405.00004")["code_repos"][0]["stars"] == MAX_INTEGER
    assert json.loads(run_cli(cli_env, "stats", "--json").stdout)["papers"] == 3


def test_a_raw_hf_day_with_text_fields_of_the_wrong_type(cli_env, tmp_path: Path):
    def item(arxiv_id: str, **paper: object) -> dict:
        return {"paper": {"id": arxiv_id, "title": f"Paper {arxiv_id}", **paper}}

    path = tmp_path / "2025-03-03.json"
    path.write_text(
        json.dumps(
            [
                item("2503.00001"),
                item("2503.00002", organization={"name": 5}),
                item("2503.00003", submittedOnDailyBy={"user": ["akhaliq"]}),
                item("2503.00004", upvotes=7),
            ]
        )
    )
    report = json.loads(run_cli(cli_env, "ingest", "hf-daily", str(path), "--json").stdout)
    assert (report["new"], report["rejected"]) == (2, 2)
    assert sorted(rejects_of(report)) == ["2025-03-03.json#1", "2025-03-03.json#2"]
    assert show(cli_env, "2503.00004")["listings"][0]["imported_upvotes"] == 7
