"""GitHub star refresh against a local server shaped like GitHub's REST API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import run_cli
from tests.web.conftest import add_papers

from paperscope.stars import parse_github_repo, refresh_stars
from paperscope.store.tables import code_repos
from paperscope.store.tables_community import star_snapshots


class FakeGitHub:
    """Answers ``GET /repos/{owner}/{repo}`` from a dict, with rate-limit headers."""

    def __init__(self) -> None:
        self.stars: dict[str, int] = {}
        self.remaining = 100
        self.requests: list[tuple[str, str | None]] = []
        self.throttle_once: set[str] = set()

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append((self.path, self.headers.get("Authorization")))
                name = self.path.removeprefix("/repos/")
                if name in fake.throttle_once:
                    fake.throttle_once.discard(name)
                    self._send(429, {"message": "slow down"}, {"Retry-After": "0"})
                    return
                if fake.remaining <= 0:
                    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}
                    self._send(403, {"message": "API rate limit exceeded"}, headers)
                    return
                fake.remaining -= 1
                headers = {"X-RateLimit-Remaining": str(fake.remaining)}
                if name not in fake.stars:
                    self._send(404, {"message": "Not Found"}, headers)
                    return
                body = {"full_name": name, "stargazers_count": fake.stars[name]}
                self._send(200, body, headers)

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def with_code(client, repos: list[str]) -> None:
    add_papers(
        client,
        [
            {
                "title": f"Paper {n}",
                "abstract": f"Code at https://github.com/{repo}",
                "day": "2024-05-27",
            }
            for n, repo in enumerate(repos)
        ],
    )


def test_github_urls_parse():
    assert parse_github_repo("https://github.com/acme/tool") == ("acme", "tool")
    assert parse_github_repo("https://github.com/acme/tool.git") == ("acme", "tool")
    assert parse_github_repo("https://gitlab.com/acme/tool") is None


def test_refresh_records_snapshots_and_current_stars(client, github):
    with_code(client, ["acme/one", "acme/two", "acme/gone"])
    github.stars = {"acme/one": 10, "acme/two": 250}
    settings = client.app.state.settings.model_copy(
        update={"github_api_url": github.url, "github_token": "secret-token"}
    )
    store = client.app.state.store
    report = refresh_stars(store, settings)
    assert (report.checked, report.updated, report.missing) == (3, 2, 1)
    assert all(auth == "Bearer secret-token" for _path, auth in github.requests)
    with store.read() as conn:
        stars = dict(conn.execute(sa.select(code_repos.c.url, code_repos.c.stars)).all())
        snapshots = conn.execute(sa.select(sa.func.count()).select_from(star_snapshots)).scalar()
    assert stars["https://github.com/acme/two"] == 250 and snapshots == 2
    page = client.get("/papers/date/2024-05-27")
    assert "acme/two ★ 250" in page.text
    # Stars grow: the trending API sees the growth from the snapshots.
    github.stars["acme/two"] = 400
    refresh_stars(store, settings)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(star_snapshots)).scalar() == 4


def test_refresh_stops_at_the_rate_limit_and_waits_out_retry_after(sqlite_client, github):
    with_code(sqlite_client, ["acme/a", "acme/b", "acme/c", "acme/d"])
    github.stars = {"acme/a": 1, "acme/b": 2, "acme/c": 3, "acme/d": 4}
    github.remaining = 2
    github.throttle_once = {"acme/a"}
    settings = sqlite_client.app.state.settings.model_copy(update={"github_api_url": github.url})
    waits: list[float] = []
    report = refresh_stars(sqlite_client.app.state.store, settings, sleep=waits.append)
    assert waits == [0.0]
    assert report.checked == 2
    assert report.rate_limited_until is not None
    # Nothing was asked after GitHub said the allowance was spent.
    assert len(github.requests) == 3
    # The next run starts with the repositories not checked yet.
    github.remaining = 10
    github.requests.clear()
    again = refresh_stars(sqlite_client.app.state.store, settings, limit=2)
    assert again.checked == 2
    asked = {path for path, _auth in github.requests}
    assert asked == {"/repos/acme/c", "/repos/acme/d"}


def test_stars_refresh_command(cli_env, github, data_dir, store_url):
    run_cli(cli_env, "demo")
    github.stars = {}
    env = {**cli_env, "PAPERSCOPE_GITHUB_API_URL": github.url}
    done = run_cli(env, "stars", "refresh", "--limit", "3", "--json")
    report = json.loads(done.stdout)
    assert report["checked"] == 3 and report["missing"] == 3
