"""Fixtures for the community tests: a fake arXiv API, settings pointing at it, accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count

import pytest
from community_data import PASSWORD
from fake_arxiv import FakeArxiv

from paperscope.community.accounts import User, sign_up
from paperscope.config import Settings
from paperscope.store import Store


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv() as fake:
        yield fake


@pytest.fixture
def community_settings(settings: Settings, arxiv: FakeArxiv) -> Settings:
    return settings.model_copy(
        update={
            "arxiv_api_url": arxiv.url,
            "arxiv_delay_seconds": 0.0,
            "http_retries": 0,
            "secret_key": "test-secret-key-for-community-tests",
        }
    )


@pytest.fixture
def make_user(store: Store) -> Callable[..., User]:
    numbers = count(1)

    def make(handle: str | None = None, *, admin: bool = False) -> User:
        n = next(numbers)
        name = handle or f"user{n}"
        return sign_up(
            store, email=f"{name}@example.org", handle=name, password=PASSWORD, is_admin=admin
        )

    return make
