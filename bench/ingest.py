"""Ingest throughput and peak memory on SQLite and PostgreSQL.

    python bench/ingest.py --records 1000000 [--backends sqlite,postgresql] [--record FILE]

A deterministic generator writes N Kaggle-format records; each backend then ingests the file
in a fresh process (``paperscope ingest kaggle FILE --json``, the path a user runs), and the
bench reads its papers/s and peak RSS (the child's ru_maxrss). Results print as a table and, with
``--record``, are written into docs/benchmarks.md between markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
import kaggle_corpus
import record

PG_ADMIN = os.environ.get(
    "PAPERSCOPE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def run_backend(backend: str, corpus: Path, workdir: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(workdir / backend)
    if backend == "postgresql":
        env["PAPERSCOPE_DATABASE_URL"] = _fresh_pg_database("paperscope_bench_ingest")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-m", "paperscope", "ingest", "kaggle", str(corpus), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(done.stdout)
    papers = report["new"] + report["updated"] + report["unchanged"]
    return {
        "backend": backend,
        "records": papers + report["rejected"],
        "new": report["new"],
        "seconds": round(seconds, 1),
        "papers_per_s": round(papers / seconds),
        # ru_maxrss of children is the max over all children so far: run backends in order of
        # expected memory or read it as an upper bound; `before` tells when it is shared.
        "peak_rss_mb": round(peak_kib / 1024),
        "peak_rss_is_upper_bound": before > 0,
    }


def _fresh_pg_database(name: str) -> str:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--corpus-dir", type=Path, default=Path("bench/out"))
    parser.add_argument("--record", type=Path, help="Write the figures into this markdown file.")
    args = parser.parse_args()

    corpus = args.corpus_dir / f"kaggle-{args.records}.jsonl"
    started = time.perf_counter()
    kaggle_corpus.write(corpus, args.records)
    print(
        f"corpus: {corpus} ({corpus.stat().st_size / 1e6:,.0f} MB, "
        f"written in {time.perf_counter() - started:,.0f} s)"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="paperscope-bench-") as tmp:
        for backend in args.backends.split(","):
            # A separate process per backend so each peak RSS is its own.
            out = subprocess.run(
                [sys.executable, __file__, "--one", backend, str(corpus), tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps(result))
    table = [
        "| backend | records | papers/s | seconds | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {r['backend']} | {r['records']:,} | {r['papers_per_s']:,} | {r['seconds']} "
            f"| {r['peak_rss_mb']} |"
            for r in results
        ],
    ]
    print("\n".join(table))
    if args.record:
        when = datetime.now(UTC).strftime("%Y-%m-%d")
        body = "\n".join(
            [
                f"Command: `python bench/ingest.py --records {args.records}` "
                f"(`make bench`), {when}, {os.cpu_count()} cores, "
                f"{platform.python_implementation()} {platform.python_version()}.",
                "Ingest of a deterministic Kaggle-format file through `paperscope ingest kaggle` "
                "(fresh store, one process per backend; peak RSS is that process's ru_maxrss). "
                "Targets: >= 5,000 papers/s on SQLite, peak RSS <= 500 MB.",
                "",
                *table,
            ]
        )
        record.section(args.record, "ingest", "Ingest throughput", body)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(json.dumps(run_backend(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main()
