"""A local HTTP server that replays recorded source payloads, for the network sources' tests.

Its fixtures are in ``net_fixtures.py``.

Each route is a path plus the query parameters it must carry; it answers with its replies in
order (the last one repeats). A reply can be an error status with headers (``503`` +
``Retry-After``) or a body cut short while ``Content-Length`` promises more. Every request is
logged, so a test can check what the client sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).parent / "payloads"


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/atom+xml; charset=utf-8"
    cut_at: int | None = None  # send only this many body bytes, then close the connection


def payload(name: str, **kwargs: object) -> Reply:
    """A reply carrying one recorded payload file."""
    return Reply(body=(PAYLOADS / name).read_bytes(), **kwargs)  # type: ignore[arg-type]


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    path: str
    params: dict[str, str]
    replies: list[Reply]


class PayloadServer:
    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, *replies: Reply, **params: str) -> None:
        """Answer GET ``path`` carrying ``params`` with ``replies``, in order."""
        self.routes.append(_Route(path, {k.rstrip("_"): v for k, v in params.items()}, [*replies]))

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def start(self) -> PayloadServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, path: str, params: dict[str, str]) -> Reply:
        with self._lock:
            matching = [
                route
                for route in self.routes
                if route.path == path and all(params.get(k) == v for k, v in route.params.items())
            ]
            if not matching:
                return Reply(b"no such route", status=404, content_type="text/plain")
            route = max(matching, key=lambda r: len(r.params))
            return route.replies.pop(0) if len(route.replies) > 1 else route.replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                with server._lock:
                    server.requests.append(Seen(url.path, params, dict(self.headers.items())))
                reply = server._reply_for(url.path, params)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                body = reply.body if reply.cut_at is None else reply.body[: reply.cut_at]
                self.wfile.write(body)
                if reply.cut_at is not None:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        return Handler
