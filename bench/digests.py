"""Digest delivery: 10,000 confirmed subscribers of mixed kinds on the demo corpus, composed
and handed to a local SMTP server (aiosmtpd, in its own process), on SQLite and PostgreSQL.

    python bench/digests.py [--subscribers 10000] [--backends sqlite,postgresql] [--record]

Mix: 60% trending daily, 15% trending weekly, 10% saved searches (25 distinct queries, hybrid
search), 10% authors (names from the newest listings), 5% categories. The demo corpus has no
arXiv categories, so category digests come out empty and are skipped, as a real run would.
Composed as of ``AS_OF``, the Monday after the demo corpus's newest list (a period offers
the lists it covers, so at today's date every digest would be empty). Timed: compose (find
due, read pools, search, compose, record in the outbox) then deliver (send over SMTP, mark
sent), cold: the search index is synced before the clock starts but the embedder loads
inside the run, as in a fresh worker. Loading the corpus and creating subscribers is not
timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from paperscope.config import Settings
from paperscope.demo import load_demo
from paperscope.digests.jobs import compose_due, deliver
from paperscope.search import SearchService
from paperscope.store import Store, open_store
from paperscope.store import outbox as outbox_queries
from paperscope.store import subscriptions as queries

# The Monday after the demo corpus's newest list (Friday 2026-08-21): daily digests offer
# Friday's list and the weekend's, weekly ones the week of Aug 17 to 23.
AS_OF = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)

HERE = Path(__file__).resolve().parent
PG_ADMIN = os.environ.get(
    "PAPERSCOPE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
QUERIES = [
    "diffusion models",
    "large language model reasoning",
    "vision transformer",
    "reinforcement learning",
    "speech recognition",
    "video generation",
    "code generation",
    "retrieval augmented generation",
    "mixture of experts",
    "multimodal benchmark",
    "robot manipulation",
    "3D reconstruction",
    "image editing",
    "agents tool use",
    "long context",
    "quantization",
    "preference optimization",
    "text to speech",
    "medical imaging",
    "graph neural networks",
    "math reasoning",
    "instruction tuning",
    "world models",
    "hallucination",
    "efficient inference",
]


def smtp_server(port: int, count_file: Path) -> None:
    """The SMTP server process: accepts everything, counts messages into ``count_file``."""
    from aiosmtpd.controller import Controller

    class Counter:
        count = 0

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            Counter.count += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)

    def stop(*_: object) -> None:
        count_file.write_text(str(Counter.count))
        controller.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(3600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def subscriber_rows(n: int, authors: list[str], now: datetime) -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        slot = i % 20
        kind, frequency, target = "trending", "daily", {}
        if slot in (12, 13, 14):
            frequency = "weekly"
        elif slot in (15, 16):
            kind, target = "search", {"query": QUERIES[i % len(QUERIES)]}
        elif slot in (17, 18):
            kind, target = "author", {"author": authors[i % len(authors)]}
        elif slot == 19:
            kind, target = "category", {"category": "cs.CL"}
        rows.append(
            {
                "email": f"reader{i}@bench.example.org",
                "kind": kind,
                "frequency": frequency,
                "query": target.get("query"),
                "author": target.get("author"),
                "category": target.get("category"),
                "timezone": ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"][i % 4],
                "hour": 7,
                "status": "active",
                "dedupe_key": f"bench-{i}",
                "nonce": secrets.token_hex(16),
                "created_at": now,
                "confirmed_at": now,
            }
        )
    return rows


def prepare(url: str, data_dir: Path, n: int) -> Store:
    store = open_store(url)
    load_demo(store, rejects_dir=data_dir / "rejects")
    now = datetime.now(UTC)
    with store.read() as conn:
        authors = queries.authors_listed(conn, limit=200)
    rows = subscriber_rows(n, authors, now)
    with store.write() as conn:
        for start in range(0, len(rows), 1000):
            queries.insert_many(conn, rows[start : start + 1000])
    return store


def run_one(backend: str, n: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-digests-{backend}-"))
    data_dir = work / "data"
    data_dir.mkdir()
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'paperscope.db'}"
    else:
        name = f"paperscope_bench_digests_{os.getpid()}"
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    port, count_file = free_port(), work / "smtp-count"
    server = subprocess.Popen(
        [sys.executable, __file__, "--smtp-server", str(port), str(count_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    try:
        print(f"[{backend}] loading the demo corpus and {n:,} subscribers ...", file=sys.stderr)
        store = prepare(url, data_dir, n)
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            smtp_host="127.0.0.1",
            smtp_port=port,
            base_url="https://papers.example.org",
            secret_key="bench",
        )
        SearchService(settings, store)  # build the lexical index once, outside the clock
        print(f"[{backend}] running digests ...", file=sys.stderr)
        start = time.perf_counter()
        composed = compose_due(settings, store, now=AS_OF, force=True)
        compose_seconds = time.perf_counter() - start
        delivered = deliver(settings, store)
        total = time.perf_counter() - start
        with store.read() as conn:
            states = outbox_queries.status_counts(conn)
        store.dispose()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    received = int(count_file.read_text()) if count_file.exists() else -1
    shutil.rmtree(work, ignore_errors=True)
    return {
        "backend": backend,
        "subscribers": n,
        "due": composed.due,
        "composed": composed.composed,
        "empty": composed.empty,
        "sent": delivered.sent,
        "received": received,
        "outbox": states,
        "compose_seconds": round(compose_seconds, 1),
        "total_seconds": round(total, 1),
        "messages_per_second": round(delivered.sent / total, 1) if total else 0.0,
    }


def record(results: list[dict[str, object]], subscribers: int, note: str = "") -> None:
    """Write the figures into docs/benchmarks.md (section ``digests``)."""
    sys.path.insert(0, str(HERE))
    from record import section

    lines = [
        "| store | subscribers | composed | empty (skipped) | sent | received by SMTP | "
        "compose s | total s | messages/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['subscribers']:,} | {r['composed']:,} | {r['empty']:,} | "
            f"{r['sent']:,} | {r['received']:,} | {r['compose_seconds']} | "
            f"{r['total_seconds']} | {r['messages_per_second']} |"
        )
    body = (
        f"`python bench/digests.py --subscribers {subscribers} --record` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}), 1-minute load average "
        f"{os.getloadavg()[0]:.1f} at the end. Target: <= 60 s for 10,000 subscribers.\n\n"
        + "\n".join(lines)
        + "\n\nTimed: finding due subscriptions, reading each period's papers, saved "
        "searches (hybrid: tantivy + the shipped embedding model, loaded inside the run), "
        "composing HTML + text from Jinja templates, recording every message in the outbox "
        "(with the papers it carries), then sending each through 4 reused SMTP connections "
        "(`mail_connections`) to an aiosmtpd server in another process and marking each "
        "sent as soon as the server accepted it. Not timed: loading the demo corpus, "
        "creating the subscribers, building the lexical index. Category digests are empty "
        "(the demo corpus has no arXiv categories) and so skipped."
        + (f"\n\n{note}" if note else "")
    )
    section(HERE.parent / "docs" / "benchmarks.md", "digests", "Digests (bench/digests.py)", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--record", action="store_true", help="Write docs/benchmarks.md.")
    parser.add_argument("--smtp-server", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_server:
        smtp_server(int(args.smtp_server[0]), Path(args.smtp_server[1]))
        return
    results = [run_one(b.strip(), args.subscribers) for b in args.backends.split(",")]
    for result in results:
        print(result)
    if args.record:
        record(results, args.subscribers)


if __name__ == "__main__":
    main()
