"""Shared fixtures: settings in a temporary data dir, and a store per backend.

The ``store`` fixture runs each test against a real SQLite file and, when the server is
reachable, a real PostgreSQL database (a throwaway one per test session and xdist worker).
Without PostgreSQL those runs skip with one line, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from paperscope.config import Settings
from paperscope.store import Store, open_store
from paperscope.store.schema import metadata
from support import CHROMIUM, CHROMIUM_ARGS, SHARED_DATA, run_cli  # noqa: F401

PG_ADMIN_URL = os.environ.get(
    "PAPERSCOPE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:
        return str(error).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (and xdist worker)."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required under CI=true: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}; PostgreSQL store tests skipped")
    name = f"paperscope_test_{os.getpid()}_{worker_id}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def store_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / 'paperscope.db'}"
    url: str = request.getfixturevalue("pg_database")
    _empty_pg(url)
    return url


def _empty_pg(url: str) -> None:
    """Start each test from an empty schema: a factory, not a shared dirty database."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.dispose()


@pytest.fixture
def settings(data_dir: Path, store_url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=store_url)


@pytest.fixture
def cli_env(data_dir: Path, store_url: str) -> dict[str, str]:
    """Environment for running the real ``paperscope`` command against this test's store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(data_dir)
    env["PAPERSCOPE_DATABASE_URL"] = store_url
    return env


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, one per test process.

    One per process because Playwright's sync API runs an event loop while it is open: a
    second ``sync_playwright()`` in the same process fails.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (make test does this)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


__all__ = ["metadata"]
