"""Embedding and vector-search benchmarks.

    python bench/vectors.py speed   [--docs 128] [--models build/model/fp32 build/model/int8]
    python bench/vectors.py scifact [--model FOLDER] [--max-seq-length 256]
    python bench/vectors.py ann     [--sizes 10000 100000 1000000] [--ef 128 256 400]

``speed``: documents/s for each ONNX variant and sequence length, and single-query latency.
``scifact``: semantic-only nDCG@10 / recall@100 on BEIR SciFact (test qrels), exact search.
``ann``: HNSW (hnswlib) recall@10 against exact search, p50/p99 latency, build time and
memory, at each size. The corpus vectors are real model embeddings (the shipped demo vectors
and the search benchmark's synthetic papers, ``bench/search_corpus.py``); sizes beyond them
are made from them (``search_corpus.corpus_vectors``): each extra vector is
normalize(x_i + l * x_j + e), x_i and x_j random real vectors, l ~ U(0, 0.5), e ~ N(0, 0.02^2)
per dimension. Queries are real: demo-corpus titles and SciFact claims, embedded by the
shipped model.
Results are printed as JSON lines and appended to bench/out/vectors.jsonl.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from paperscope.index.embedder import (
    SHIPPED_MODEL_ID,
    OnnxEmbedder,
    document_text,
    l2_normalize,
    shipped_model_folder,
)
from paperscope.index.vectors import VectorIndex

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "beir_scifact"
OUT = ROOT / "bench" / "out"
DEMO = ROOT / "src" / "paperscope" / "demo"


def record(result: dict[str, Any]) -> None:
    result = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **result}
    print(json.dumps(result), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "vectors.jsonl").open("a") as handle:
        handle.write(json.dumps(result) + "\n")


def scifact_corpus() -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with gzip.open(SCIFACT / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            ids.append(str(doc["_id"]))
            texts.append(document_text(doc.get("title", ""), doc["text"]))
    return ids, texts


def scifact_queries() -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    texts = {}
    for line in (SCIFACT / "queries.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        texts[str(item["_id"])] = item["text"]
    qrels: dict[str, dict[str, int]] = {}
    for line in (SCIFACT / "qrels" / "test.tsv").read_text("utf-8").splitlines()[1:]:
        query, doc, score = line.split("\t")
        qrels.setdefault(query, {})[doc] = int(score)
    return {q: texts[q] for q in qrels}, qrels


def cached_embeddings(embedder: OnnxEmbedder, texts: list[str], name: str) -> np.ndarray:
    """Embed once per model id and text set; reruns read bench/out/vectors-cache."""
    slug = "".join(c if c.isalnum() or c in ".-" else "_" for c in embedder.model_id)
    path = OUT / "vectors-cache" / f"{name}-{slug}-{len(texts)}.npy"
    if path.is_file():
        return np.load(path)
    started = time.perf_counter()
    parts = []
    for start in range(0, len(texts), 256):
        parts.append(embedder.embed_documents(texts[start : start + 256]))
        done = start + len(parts[-1])
        rate = done / (time.perf_counter() - started)
        print(f"  {name}: embedded {done}/{len(texts)} ({rate:.1f}/s)", file=sys.stderr)
    matrix = np.vstack(parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return matrix


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(
        (2 ** relevant.get(doc, 0) - 1) / math.log2(rank + 2)
        for rank, doc in enumerate(ranked[:10])
    )
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def model_folders(names: list[str] | None) -> list[Path]:
    if names:
        return [Path(n) for n in names]
    built = [ROOT / "build" / "model" / v for v in ("fp32", "int8")]
    return [p for p in built if p.is_dir()] or [shipped_model_folder()]


def cmd_speed(args: argparse.Namespace) -> None:
    _ids, texts = scifact_corpus()
    texts = texts[: args.docs]
    queries = list(scifact_queries()[0].values())[:50]
    for folder in model_folders(args.models):
        for length in args.lengths:
            embedder = OnnxEmbedder(folder, max_seq_length=length)
            embedder.embed_documents(texts[:4])
            started = time.perf_counter()
            embedder.embed_documents(texts)
            seconds = time.perf_counter() - started
            latencies = []
            for query in queries:
                t = time.perf_counter()
                embedder.embed_query(query)
                latencies.append((time.perf_counter() - t) * 1000)
            record(
                {
                    "bench": "embed-speed",
                    "model_id": embedder.model_id,
                    "max_seq_length": length,
                    "docs": len(texts),
                    "docs_per_s": round(len(texts) / seconds, 1),
                    "query_ms_p50": round(float(np.percentile(latencies, 50)), 2),
                    "query_ms_p99": round(float(np.percentile(latencies, 99)), 2),
                }
            )


def subset(ids: list[str], texts: list[str], qrels: dict, others: int) -> tuple[list, list]:
    """Every judged document plus the first ``others`` unjudged ones (a cheaper A/B corpus)."""
    judged = {doc for docs in qrels.values() for doc in docs}
    keep, extra = [], 0
    for position, doc in enumerate(ids):
        if doc in judged:
            keep.append(position)
        elif extra < others:
            keep.append(position)
            extra += 1
    return [ids[p] for p in keep], [texts[p] for p in keep]


def cmd_scifact(args: argparse.Namespace) -> None:
    ids, texts = scifact_corpus()
    queries, qrels = scifact_queries()
    name = "scifact"
    if args.subset:
        ids, texts = subset(ids, texts, qrels, args.subset)
        name = f"scifact-subset{args.subset}"
    for folder in model_folders(args.models):
        embedder = OnnxEmbedder(folder, max_seq_length=args.max_seq_length)
        if args.subset and embedder.model_id == SHIPPED_FULL_ID:
            # The full-corpus vectors of the shipped model, if cached, hold the subset's too.
            matrix = subset_of_cached_full(embedder, ids)
            if matrix is None:
                matrix = cached_embeddings(embedder, texts, name)
        else:
            matrix = cached_embeddings(embedder, texts, name)
        index = VectorIndex(matrix.shape[1], kind="exact")
        index.build(ids, matrix)
        ndcg, recall = [], []
        for query_id, text in queries.items():
            ranked = [doc for doc, _ in index.search(embedder.embed_query(text), 100)]
            relevant = qrels[query_id]
            ndcg.append(ndcg_at_10(ranked, relevant))
            recall.append(len(set(ranked) & set(relevant)) / len(relevant))
        record(
            {
                "bench": "scifact-semantic",
                "model_id": embedder.model_id,
                "corpus": len(ids),
                "queries": len(queries),
                "ndcg@10": round(float(np.mean(ndcg)), 4),
                "recall@100": round(float(np.mean(recall)), 4),
                "published_all-MiniLM-L6-v2_ndcg@10": 0.645,
            }
        )


SHIPPED_FULL_ID = SHIPPED_MODEL_ID


def subset_of_cached_full(embedder: OnnxEmbedder, ids: list[str]) -> np.ndarray | None:
    all_ids, texts = scifact_corpus()
    slug = "".join(c if c.isalnum() or c in ".-" else "_" for c in embedder.model_id)
    path = OUT / "vectors-cache" / f"scifact-{slug}-{len(texts)}.npy"
    if not path.is_file():
        return None
    position = {doc: i for i, doc in enumerate(all_ids)}
    return np.load(path)[[position[doc] for doc in ids]]


def real_vectors(extra: list[Path] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Real corpus vectors (demo + SciFact documents) and real query vectors (SciFact claims)."""
    embedder = OnnxEmbedder(shipped_model_folder())
    parts = []
    for path in extra or [DEMO / "demo_vectors.f16.npy"]:
        if path.is_file():
            parts.append(l2_normalize(np.load(path).astype(np.float32)))
    _ids, texts = scifact_corpus()
    slug = "".join(c if c.isalnum() or c in ".-" else "_" for c in embedder.model_id)
    scifact = OUT / "vectors-cache" / f"scifact-{slug}-{len(texts)}.npy"
    if scifact.is_file() or not parts:  # SciFact documents join in once they are embedded
        parts.append(cached_embeddings(embedder, texts, "scifact"))
    queries = list(scifact_queries()[0].values())
    return np.vstack(parts), cached_embeddings(embedder, queries, "scifact-queries")


