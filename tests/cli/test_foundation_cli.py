"""The foundation's CLI, run as a user runs it, against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from support import SHARED_DATA, run_cli

KAGGLE_SAMPLE = SHARED_DATA / "arxiv_kaggle_sample" / "arxiv-metadata-oai-snapshot.first200.jsonl"


def stats(env):
    return json.loads(run_cli(env, "stats", "--json").stdout)


def test_demo_loads_the_bundled_corpus_and_a_second_run_changes_nothing(cli_env):
    first = json.loads(run_cli(cli_env, "demo", "--json").stdout)
    assert first["hf_daily_papers"]["new"] == 9877
    assert first["seed_page"]["new"] == 71
    assert first["demo_vectors"] == 9948  # searchable by meaning at once, nothing embedded
    expected = {"papers": 9948, "listings": 9881, "listing_days": 580}
    after_first = stats(cli_env)
    assert {k: after_first[k] for k in expected} == expected
    assert after_first["code_repos"] > 3000
    second = json.loads(run_cli(cli_env, "demo", "--json").stdout)
    assert second["hf_daily_papers"]["new"] == second["hf_daily_papers"]["updated"] == 0
    assert second["seed_page"]["new"] == second["seed_page"]["updated"] == 0
    assert second["demo_vectors"] == 0
    found = json.loads(
        run_cli(
            cli_env, "search", "protein structure design", "--mode", "semantic", "--json"
        ).stdout
    )
    assert len(found) >= 10 and all(hit["score"] > 0 for hit in found)
    assert stats(cli_env) == after_first

    shown = json.loads(run_cli(cli_env, "papers", "show", "arXiv:2405.15738v1", "--json").stdout)
    assert shown["title"].startswith("ConvLLaVA")
    assert [r["url"] for r in shown["code_repos"]] == ["https://github.com/alibaba/conv-llava"]
    assert shown["listings"][0]["listing_date"] == "2024-05-27"


def test_the_seed_page_first_then_hf_gives_the_same_store_as_the_demo(cli_env):
    seed = SHARED_DATA / "seed_page" / "papers.jsonl"
    first = run_cli(cli_env, "ingest", "jsonl", str(seed), "--source-name", "seed-page", "--json")
    assert json.loads(first.stdout)["new"] == 79
    run_cli(cli_env, "index", "sync")  # the 8 seed papers also in HF are indexed by their ps- id
    hf = SHARED_DATA / "hf_daily_papers" / "papers.jsonl.gz"
    second = json.loads(run_cli(cli_env, "ingest", "hf-daily-file", str(hf), "--json").stdout)
    assert second["new"] == 9877
    expected = {"papers": 9948, "listings": 9881, "listing_days": 580}
    after = stats(cli_env)
    assert {k: after[k] for k in expected} == expected
    # The demo (HF first, then the seed page) finds nothing to add or change.
    demo = json.loads(run_cli(cli_env, "demo", "--json").stdout)
    for name in ("hf_daily_papers", "seed_page"):
        assert demo[name]["new"] == demo[name]["updated"] == 0
    assert stats(cli_env) == after
    run_cli(cli_env, "index", "sync")
    status = json.loads(run_cli(cli_env, "index", "status", "--json").stdout)
    assert status["in_sync"] and status["documents"] == 9948


def test_kaggle_ingest_reports_corrupted_lines_and_keeps_the_good_ones(cli_env, tmp_path: Path):
    lines = KAGGLE_SAMPLE.read_bytes().splitlines()[:10]
    lines[2] = b'{"id": "0704.0003", "title": '
    lines[7] = b"not json at all"
    path = tmp_path / "kaggle.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = json.loads(run_cli(cli_env, "ingest", "kaggle", str(path), "--json").stdout)
    assert {k: report[k] for k in ("new", "updated", "unchanged", "rejected")} == {
        "new": 8,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
    }
    rejects = Path(report["rejects_file"]).read_text().splitlines()
    assert [line.split("\t")[0] for line in rejects[1:]] == ["kaggle.jsonl:3", "kaggle.jsonl:8"]
    again = json.loads(run_cli(cli_env, "ingest", "kaggle", str(path), "--json").stdout)
    assert (again["new"], again["unchanged"], again["rejected"]) == (0, 8, 2)
    assert stats(cli_env)["papers"] == 8


def test_the_report_always_names_this_runs_rejects_file(cli_env, tmp_path: Path):
    path = tmp_path / "clean.jsonl"
    path.write_bytes(b"\n".join(KAGGLE_SAMPLE.read_bytes().splitlines()[:3]) + b"\n")
    first = json.loads(run_cli(cli_env, "ingest", "kaggle", str(path), "--json").stdout)
    assert (first["new"], first["rejected"]) == (3, 0)
    rejects = Path(first["rejects_file"])
    assert rejects.parent == Path(cli_env["PAPERSCOPE_DATA_DIR"]) / "rejects"
    assert rejects.read_text() == "origin\treason\n"  # nothing rejected: the header alone
    again = json.loads(run_cli(cli_env, "ingest", "kaggle", str(path), "--json").stdout)
    assert again["rejects_file"] != first["rejects_file"]  # each run has its own
    assert Path(again["rejects_file"]).is_file()


def test_errors_are_one_clear_line_and_a_non_zero_exit(cli_env, tmp_path: Path):
    missing = run_cli(cli_env, "papers", "show", "2101.99999", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no paper '2101.99999' in the store"
    no_file = run_cli(cli_env, "ingest", "kaggle", str(tmp_path / "nope.jsonl"), check=False)
    assert no_file.returncode == 1
    assert "no such file" in no_file.stderr and "Traceback" not in no_file.stderr
    bad_day = run_cli(
        cli_env, "ingest", "hf-daily-file", str(KAGGLE_SAMPLE), "--since", "May 1", check=False
    )
    assert bad_day.returncode == 1 and "--since" in bad_day.stderr


def test_help_lists_the_commands(cli_env):
    shown = run_cli(cli_env, "--help").stdout
    for command in ("demo", "stats", "papers", "ingest"):
        assert command in shown
    assert "kaggle" in run_cli(cli_env, "ingest", "--help").stdout
