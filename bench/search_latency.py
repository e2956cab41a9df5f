"""Search latency at 10k / 100k / 1M papers, per mode, beside a plain SQLite FTS5 baseline.

    python bench/search_latency.py [--sizes 10000,100000,1000000] [--queries 200]
                                   [--real-vectors 100000] [--record]

Each size runs in a fresh child process (so its peak RSS is its own). The corpus is the
deterministic synthetic one of ``bench/search_corpus.py``: words of the real abstracts, drawn
around a real paper's topic. The first ``--real-vectors`` papers get real-model vectors (the
shipped embedder, computed once and cached); beyond them, each vector is a normalized mix of
two of those real ones plus a little noise (deterministic per chunk), so the 1M set keeps the
clustered shape of real embeddings that ANN recall depends on.

Per mode, a query's time covers everything ``SearchService.search`` spends on retrieval:
parsing, embedding the query with the shipped model (semantic, hybrid), tantivy top-100,
vector top-100, fusion. The baseline is SQLite FTS5 ``bm25()`` (title weighted 2x) on the same
texts with the same OR-ed words. Build time, disk, peak RSS and, for HNSW, ANN recall@10
against exact search are reported too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from paperscope.config import Settings
from paperscope.index.embedder import load_embedder
from paperscope.index.lexical import IndexedPaper, LexicalIndex
from paperscope.index.vectors import VectorIndex, new_vector_index
from paperscope.search.query import parse_query
from paperscope.search.retrieval import Retriever, constraints_for

sys.path.insert(0, str(Path(__file__).parent))
import search_corpus  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]
MODES = ("keyword", "semantic", "hybrid")
CHUNK = 50_000
DEPTH = 100


def query_texts(count: int) -> list[str]:
    """Real paper titles from the demo corpus (deterministic sample)."""
    path = files("paperscope") / "demo" / "hf_daily_papers.jsonl.gz"
    titles = []
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        for line in handle:
            titles.append(" ".join(json.loads(line)["title"].split()))
    step = max(1, len(titles) // count)
    return titles[::step][:count]


def fts_query(text: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", text.lower()) if len(w) > 1]
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words)) or '""'


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def build_size(
    size: int, queries: int, workdir: Path, *, with_fts: bool = True, real_count: int = 100_000
) -> dict[str, Any]:
    """Build the indexes of a ``size``-paper corpus into ``workdir`` (what `paperscope index
    rebuild` does), and the exact top 10 of every query for the recall figure."""
    settings = Settings(data_dir=workdir)
    result: dict[str, Any] = {"size": size}

    # Lexical index and the FTS5 baseline, fed from one pass over the synthetic corpus.
    lexical = LexicalIndex(workdir / "lexical", title_boost=settings.search_title_boost)
    fts_path = workdir / "fts5.db"
    fts = sqlite3.connect(fts_path)
    fts.execute("PRAGMA journal_mode=WAL")
    fts.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, abstract)")
    ids: list[str] = []
    tantivy_seconds = fts_seconds = 0.0
    batch: list[dict[str, object]] = []

    def flush() -> None:
        nonlocal tantivy_seconds, fts_seconds
        started = time.perf_counter()
        lexical.upsert(
            IndexedPaper(
                id=str(r["id"]),
                title=str(r["title"]),
                abstract=str(r["abstract"]),
                authors=list(r["authors"]),  # type: ignore[call-overload]
                categories=list(r["categories"]),  # type: ignore[call-overload]
            )
            for r in batch
        )
        lexical.commit()
        tantivy_seconds += time.perf_counter() - started
        if not with_fts:
            batch.clear()
            return
        started = time.perf_counter()
        with fts:
            fts.executemany(
                "INSERT INTO docs (id, title, abstract) VALUES (?, ?, ?)",
                [(r["id"], r["title"], r["abstract"]) for r in batch],
            )
        fts_seconds += time.perf_counter() - started
        batch.clear()

    for item in search_corpus.records(size):
        ids.append(str(item["id"]))
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    result["build_s"] = {"tantivy": round(tantivy_seconds, 1)}
    if with_fts:
        result["build_s"]["fts5"] = round(fts_seconds, 1)

    # Vectors: real-model vectors of the first papers, expanded to `size`, chunk by chunk.
    real = search_corpus.real_vectors(min(size, real_count))
    result["real_vectors"] = len(real)
    # The query embedder as SearchService builds it (one ONNX thread per query).
    embedder = load_embedder(
        settings.model_copy(update={"embedding_threads": settings.search_embed_threads})
    )
    vectors = new_vector_index(settings, dim=real.shape[1], model_id=embedder.model_id, count=size)
    vectors.threads = 2  # build with both cores; queries use one thread regardless
    started = time.perf_counter()
    for start in range(0, size, CHUNK):
        count = min(CHUNK, size - start)
        chunk = search_corpus.corpus_vectors(real, start, count)
        if start == 0:
            vectors.build(ids[start : start + count], chunk)
        else:
            vectors.add(ids[start : start + count], chunk)
    result["build_s"]["vectors"] = round(time.perf_counter() - started, 1)
    result["vector_kind"] = vectors.kind

    vectors.save(workdir / "vectors")
    fts.close()
    if vectors.kind == "hnsw":
        truth = exact_top10(real, embedder, query_texts(queries), size)
        (workdir / "truth.json").write_text(json.dumps([[ids[p] for p in row] for row in truth]))
    result["disk_mb"] = {
        "tantivy": round(folder_bytes(workdir / "lexical") / 1e6, 1),
        "vectors": round(folder_bytes(workdir / "vectors") / 1e6, 1),
    }
    if with_fts:
        result["disk_mb"]["fts5"] = round(fts_path.stat().st_size / 1e6, 1)
    result["build_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def serve_size(size: int, queries: int, workdir: Path, *, with_fts: bool = True) -> dict[str, Any]:
    """Open the built indexes as a server process does and time the queries; this process's
    peak RSS is what searching ``size`` papers costs."""
    settings = Settings(data_dir=workdir)
    result: dict[str, Any] = {}
    lexical = LexicalIndex(workdir / "lexical", title_boost=settings.search_title_boost)
    vectors = VectorIndex.load(workdir / "vectors")
    embedder = load_embedder(
        settings.model_copy(update={"embedding_threads": settings.search_embed_threads})
    )
    fts = sqlite3.connect(workdir / "fts5.db")

    retriever = Retriever(
        lexical,
        vectors,
        embedder,
        weights={"lexical": settings.search_lexical_weight, "dense": settings.search_dense_weight},
    )
    texts = query_texts(queries)
    for text in texts[:10]:  # warm caches and the ONNX session
        parsed = parse_query(text)
        retriever.retrieve(parsed, constraints_for(parsed, None), mode="hybrid", depth=DEPTH)

    # Wall time, and this process's CPU time per query: on a machine shared with other jobs
    # the wall time includes waiting for a core, the CPU time does not.
    latency: dict[str, dict[str, float]] = {}
    for mode in MODES:
        times, cpu = [], []
        for text in texts:
            started, cpu_started = time.perf_counter(), time.process_time()
            parsed = parse_query(text)
            retriever.retrieve(parsed, constraints_for(parsed, None), mode=mode, depth=DEPTH)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        latency[mode] = {
            "p50": percentile(times, 50),
            "p99": percentile(times, 99),
            "cpu_p50": percentile(cpu, 50),
        }
    times, cpu = [], []
    for text in texts if with_fts else []:
        started, cpu_started = time.perf_counter(), time.process_time()
        fts.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 2.0, 1.0) LIMIT ?",
            (fts_query(text), DEPTH),
        ).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    if with_fts:
        latency["fts5_bm25"] = {
            "p50": percentile(times, 50),
            "p99": percentile(times, 99),
            "cpu_p50": percentile(cpu, 50),
        }
    result["latency_ms"] = {m: {k: round(v, 2) for k, v in d.items()} for m, d in latency.items()}
    if with_fts:
        result["fts5_over_keyword_p50"] = round(
            latency["fts5_bm25"]["p50"] / max(latency["keyword"]["p50"], 1e-6), 1
        )

    if vectors.kind == "hnsw":
        truth = json.loads((workdir / "truth.json").read_text())
        found = 0
        for text, expected in zip(query_texts(queries), truth, strict=True):
            hits = vectors.search(embedder.embed_query(text), 10)
            found += len(set(expected) & {paper_id for paper_id, _ in hits})
        result["ann_recall@10"] = round(found / (10 * len(truth)), 4)
    fts.close()
    result["serve_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def exact_top10(real: np.ndarray, embedder, texts: list[str], size: int) -> list[list[int]]:
    """Positions of every query's exact top 10 (chunk by chunk, never all vectors at once)."""
    queries = np.stack([embedder.embed_query(t) for t in texts])
    best_scores: np.ndarray = np.full((len(texts), 10), -np.inf, dtype=np.float32)
    best_rows: np.ndarray = np.zeros((len(texts), 10), dtype=np.int64)
    for start in range(0, size, CHUNK):
        chunk = search_corpus.corpus_vectors(real, start, min(CHUNK, size - start))
        scores = queries @ chunk.T
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_rows = np.concatenate(
            [best_rows, np.broadcast_to(np.arange(start, start + len(chunk)), scores.shape)],
            axis=1,
        )
        top = np.argsort(-merged_scores, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, top, axis=1)
        best_rows = np.take_along_axis(merged_rows, top, axis=1)
    return [[int(p) for p in row] for row in best_rows]


