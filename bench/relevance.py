"""Search relevance on SciFact (BEIR): nDCG@10 and recall@100 for keyword, semantic, hybrid.

    python bench/relevance.py [--data DIR] [--split test|train] [--json] [--grid] [--record]

It runs the serving code: the tantivy index (``paperscope.index.lexical``), the shipped
embedder, the vector index and ``paperscope.search.retrieval.Retriever`` (query parsing,
weighted RRF) with the weights and title boost from ``Settings``. Document vectors are cached
under ``--cache`` keyed by model id and corpus hash, so reruns take seconds.

``--split train`` scores the 809 SciFact *train* claims (their cited abstracts as relevant):
tune there, report on ``test``. ``--grid`` scores a grid of fusion weights and title boosts.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from paperscope.config import Settings
from paperscope.index.embedder import Embedder, document_text, load_embedder
from paperscope.index.lexical import IndexedPaper, LexicalIndex
from paperscope.index.vectors import VectorIndex
from paperscope.search.query import parse_query
from paperscope.search.retrieval import Retriever, constraints_for

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beir_scifact"
BASELINES = ROOT.parent / "shared" / "data" / "baselines" / "published_ndcg10.csv"
MODES = ("keyword", "semantic", "hybrid")
PUBLISHED = {  # model names in published_ndcg10.csv for the rows we print beside ours
    "keyword": ("BM25",),
    "semantic": ("sentence-transformers/all-MiniLM-L6-v2",),
    "hybrid": ("BAAI/bge-small-en-v1.5",),
}


def load_corpus(data: Path) -> list[dict[str, str]]:
    with gzip.open(data / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_queries(data: Path, split: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Query texts and relevant doc ids: BEIR test qrels, or the SciFact train claims."""
    if split == "test":
        texts = {}
        for line in (data / "queries.jsonl").read_text("utf-8").splitlines():
            item = json.loads(line)
            texts[str(item["_id"])] = item["text"]
        qrels: dict[str, set[str]] = {}
        with (data / "qrels" / "test.tsv").open() as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if int(row["score"]) > 0:
                    qrels.setdefault(row["query-id"], set()).add(row["corpus-id"])
        return {q: texts[q] for q in qrels}, qrels
    texts, qrels = {}, {}
    for line in (data / "scifact_original_claims_train.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        cited = {str(doc) for doc in item.get("cited_doc_ids") or []}
        if cited:
            texts[str(item["id"])] = item["claim"]
            qrels[str(item["id"])] = cited
    return texts, qrels


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k (as pytrec_eval computes it for BEIR)."""
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = 100) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


class CachedQueries:
    """The embedder, with query vectors memoized (each mode and grid point reuses them)."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.model_id, self.dim = embedder.model_id, embedder.dim
        self.cache: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self.inner.embed_documents(texts, batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self.cache:
            self.cache[text] = self.inner.embed_query(text)
        return self.cache[text]


def document_vectors(corpus: list[dict[str, str]], embedder: Embedder, cache: Path) -> np.ndarray:
    texts = [document_text(doc["title"], doc["text"]) for doc in corpus]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", embedder.model_id)
    path = cache / f"scifact-{slug}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    matrix = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    step = 256
    for start in range(0, len(texts), step):
        matrix[start : start + step] = embedder.embed_documents(texts[start : start + step])
        done = min(start + step, len(texts))
        rate = done / (time.perf_counter() - started)
        print(f"  embedded {done}/{len(texts)} ({rate:.1f}/s)", file=sys.stderr)
    np.save(path, matrix)
    return matrix


def build_lexical(corpus: list[dict[str, str]], folder: Path, title_boost: float) -> LexicalIndex:
    index = LexicalIndex(folder, title_boost=title_boost)
    index.upsert(
        IndexedPaper(id=str(doc["_id"]), title=doc["title"], abstract=doc["text"]) for doc in corpus
    )
    index.commit()
    return index


def evaluate(
    retriever: Retriever, queries: dict[str, str], qrels: dict[str, set[str]], mode: str
) -> dict[str, float]:
    ndcgs, recalls = [], []
    for query_id, text in queries.items():
        parsed = parse_query(text)
        retrieval = retriever.retrieve(parsed, constraints_for(parsed, None), mode=mode, depth=100)
        ranked = [r.paper_id for r in retrieval.ranked]
        ndcgs.append(ndcg_at(ranked, qrels[query_id]))
        recalls.append(recall_at(ranked, qrels[query_id]))
    return {"ndcg@10": float(np.mean(ndcgs)), "recall@100": float(np.mean(recalls))}


def published_rows() -> dict[str, float]:
    out: dict[str, float] = {}
    if BASELINES.is_file():
        with BASELINES.open() as handle:
            for row in csv.DictReader(handle):
                if row["dataset"] == "scifact" and row["split"] == "test":
                    out.setdefault(row["model"], float(row["ndcg_at_10"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="BEIR SciFact folder")
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "cache")
    parser.add_argument("--json", action="store_true", help="print {ndcg@10: {mode: x}}")
    parser.add_argument("--grid", action="store_true", help="score a grid of weights/boosts")
    parser.add_argument("--lexical-weight", type=float, default=None)
    parser.add_argument("--dense-weight", type=float, default=None)
    parser.add_argument("--title-boost", type=float, default=None)
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()

    settings = Settings()
    lexical_weight = args.lexical_weight or settings.search_lexical_weight
    dense_weight = args.dense_weight or settings.search_dense_weight
    title_boost = args.title_boost or settings.search_title_boost

    corpus = load_corpus(args.data)
    queries, qrels = load_queries(args.data, args.split)
    embedder = CachedQueries(load_embedder(settings))
    matrix = document_vectors(corpus, embedder, args.cache)
    vectors = VectorIndex(embedder.dim, kind="exact", model_id=embedder.model_id)
    vectors.build([str(doc["_id"]) for doc in corpus], matrix)

    with tempfile.TemporaryDirectory() as tmp:
        if args.grid:
            run_grid(corpus, queries, qrels, vectors, embedder, Path(tmp))
            return
        lexical = build_lexical(corpus, Path(tmp) / "lexical", title_boost)
        retriever = Retriever(
            lexical,
            vectors,
            embedder,
            weights={"lexical": lexical_weight, "dense": dense_weight},
        )
        scores = {mode: evaluate(retriever, queries, qrels, mode) for mode in MODES}

    if args.json:
        print(
            json.dumps(
                {
                    metric: {mode: round(scores[mode][metric], 4) for mode in MODES}
                    for metric in ("ndcg@10", "recall@100")
                }
            )
        )
        return
    published = published_rows()
    lines = [
        f"SciFact {args.split} ({len(queries)} queries, {len(corpus)} abstracts), "
        f"model {embedder.model_id}, title bonus {title_boost}, "
        f"RRF weights lexical {lexical_weight} / dense {dense_weight}, k=60",
        "",
        "| mode | nDCG@10 | recall@100 | published nDCG@10 (same split) |",
        "|---|---|---|---|",
    ]
    for mode in MODES:
        beside = ", ".join(f"{n} {published[n]:.3f}" for n in PUBLISHED[mode] if n in published)
        lines.append(
            f"| {mode} | {scores[mode]['ndcg@10']:.4f} | {scores[mode]['recall@100']:.4f} "
            f"| {beside} |"
        )
    print("\n".join(lines))
    if args.record:
        sys.path.insert(0, str(Path(__file__).parent))
        import record

        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        body = (
            f"`python bench/relevance.py --split {args.split}` (`make bench`) — {stamp}, "
            f"{os.cpu_count()} cores (relevance does not depend on the machine).\n\n"
            + "\n".join(lines)
            + "\n\nWeights and title bonus were chosen on the 809 SciFact train claims "
            "(`--split train --grid`), see docs/search.md; the test split is only reported."
        )
        record.section(
            ROOT / "docs" / "benchmarks.md", "search-relevance", "Search relevance (SciFact)", body
        )


def run_grid(
    corpus: list[dict[str, str]],
    queries: dict[str, str],
    qrels: dict[str, set[str]],
    vectors: VectorIndex,
    embedder: Embedder,
    folder: Path,
) -> None:
    print("title_boost lexical_w dense_w   keyword  semantic    hybrid   (nDCG@10)")
    semantic: float | None = None
    for boost in (0.0, 0.25, 0.5, 1.0):
        lexical = build_lexical(corpus, folder / f"boost-{boost}", boost)
        keyword: float | None = None
        for lexical_weight, dense_weight in (
            (1.0, 2.0),
            (1.0, 1.0),
            (1.5, 1.0),
            (2.0, 1.0),
            (2.5, 1.0),
            (3.0, 1.0),
            (4.0, 1.0),
        ):
            retriever = Retriever(
                lexical,
                vectors,
                embedder,
                weights={"lexical": lexical_weight, "dense": dense_weight},
            )
            if keyword is None:
                keyword = evaluate(retriever, queries, qrels, "keyword")["ndcg@10"]
            if semantic is None:
                semantic = evaluate(retriever, queries, qrels, "semantic")["ndcg@10"]
            hybrid = evaluate(retriever, queries, qrels, "hybrid")["ndcg@10"]
            print(
                f"{boost:>11} {lexical_weight:>9} {dense_weight:>7}   {keyword:.4f}    "
                f"{semantic:.4f}    {hybrid:.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
