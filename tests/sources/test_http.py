"""The polite fetcher against a real local HTTP server; only the sleep is recorded, not slept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from payload_server import PayloadServer, Reply

from paperscope.config import Settings
from paperscope.models import PaperscopeError
from paperscope.sources.http import PoliteFetcher

pytest_plugins = ["net_fixtures"]  # the server, net_settings and net_env fixtures

NOW = datetime(2025, 8, 21, 10, 0, 0, tzinfo=UTC)


def fetcher(settings: Settings, sleeps: list[float], delay: float = 3.0) -> PoliteFetcher:
    return PoliteFetcher(settings, delay=delay, sleep=sleeps.append, now=lambda: NOW)


def test_waits_the_politeness_delay_between_calls_and_sends_the_user_agent(
    server: PayloadServer, net_settings: Settings
):
    server.add("/page", Reply(b"<ok/>"))
    sleeps: list[float] = []
    with fetcher(net_settings, sleeps) as client:
        for _ in range(3):
            assert client.get(f"{server.url}/page").text == "<ok/>"
    # No wait before the first call; about the full delay before each later one.
    assert len(sleeps) == 2 and all(2.9 < s <= 3.0 for s in sleeps)
    assert {seen.headers["User-Agent"] for seen in server.hits("/page")} == {
        net_settings.user_agent
    }


@pytest.mark.parametrize(
    "retry_after",
    ["7", format_datetime(NOW + timedelta(seconds=7), usegmt=True)],
    ids=["seconds", "http-date"],
)
def test_a_503_with_retry_after_is_honoured_then_the_page_arrives(
    server: PayloadServer, net_settings: Settings, retry_after: str
):
    server.add(
        "/oai",
        Reply(b"Retry later", status=503, headers={"Retry-After": retry_after}),
        Reply(b"<OAI-PMH/>"),
    )
    sleeps: list[float] = []
    with fetcher(net_settings, sleeps, delay=0) as client:
        assert client.get(f"{server.url}/oai", {"verb": "ListRecords"}).text == "<OAI-PMH/>"
    assert sleeps == [7.0]
    assert len(server.hits("/oai")) == 2


def test_429_and_5xx_back_off_and_finally_fail_naming_the_url(
    server: PayloadServer, net_settings: Settings
):
    server.add("/busy", Reply(b"slow down", status=429), Reply(b"oops", status=502))
    sleeps: list[float] = []
    settings = net_settings.model_copy(update={"http_retries": 3})
    with fetcher(settings, sleeps, delay=0) as client, pytest.raises(PaperscopeError) as caught:
        client.get(f"{server.url}/busy", {"date": "2025-08-21"})
    message = str(caught.value)
    assert f"{server.url}/busy?date=2025-08-21" in message
    assert "after 4 attempts" in message and "HTTP 502" in message
    assert sleeps == [1.0, 2.0, 4.0]  # exponential backoff between the 4 attempts


def test_a_client_error_fails_at_once_with_the_status(
    server: PayloadServer, net_settings: Settings
):
    sleeps: list[float] = []
    with fetcher(net_settings, sleeps) as client, pytest.raises(PaperscopeError) as caught:
        client.get(f"{server.url}/missing")
    assert "HTTP 404" in str(caught.value) and "/missing" in str(caught.value)
    assert len(server.hits("/missing")) == 1


def test_a_body_cut_mid_transfer_is_retried(server: PayloadServer, net_settings: Settings):
    body = b"<feed>" + b"x" * 5000 + b"</feed>"
    server.add("/feed", Reply(body, cut_at=100), Reply(body))
    sleeps: list[float] = []
    with fetcher(net_settings, sleeps, delay=0) as client:
        assert client.get(f"{server.url}/feed").content == body
    assert sleeps == [1.0]


def test_a_connection_refused_fails_with_a_clear_error(net_settings: Settings):
    sleeps: list[float] = []
    settings = net_settings.model_copy(update={"http_retries": 1})
    with fetcher(settings, sleeps) as client, pytest.raises(PaperscopeError) as caught:
        client.get("http://127.0.0.1:9/api/query")  # the discard port: nothing listens
    assert "http://127.0.0.1:9/api/query" in str(caught.value)
    assert "ConnectError" in str(caught.value)


def test_a_retry_after_longer_than_allowed_fails_instead_of_hanging(
    server: PayloadServer, net_settings: Settings
):
    server.add("/oai", Reply(b"", status=503, headers={"Retry-After": "86400"}))
    sleeps: list[float] = []
    with fetcher(net_settings, sleeps) as client, pytest.raises(PaperscopeError) as caught:
        client.get(f"{server.url}/oai")
    assert "retry after 86400 s" in str(caught.value)
    assert sleeps == []
