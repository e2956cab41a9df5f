"""In chromium: subscribe from the home page's box, the confirmation mail reaches the SMTP
server, following its link confirms the subscription, with the browser's timezone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from digests.helpers import link
from digests.smtp_server import SmtpServer, free_port
from factories import ingest_list, listed, record
from paperscope.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path, smtp: SmtpServer) -> Iterator[str]:
    data_dir = tmp_path / "data"
    store = open_store(f"sqlite:///{data_dir / 'paperscope.db'}")
    ingest_list(
        store,
        [record(arxiv_id="2401.00001", title="Sparse Attention", listing=listed("2024-01-10"))],
    )
    store.dispose()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env.update(
        PAPERSCOPE_DATA_DIR=str(data_dir),
        PAPERSCOPE_SMTP_HOST="127.0.0.1",
        PAPERSCOPE_SMTP_PORT=str(smtp.port),
        PAPERSCOPE_BASE_URL=url,
    )
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "paperscope", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "paperscope serve did not start"
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_subscribe_from_the_home_page_and_confirm(
    site: str, browser: Any, smtp: SmtpServer
) -> None:
    context = browser.new_context(base_url=site, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text)
        if m.type == "error" and not m.text.startswith("Failed to load resource")
        else None,
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}")
        if r.status >= 400 and not r.url.endswith("/favicon.ico")
        else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/")
    box = page.locator(".subscribe-box")
    assert "Get trending papers in your email inbox!" in box.inner_text()
    box.get_by_label("Email").fill("browser@example.org")
    box.get_by_label("How often").select_option("weekly")
    box.get_by_role("button", name="Subscribe").click()
    page.wait_for_selector("text=Check your inbox")

    deadline = time.monotonic() + 30
    while not smtp.to("browser@example.org"):
        assert time.monotonic() < deadline, "no confirmation mail reached the SMTP server"
        time.sleep(0.2)
    confirm = link(smtp.to("browser@example.org")[0], r"http://\S+/subscriptions/confirm/\S+")
    page.goto(confirm)
    text = page.locator("main").inner_text()
    assert "Subscription confirmed" in text
    assert "weekly trending papers" in text and "07:00 (Asia/Tokyo)" in text
    assert errors == []  # no CSP violation, no script error
    context.close()