def synthetic(base: np.ndarray, size: int) -> np.ndarray:
    """``size`` vectors: the real ones first, then mixes of two of them plus noise (the
    search benchmark's ``corpus_vectors``)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import search_corpus

    out = np.empty((size, base.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        count = min(100_000, size - start)
        out[start : start + count] = search_corpus.corpus_vectors(base, start, count)
    return out


def exact_top10(matrix: np.ndarray, queries: np.ndarray) -> list[set[str]]:
    """Ground truth: the exact top 10 ids of every query (chunked matrix products)."""
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(matrix), 200_000):
        scores = queries @ matrix[start : start + 200_000].T
        top = np.argpartition(-scores, 9, axis=1)[:, :10]
        merged_scores = np.hstack([best_scores, np.take_along_axis(scores, top, axis=1)])
        merged_ids = np.hstack([best_ids, top + start])
        keep = np.argsort(-merged_scores, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_ids = np.take_along_axis(merged_ids, keep, axis=1)
    return [{str(i) for i in row} for row in best_ids]


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def ann_vectors(real_count: int, query_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Real-model vectors: the demo corpus's, then the search benchmark's synthetic papers'
    (bench/search_corpus.py); queries: demo-corpus titles and SciFact claims, embedded."""
    sys.path.insert(0, str(Path(__file__).parent))
    import search_corpus
    import search_latency

    demo = l2_normalize(np.load(DEMO / "demo_vectors.f16.npy").astype(np.float32))
    base = np.vstack([demo, search_corpus.real_vectors(real_count)])
    embedder = OnnxEmbedder(shipped_model_folder())
    texts = search_latency.query_texts(query_count // 2)
    texts += list(scifact_queries()[0].values())[: query_count - len(texts)]
    return base, np.vstack([embedder.embed_query(text) for text in texts])


def cmd_ann(args: argparse.Namespace) -> None:
    if args.base:
        base, queries = real_vectors(args.base)
        queries = queries[: args.queries]
    else:
        base, queries = ann_vectors(args.real_vectors, args.queries)
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        matrix = synthetic(base, size)
        ids = [str(i) for i in range(size)]
        exact = VectorIndex(matrix.shape[1], kind="exact")
        exact.build(ids, matrix)
        exact_ms = []
        for query in queries[:50]:
            t = time.perf_counter()
            exact.search(query, 10)
            exact_ms.append((time.perf_counter() - t) * 1000)
        del exact
        truth = exact_top10(matrix, queries)
        rss_before = rss_mib()
        started = time.perf_counter()
        hnsw = VectorIndex(
            matrix.shape[1],
            kind="hnsw",
            m=args.m,
            ef_construction=args.ef_construction,
            threads=args.threads,
        )
        hnsw.build(ids, matrix)
        build_s = time.perf_counter() - started
        hnsw_mib = rss_mib() - rss_before
        for ef in args.ef:
            hnsw.ef_search = ef
            latencies, found = [], 0
            for query, expected in zip(queries, truth, strict=True):
                t = time.perf_counter()
                hits = hnsw.search(query, 10)
                latencies.append((time.perf_counter() - t) * 1000)
                found += len(expected & {h[0] for h in hits})
            rows.append(
                {
                    "bench": "ann",
                    "size": size,
                    "real_vectors": min(size, len(base)),
                    "queries": len(queries),
                    "m": args.m,
                    "ef_construction": args.ef_construction,
                    "ef_search": ef,
                    "recall@10": round(found / (10 * len(queries)), 4),
                    "hnsw_ms_p50": round(float(np.percentile(latencies, 50)), 3),
                    "hnsw_ms_p99": round(float(np.percentile(latencies, 99)), 3),
                    "exact_ms_p50": round(float(np.percentile(exact_ms, 50)), 3),
                    "exact_ms_p99": round(float(np.percentile(exact_ms, 99)), 3),
                    "build_s": round(build_s, 1),
                    "hnsw_rss_mib": round(hnsw_mib),
                    "matrix_mib": round(matrix.nbytes / 2**20),
                    "peak_rss_mib": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    ),
                }
            )
            record(rows[-1])
        # Filtered retrieval (masks of 10% and 1% of the papers, as cat:/year: filters give):
        # recall against the exact top 10 of the allowed papers, and latency.
        hnsw.ef_search = args.ef[-1]
        for fraction in (0.10, 0.01):
            allowed = np.random.default_rng(11).random(size) < fraction
            positions = np.flatnonzero(allowed)
            filtered_truth = [
                {str(positions[int(i)]) for i in found_ids}
                for found_ids in exact_top10(matrix[positions], queries)
            ]
            latencies, found = [], 0
            for query, expected in zip(queries, filtered_truth, strict=True):
                t = time.perf_counter()
                hits = hnsw.search(query, 10, allowed=allowed)
                latencies.append((time.perf_counter() - t) * 1000)
                found += len(expected & {h[0] for h in hits})
            rows.append(
                {
                    "bench": "ann-filtered",
                    "size": size,
                    "allowed_fraction": fraction,
                    "ef_search": args.ef[-1],
                    "recall@10": round(found / (10 * len(queries)), 4),
                    "hnsw_ms_p50": round(float(np.percentile(latencies, 50)), 3),
                    "hnsw_ms_p99": round(float(np.percentile(latencies, 99)), 3),
                }
            )
            record(rows[-1])
        del hnsw, matrix
    if args.record:
        record_ann(args, rows, len(base), len(queries))


