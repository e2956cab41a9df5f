"""Whatever goes wrong, the command says so in one line on stderr and exits non-zero."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from support import SHARED_DATA, run_cli

KAGGLE_SAMPLE = SHARED_DATA / "arxiv_kaggle_sample" / "arxiv-metadata-oai-snapshot.first200.jsonl"


@pytest.fixture
def env(data_dir: Path) -> dict[str, str]:
    """The default store: SQLite in the data dir."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    return clean | {"PAPERSCOPE_DATA_DIR": str(data_dir)}


def one_error_line(env: dict[str, str], *args: str) -> str:
    done = run_cli(env, *args, check=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_postgresql_unreachable(env):
    env["PAPERSCOPE_DATABASE_URL"] = "postgresql+psycopg://paperscope:secret@127.0.0.1:1/nowhere"
    for args in (("stats",), ("ingest", "kaggle", str(KAGGLE_SAMPLE)), ("demo",)):
        line = one_error_line(env, *args)
        assert "cannot open the store at postgresql+psycopg://paperscope:***@127.0.0.1:1" in line
        assert "secret" not in line
    # postgresql:// without a driver means psycopg, the one paperscope installs.
    env["PAPERSCOPE_DATABASE_URL"] = "postgresql://paperscope@127.0.0.1:1/nowhere"
    assert "Connection refused" in one_error_line(env, "stats")


def test_a_corrupt_sqlite_file(env, data_dir: Path):
    (data_dir / "paperscope.db").write_bytes(b"this is not SQLite at all\n" * 200)
    line = one_error_line(env, "stats")
    assert line.endswith("file is not a database")


def test_a_store_that_fails_after_opening(env, data_dir: Path):
    run_cli(env, "init")
    with sqlite3.connect(data_dir / "paperscope.db") as conn:
        conn.execute("DROP TABLE listings")
    line = one_error_line(env, "stats")
    assert line == "error: the store failed: OperationalError: no such table: listings"


def test_missing_input_files_fail_before_any_progress(env, tmp_path: Path):
    missing = str(tmp_path / "nope.jsonl")
    for command in ("kaggle", "jsonl", "hf-daily-file", "hf-daily"):
        line = one_error_line(env, "ingest", command, missing)
        assert line == f"error: no such file: {missing}"


def test_an_unsupported_database_url_names_the_supported_ones(env):
    for url in ("mysql://paperscope:secret@db/papers", "not a url"):
        env["PAPERSCOPE_DATABASE_URL"] = url
        line = one_error_line(env, "stats")
        assert "SQLite (sqlite:///PATH)" in line and "PostgreSQL (postgresql+psycopg://" in line
        assert "secret" not in line
