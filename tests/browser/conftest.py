"""The real site in a real browser: ``paperscope serve`` in a subprocess on a free port, with
the demo corpus in a temporary data dir and a local fake arXiv API, driven by Debian's
chromium through Playwright (no browser download, ever: ``make test`` installs chromium with
apt when it is missing).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from screens import DESKTOP, PHONE, REPO, SCREENSHOTS  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "community"))
from fake_arxiv import FakeArxiv


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # With `--dist loadgroup` (make test) they share one xdist worker and one demo site.
            item.add_marker(pytest.mark.xdist_group("browser"))


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def _paperscope(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paperscope", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise AssertionError(f"paperscope {' '.join(args)} failed:\n{done.stderr[-3000:]}")


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the demo corpus loaded and indexed, built once and copied per site."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    env = _env(data_dir)
    _paperscope(env, "demo")
    _paperscope(env, "index", "rebuild")
    return data_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    url: str
    data_dir: Path
    arxiv: FakeArxiv
    env: dict[str, str]

    def run(self, *args: str) -> None:
        """Run a ``paperscope`` command against this site's store."""
        _paperscope(self.env, *args)


@pytest.fixture(scope="module")
def site(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``paperscope serve`` on a free port over a fresh copy of the demo data."""
    data_dir = tmp_path_factory.mktemp("site") / "data"
    shutil.copytree(demo_data, data_dir)
    port = _free_port()
    with FakeArxiv() as arxiv:
        env = _env(
            data_dir,
            PAPERSCOPE_ARXIV_API_URL=arxiv.url,
            PAPERSCOPE_ARXIV_DELAY_SECONDS="0",
            PAPERSCOPE_HTTP_RETRIES="0",
            PAPERSCOPE_BASE_URL=f"http://127.0.0.1:{port}",
            # Every test browser comes from 127.0.0.1: room for all their sign-ups.
            PAPERSCOPE_RATE_LIMIT_SIGNUP="100/hour",
        )
        log = (data_dir / "serve.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "paperscope", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server, data_dir / "serve.log")
            # The first search opens the index; do it here so no test waits on it.
            httpx.get(f"{url}/search", params={"q": "attention"}, timeout=300)
            yield Site(url=url, data_dir=data_dir, arxiv=arxiv, env=env)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()


def _wait_until_up(url: str, server: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"paperscope serve exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"paperscope serve did not answer in 120 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def page_factory(browser: Any, site: Site) -> Iterator[Any]:
    """New pages in fresh browser contexts (own cookies), closed after the test.

    Each page records console errors and failed requests (a CSP violation shows up there).
    """
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, base_url=site.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.console_errors = []
        page.on(
            "console",
            lambda message: page.console_errors.append(message.text)
            # A failed request is reported by the "response" handler, with its URL.
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None,
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.on(
            "response",
            lambda response: page.console_errors.append(f"{response.status} {response.url}")
            # Pages answering a refused form with 4xx are fine; a missing script or style is not.
            if response.status >= 400
            and response.request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
            else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()
