"""Fixtures for digest tests: a real SMTP server (aiosmtpd) and a small listed corpus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.smtp_server import SmtpServer
from factories import ingest_list, listed, record
from paperscope.config import Settings
from paperscope.store import Store

SECRET = "digest-tests-secret"
BASE_URL = "https://papers.example.org"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_settings(data_dir: Path, store_url: str, smtp: SmtpServer) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=store_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        base_url=BASE_URL,
        secret_key=SECRET,
        mail_from="paperscope <digests@papers.example.org>",
        mail_retry_base_seconds=0,
    )


@pytest.fixture
def mail_env(cli_env: dict[str, str], smtp: SmtpServer) -> dict[str, str]:
    """Environment for the real ``paperscope`` command, pointed at the test SMTP server."""
    return {
        **cli_env,
        "PAPERSCOPE_SMTP_HOST": "127.0.0.1",
        "PAPERSCOPE_SMTP_PORT": str(smtp.port),
        "PAPERSCOPE_BASE_URL": BASE_URL,
        "PAPERSCOPE_SECRET_KEY": SECRET,
        "PAPERSCOPE_MAIL_FROM": "paperscope <digests@papers.example.org>",
    }


PAPERS = [
    # (arXiv id, title, authors, listing day, upvotes)
    ("2401.00001", "Sparse Attention for Long Documents", ["Ada Lovelace"], "2024-01-08", 40),
    ("2401.00002", "Diffusion Models for Protein Design", ["Alan Turing"], "2024-01-08", 12),
    (
        "2401.00003",
        "A Benchmark of Retrieval Augmented Generation",
        ["Grace Hopper"],
        "2024-01-09",
        25,
    ),
    (
        "2401.00004",
        "Diffusion Transformers at Scale",
        ["Ada Lovelace", "Edsger Dijkstra"],
        "2024-01-09",
        7,
    ),
    ("2401.00005", "Tokenizer-free Language Models", ["Barbara Liskov"], "2024-01-10", 3),
    ("2401.00006", "Robot Learning from Video", ["Donald Knuth"], "2024-01-10", 30),
]


@pytest.fixture
def corpus(store: Store) -> list[str]:
    """Six papers listed on three weekdays (Mon 2024-01-08 .. Wed 2024-01-10)."""
    ingest_list(
        store,
        [
            record(
                arxiv_id=arxiv_id,
                title=title,
                authors=authors,
                abstract=f"{title}. " + "We show a method and measure it carefully. " * 12,
                categories=["cs.LG"] if i % 2 else ["cs.CL"],
                primary_category="cs.LG" if i % 2 else "cs.CL",
                code_urls=[f"https://github.com/lab/repo{i}"] if i == 0 else [],
                listing=listed(day, upvotes=upvotes, position=i),
            )
            for i, (arxiv_id, title, authors, day, upvotes) in enumerate(PAPERS)
        ],
    )
    return [p[0] for p in PAPERS]


@pytest.fixture
def recent_corpus(store: Store) -> list[str]:
    """The same six papers, listed on each of the last fourteen days (UTC), published a week
    ago: whatever the day a test runs ``paperscope digest run --now`` (the real clock), the
    period of every daily and weekly subscription, in any timezone, covers some of it."""
    today = datetime.now(UTC)
    for back in range(14, -1, -1):
        day = (today - timedelta(days=back)).date().isoformat()
        ingest_list(
            store,
            [
                record(
                    arxiv_id=arxiv_id,
                    title=title,
                    authors=authors,
                    abstract=f"{title}. " + "We show a method and measure it carefully. " * 12,
                    published=today - timedelta(days=7),
                    listing=listed(day, upvotes=upvotes, position=i),
                )
                for i, (arxiv_id, title, authors, _day, upvotes) in enumerate(PAPERS)
            ],
        )
    return [p[0] for p in PAPERS]
