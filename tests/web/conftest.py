"""Fixtures for the site: an app over a real store, an HTTP client, papers built per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories import ingest_list, listed, record

from paperscope.config import Settings
from paperscope.demo import load_demo
from paperscope.store import open_store
from paperscope.web.app import create_app


def web_settings(data_dir: Path, store_url: str, **overrides: Any) -> Settings:
    """Settings for a test app: no feed cache, so every request sees the store as it is."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": store_url,
        "feed_cache_seconds": 0,
        "base_url": "http://paperscope.test",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def site_settings(data_dir: Path, store_url: str) -> Settings:
    return web_settings(data_dir, store_url)


@pytest.fixture
def client(site_settings: Settings) -> Iterator[TestClient]:
    """An in-process HTTP client for a site over this test's store (SQLite and PostgreSQL)."""
    app = create_app(site_settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(data_dir: Path) -> Iterator[TestClient]:
    """Like ``client``, SQLite only (for tests that are about the web layer, not the store)."""
    url = f"sqlite:///{data_dir / 'paperscope.db'}"
    app = create_app(web_settings(data_dir, url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def add_papers(client: TestClient, papers: list[dict[str, Any]]) -> None:
    """Ingest papers given as ``record()`` fields plus ``day``/``upvotes``/``position``."""
    records = []
    for number, fields in enumerate(papers, 1):
        fields = dict(fields)
        day = fields.pop("day", None)
        listing = (
            listed(
                day,
                upvotes=fields.pop("upvotes", 0),
                position=fields.pop("position", number),
                submitted_by=fields.pop("submitted_by", None),
                num_comments=fields.pop("num_comments", 0),
            )
            if day
            else None
        )
        fields.setdefault("arxiv_id", f"2405.{10000 + number}")
        fields.setdefault("title", f"Paper number {number}")
        fields.setdefault("origin", f"test:{number}")
        records.append(record(listing=listing, **fields))
    report = ingest_list(client.app.state.store, records)  # type: ignore[attr-defined]
    assert report.rejected == 0


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the demo corpus in SQLite, loaded once per session (~3 s)."""
    path = tmp_path_factory.mktemp("demo") / "data"
    path.mkdir()
    store = open_store(f"sqlite:///{path / 'paperscope.db'}")
    load_demo(store, rejects_dir=path / "rejects")
    store.dispose()
    return path


@pytest.fixture(scope="session")
def demo_client(demo_dir: Path) -> Iterator[TestClient]:
    """A site over the demo corpus (read-only tests only: it is shared by the session)."""
    app = create_app(web_settings(demo_dir, f"sqlite:///{demo_dir / 'paperscope.db'}"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
