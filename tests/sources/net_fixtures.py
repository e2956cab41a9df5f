"""Fixtures of the network sources' tests: the payload server and settings pointing at it.

Test modules load them with ``pytest_plugins = ["net_fixtures"]``; a ``conftest.py`` in this
folder would shadow the top-level one that tests import ``run_cli`` and ``SHARED_DATA`` from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from payload_server import PayloadServer

from paperscope.config import Settings


@pytest.fixture
def server() -> Iterator[PayloadServer]:
    running = PayloadServer().start()
    yield running
    running.stop()


@pytest.fixture
def net_settings(server: PayloadServer, tmp_path: Path) -> Settings:
    """Settings whose every source URL is the local server (no store needed)."""
    return Settings(
        data_dir=tmp_path / "data",
        hf_api_url=server.url,
        arxiv_api_url=f"{server.url}/api/query",
        arxiv_rss_url=f"{server.url}/atom",
        arxiv_oai_url=f"{server.url}/oai",
        arxiv_page_size=2,
    )


@pytest.fixture
def net_env(cli_env: dict[str, str], server: PayloadServer) -> dict[str, str]:
    """``cli_env`` (SQLite and PostgreSQL) with the sources pointed at the local server.

    The politeness delays are zero here; their use is checked with a recording sleep.
    """
    return cli_env | {
        "PAPERSCOPE_HF_API_URL": server.url,
        "PAPERSCOPE_ARXIV_API_URL": f"{server.url}/api/query",
        "PAPERSCOPE_ARXIV_RSS_URL": f"{server.url}/atom",
        "PAPERSCOPE_ARXIV_OAI_URL": f"{server.url}/oai",
        "PAPERSCOPE_ARXIV_PAGE_SIZE": "2",
        "PAPERSCOPE_ARXIV_DELAY_SECONDS": "0",
        "PAPERSCOPE_OAI_DELAY_SECONDS": "0",
        "PAPERSCOPE_HF_DELAY_SECONDS": "0",
    }
