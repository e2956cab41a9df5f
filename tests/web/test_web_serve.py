"""``paperscope serve`` answers HTTP as a user would start it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import feedparser
import httpx
from tests.factories import ingest_list, listed, record

from paperscope.cli.web import listening_url
from paperscope.store import open_store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(data_dir: Path, *args: str, **settings: str) -> Iterator[str]:
    """``paperscope serve --port <free> *args`` over ``data_dir``, with no PAPERSCOPE_ setting
    but ``settings`` (nor a .env file: it runs in the data dir); yields its URL once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(data_dir)
    env.update({f"PAPERSCOPE_{name.upper()}": value for name, value in settings.items()})
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paperscope", "serve", "--port", str(port), *args],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{url}/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.3)
        assert response is not None and response.status_code == 200
        assert "Daily Papers" in response.text
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_starts_the_site_on_the_given_port(data_dir):
    with serving(data_dir, "--workers", "2") as url:
        api = httpx.get(f"{url}/api/daily_papers", timeout=5)
        assert api.status_code == 200 and api.json() == []
        # Both workers open the search index at once: neither may fail a search.
        with ThreadPoolExecutor(6) as pool:
            codes = list(
                pool.map(
                    lambda n: httpx.get(
                        f"{url}/search", params={"q": f"graph {n}"}, timeout=60
                    ).status_code,
                    range(6),
                )
            )
        assert codes == [200] * 6


def test_feed_links_point_at_the_served_port_unless_a_base_url_is_set(data_dir):
    store = open_store(f"sqlite:///{data_dir / 'paperscope.db'}")
    ingest_list(store, [record(arxiv_id="2405.10001", listing=listed("2024-05-27"))])
    store.dispose()
    with serving(data_dir, "--workers", "2") as url:
        for _ in range(4):  # more than one request, so that both workers are likely asked
            feed = feedparser.parse(httpx.get(f"{url}/rss/daily", timeout=10).content)
            assert [entry.link for entry in feed.entries] == [f"{url}/papers/2405.10001"]
    with serving(data_dir, base_url="https://papers.example.org") as url:
        feed = feedparser.parse(httpx.get(f"{url}/rss/daily", timeout=10).content)
        assert [e.link for e in feed.entries] == ["https://papers.example.org/papers/2405.10001"]


def test_the_listening_url_of_an_address():
    assert listening_url("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert listening_url("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert listening_url("::1", 8000) == "http://[::1]:8000"
    assert listening_url("papers.example.org", 8000) == "http://papers.example.org:8000"
