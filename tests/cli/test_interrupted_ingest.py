"""An ingest killed mid-way leaves the store consistent, and a re-run finishes the job."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import kaggle_corpus

RECORDS = 30_000


@pytest.fixture(scope="module")
def big_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kaggle_corpus.write(tmp_path_factory.mktemp("kaggle") / "big.jsonl", RECORDS)


def stored_papers(env) -> int:
    return json.loads(run_cli(env, "stats", "--json").stdout)["papers"]


def start_ingest(env, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperscope", "ingest", "kaggle", str(path), "--json"],
        env={**env, "PAPERSCOPE_INGEST_BATCH_SIZE": "500"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_some_papers(env, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        count = stored_papers(env)
        if count >= 1000:
            return count
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.2)
    raise AssertionError("ingest committed nothing in 120 s")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_ingest_resumes_to_the_same_store(cli_env, big_snapshot: Path, how):
    process = start_ingest(cli_env, big_snapshot)
    wait_for_some_papers(cli_env, process)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    partial = stored_papers(cli_env)
    assert 0 < partial < RECORDS, "the kill came too late to test anything"
    if how == signal.SIGINT:
        assert process.returncode == 130, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr

    report = json.loads(run_cli(cli_env, "ingest", "kaggle", str(big_snapshot), "--json").stdout)
    assert report["new"] + report["unchanged"] + report["updated"] == RECORDS
    assert report["new"] == RECORDS - partial
    stats = json.loads(run_cli(cli_env, "stats", "--json").stdout)
    assert stats["papers"] == RECORDS
    assert stats["change_seq"] == RECORDS  # no batch was half-written, none counted twice
