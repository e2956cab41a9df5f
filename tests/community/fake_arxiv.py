"""A local stand-in for the arXiv query API: answers ``id_list`` queries with Atom shaped like
arXiv's (the payloads in tests/sources/payloads/ were recorded from it).

Used by the submit tests in-process and by the browser tests (the real server points
``PAPERSCOPE_ARXIV_API_URL`` at it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape


@dataclass
class ArxivEntry:
    arxiv_id: str
    title: str
    abstract: str
    published: datetime
    authors: list[str] = field(default_factory=lambda: ["Grace Hopper", "Edsger Dijkstra"])
    categories: list[str] = field(default_factory=lambda: ["cs.LG", "cs.CL"])
    version: int = 1


def _feed(query: str, entries: list[ArxivEntry]) -> str:
    items = []
    for e in entries:
        stamp = e.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in e.authors)
        cats = "".join(
            f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in e.categories
        )
        items.append(
            f"""  <entry>
    <id>http://arxiv.org/abs/{e.arxiv_id}v{e.version}</id>
    <title>{escape(e.title)}</title>
    <updated>{stamp}</updated>
    <link href="https://arxiv.org/abs/{e.arxiv_id}v{e.version}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{e.arxiv_id}v{e.version}" rel="related"
      type="application/pdf" title="pdf"/>
    <summary>{escape(e.abstract)}</summary>
    {cats}
    <published>{stamp}</published>
    <arxiv:primary_category term="{e.categories[0]}"/>
    {authors}
  </entry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query: {escape(query)}</title>
  <updated>2026-01-01T00:00:00Z</updated>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
{chr(10).join(items)}
</feed>
"""


class FakeArxiv:
    """A fake arXiv on a free port: ``with FakeArxiv() as arxiv: arxiv.add(ArxivEntry(...))``,
    then point ``arxiv_api_url`` at ``arxiv.url``."""

    def __init__(self) -> None:
        self.entries: dict[str, ArxivEntry] = {}
        self.queries: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.queries.append(params)
                wanted = [i for i in params.get("id_list", "").split(",") if i]
                found = [fake.entries[i] for i in wanted if i in fake.entries]
                body = _feed(parts.query, found).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/query"

    def add(self, entry: ArxivEntry) -> ArxivEntry:
        self.entries[entry.arxiv_id] = entry
        return entry

    def __enter__(self) -> FakeArxiv:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
