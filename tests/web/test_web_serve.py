"""``paperscope serve`` answers HTTP as a user would start it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_the_site_on_the_given_port(data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(data_dir)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paperscope", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.3)
        assert response is not None and response.status_code == 200
        assert "Daily Papers" in response.text
        api = httpx.get(f"http://127.0.0.1:{port}/api/daily_papers", timeout=5)
        assert api.status_code == 200 and api.json() == []
        # Both workers open the search index at once: neither may fail a search.
        with ThreadPoolExecutor(6) as pool:
            codes = list(
                pool.map(
                    lambda n: httpx.get(
                        f"http://127.0.0.1:{port}/search", params={"q": f"graph {n}"}, timeout=60
                    ).status_code,
                    range(6),
                )
            )
        assert codes == [200] * 6
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