def record_ann(
    args: argparse.Namespace, rows: list[dict[str, Any]], real: int, queries: int
) -> None:
    import platform

    import record as docs_record

    lines = [
        "| vectors | ef_search | recall@10 | HNSW p50 / p99 ms | exact p50 / p99 ms "
        "| HNSW build s | HNSW MiB | peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["bench"] == "ann":
            lines.append(
                f"| {r['size']:,} | {r['ef_search']} | {r['recall@10']:.3f} "
                f"| {r['hnsw_ms_p50']:.2f} / {r['hnsw_ms_p99']:.2f} "
                f"| {r['exact_ms_p50']:.1f} / {r['exact_ms_p99']:.1f} | {r['build_s']} "
                f"| {r['hnsw_rss_mib']} | {r['peak_rss_mib']} |"
            )
        else:
            lines.append(
                f"| {r['size']:,}, {r['allowed_fraction']:.0%} allowed | {r['ef_search']} "
                f"| {r['recall@10']:.3f} "
                f"| {r['hnsw_ms_p50']:.2f} / {r['hnsw_ms_p99']:.2f} | | | | |"
            )
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sizes = " ".join(str(s) for s in args.sizes)
    body = (
        f"`python bench/vectors.py ann --sizes {sizes} --ef {' '.join(map(str, args.ef))} "
        f"--m {args.m} --record` (`make bench`) — {stamp}; {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}; 1-minute load average "
        f"{os.getloadavg()[0]:.1f} at the end.\n\n"
        + "\n".join(lines)
        + f"\n\nVectors: {real:,} real-model vectors (the shipped model over the demo corpus "
        "and the search benchmark's synthetic papers), then normalized mixes of two of them "
        f"plus noise; {queries} real queries (demo-corpus titles and SciFact claims). Recall "
        "is against the exact top 10 (chunked matrix products); HNSW is hnswlib with "
        f"M={args.m}, ef_construction={args.ef_construction}, built on {args.threads} threads, "
        "queried on one; peak RSS is the benchmark process's, which also holds the whole "
        "matrix for the exact side (1,465 MiB at 1M). The filtered rows keep a random 10% or "
        "1% of the papers (a `cat:` or "
        "`year:` filter); below `FILTERED_EXACT_MAX` allowed papers a filtered query is "
        "answered exactly."
    )
    docs_record.section(
        ROOT / "docs" / "benchmarks.md", "ann", "Vector search: HNSW against exact", body
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed = commands.add_parser("speed", help="embedding throughput and query latency")
    speed.add_argument("--docs", type=int, default=128)
    speed.add_argument("--models", nargs="*", help="ONNX model folders (default: build/model/*)")
    speed.add_argument("--lengths", type=int, nargs="*", default=[256, 128])
    scifact = commands.add_parser("scifact", help="semantic-only nDCG@10 on SciFact")
    scifact.add_argument("--models", nargs="*", help="ONNX model folders (default: build/model/*)")
    scifact.add_argument("--max-seq-length", type=int, default=256)
    scifact.add_argument(
        "--subset", type=int, default=0, help="judged docs + N others (0: the full corpus)"
    )
    ann = commands.add_parser("ann", help="HNSW recall and latency vs exact")
    ann.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ann.add_argument("--ef", type=int, nargs="*", default=[128, 256, 400])
    ann.add_argument("--m", type=int, default=16)
    ann.add_argument("--ef-construction", type=int, default=200)
    ann.add_argument("--threads", type=int, default=2)
    ann.add_argument("--queries", type=int, default=300)
    ann.add_argument(
        "--base", type=Path, nargs="*", help=".npy of real vectors (default: demo + search corpus)"
    )
    ann.add_argument("--real-vectors", type=int, default=100_000)
    ann.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    {"speed": cmd_speed, "scifact": cmd_scifact, "ann": cmd_ann}[args.command](args)


if __name__ == "__main__":
    main()