def child(step: str, size: int, queries: int, fts: bool, real_count: int, workdir: Path) -> None:
    if step == "build":
        result = build_size(size, queries, workdir, with_fts=fts, real_count=real_count)
    else:
        result = serve_size(size, queries, workdir, with_fts=fts)
    print(json.dumps(result), flush=True)


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| papers | vectors | keyword p50 / p99 (cpu p50) | semantic p50 / p99 (cpu p50) "
        "| hybrid p50 / p99 (cpu p50) | FTS5 bm25 p50 / p99 (cpu p50) | FTS5 ÷ keyword (p50) "
        "| build s (tantivy / vectors / FTS5) "
        "| disk MB (tantivy / vectors / FTS5) | peak RSS MB (build / search) | ANN recall@10 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lat = r["latency_ms"]
        build = r["build_s"]
        disk = r["disk_mb"]
        cells = [
            f"{r['size']:,}",
            str(r["vector_kind"]),
            *(
                f"{lat[m]['p50']:.1f} / {lat[m]['p99']:.1f} ({lat[m]['cpu_p50']:.1f})"
                if m in lat
                else "not run"
                for m in (*MODES, "fts5_bm25")
            ),
            f"{r['fts5_over_keyword_p50']}x" if "fts5_over_keyword_p50" in r else "-",
            f"{build['tantivy']} / {build['vectors']} / {build.get('fts5', '-')}",
            f"{disk['tantivy']} / {disk['vectors']} / {disk.get('fts5', '-')}",
            f"{r['build_peak_rss_mb']} / {r['serve_peak_rss_mb']}",
            str(r.get("ann_recall@10", "exact")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--fts-max", type=int, default=10**9, help="skip the FTS5 baseline above this size"
    )
    parser.add_argument(
        "--real-vectors", type=int, default=100_000, help="papers with real-model vectors"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # STEP SIZE WORKDIR
    args = parser.parse_args()
    if args.child:
        step, size, workdir = args.child[0], int(args.child[1]), Path(args.child[2])
        child(step, size, args.queries, size <= args.fts_max, args.real_vectors, workdir)
        return
    started_load = os.getloadavg()[0]
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        # Building and searching run in two fresh processes, so each peak RSS is its own:
        # the search one is what a server holding the indexes costs.
        workdir = Path(tempfile.mkdtemp(prefix=f"ps-latency-{size}-"))
        result: dict[str, Any] = {"size": size}
        try:
            for step in ("build", "serve"):
                done = subprocess.run(
                    [
                        *(sys.executable, __file__, "--child", step, str(size), str(workdir)),
                        *("--queries", str(args.queries), "--fts-max", str(args.fts_max)),
                        *("--real-vectors", str(args.real_vectors)),
                    ],
                    capture_output=True,
                    text=True,
                    env=os.environ,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"size {size}, {step} failed:\n{done.stderr[-2000:]}")
                result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        except RuntimeError as error:
            print(error, file=sys.stderr)
            continue
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(results))
    else:
        print(table(results))
    if args.record and results:
        import record

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        real = ", ".join(f"{r['size']:,}: {r['real_vectors']:,}" for r in results)
        body = (
            f"`python bench/search_latency.py --sizes {args.sizes} --queries {args.queries} "
            f"--real-vectors {args.real_vectors}` (`make bench`) — {stamp}; {machine()}; "
            f"1-minute load average {started_load:.1f} before, {os.getloadavg()[0]:.1f} after."
            f"\n\n{table(results)}\n\n"
            f"Real-model vectors per size (the rest mixed from them): {real}. Times in ms per "
            "query over real demo-corpus titles, including query parsing and (semantic, "
            "hybrid) embedding the query with the shipped model on one ONNX thread; the CPU "
            "column is the process's CPU time per query. Peak RSS: the process that built the "
            "indexes (corpus generation, tantivy, FTS5, vectors, exact ground truth) and the "
            "fresh process that opened them and ran every query (tantivy, the HNSW or exact "
            "vectors, the embedder, the FTS5 baseline). Targets at 1M: hybrid p50 <= 20 ms, "
            "p99 <= 80 ms; ANN recall@10 >= 0.97; peak RSS <= 3 GiB."
        )
        record.section(ROOT / "docs" / "benchmarks.md", "search-latency", "Search latency", body)


if __name__ == "__main__":
    main()
