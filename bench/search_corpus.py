"""A deterministic synthetic corpus for the search benchmarks, and its real-model vectors.

Each synthetic paper is drawn from the real abstracts' vocabulary around a topic: it takes
one real "anchor" paper (the demo corpus and the SciFact abstracts, ~15k papers, in turn) and
draws most of its words from that paper's words and the rest from the whole vocabulary. So
the words look like arXiv text to the keyword index, and the papers cluster by topic the way
real ones do, which is what an ANN index's recall depends on (uniformly random vectors made
HNSW look far worse than it is on real embeddings).

``real_vectors(n)`` embeds the first ``n`` synthetic papers with the shipped model, once,
into ``bench/out/search-vectors/`` in chunks: an interrupted run keeps its finished chunks
and the next run goes on from there. Same seed, same papers, same vectors.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from paperscope.config import Settings
from paperscope.index.embedder import document_text, load_embedder

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "beir_scifact" / "corpus.jsonl.gz"
OUT = ROOT / "bench" / "out" / "search-vectors"
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "math.OC", "quant-ph", "hep-th"]
WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
CHUNK = 5_000
ANCHOR_SHARE = 0.8  # of a paper's words, drawn from its anchor paper


@cache
def anchors() -> list[tuple[list[str], list[str]]]:
    """(title words, abstract words) of every real paper we have: demo corpus, then SciFact."""
    found: list[tuple[list[str], list[str]]] = []
    demo = files("paperscope") / "demo" / "hf_daily_papers.jsonl.gz"
    with gzip.open(str(demo), "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            found.append((WORD.findall(item["title"]), WORD.findall(item["summary"])))
    if SCIFACT.is_file():
        with gzip.open(SCIFACT, "rt", encoding="utf-8") as handle:
            for line in handle:
                item = json.loads(line)
                found.append((WORD.findall(item.get("title", "")), WORD.findall(item["text"])))
    return [(title, words) for title, words in found if len(words) >= 20 and title]


@cache
def vocabulary() -> list[str]:
    return sorted({word for _title, words in anchors() for word in words})


def records(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """``count`` synthetic papers: id, title, abstract, authors, categories."""
    rng = random.Random(seed)
    real, words = anchors(), vocabulary()
    for number in range(count):
        title_words, anchor = real[number % len(real)]
        length = rng.randint(120, 220)
        own = round(length * ANCHOR_SHARE)
        drawn = rng.choices(anchor, k=own) + rng.choices(words, k=length - own)
        rng.shuffle(drawn)
        title = rng.sample(title_words, k=min(len(title_words), rng.randint(4, 10)))
        title += rng.choices(anchor, k=2)
        authors = [f"{rng.choice(words).title()} {rng.choice(words).title()}" for _ in range(3)]
        yield {
            "id": f"syn-{number:07d}",
            "title": " ".join(title).capitalize(),
            "abstract": " ".join(drawn),
            "authors": authors,
            "categories": rng.sample(CATEGORIES, rng.randint(1, 3)),
        }


def real_vectors(count: int) -> np.ndarray:
    """The shipped model's vectors of the first ``count`` synthetic papers (float32, n x d).

    Computed once and kept as float16 chunks; resumes after an interruption.
    """
    embedder = load_embedder(Settings())
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", embedder.model_id)
    folder = OUT / slug
    folder.mkdir(parents=True, exist_ok=True)
    chunks = []
    pending = records(count)
    started, done_now = time.perf_counter(), 0
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        batch = [next(pending) for _ in range(size)]
        path = folder / f"{start:07d}-{size}.npy"
        if not path.is_file():
            texts = [document_text(str(r["title"]), str(r["abstract"])) for r in batch]
            matrix = embedder.embed_documents(texts)
            np.save(path.with_suffix(".tmp.npy"), matrix.astype(np.float16))
            path.with_suffix(".tmp.npy").rename(path)
            done_now += size
            rate = done_now / (time.perf_counter() - started)
            print(f"  real vectors: {start + size:,}/{count:,} ({rate:.0f}/s)", file=sys.stderr)
        chunks.append(np.load(path).astype(np.float32))
    matrix = np.vstack(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def corpus_vectors(real: np.ndarray, start: int, count: int) -> np.ndarray:
    """Vectors ``start .. start+count`` of the corpus: the real-model ones while they last,
    then normalized mixes of two of them plus noise (deterministic per chunk)."""
    own = real[start : start + count]
    if len(own) == count:
        return own
    missing = count - len(own)
    first_expanded = start + len(own)
    rng = np.random.default_rng(1_000_003 + first_expanded)
    first = rng.integers(0, len(real), missing)
    second = rng.integers(0, len(real), missing)
    mix = rng.uniform(0.0, 0.5, (missing, 1)).astype(np.float32)
    noise = rng.normal(0.0, 0.02, (missing, real.shape[1])).astype(np.float32)
    expanded = real[first] + mix * real[second] + noise
    expanded /= np.linalg.norm(expanded, axis=1, keepdims=True)
    return np.concatenate([own, expanded]) if len(own) else expanded


if __name__ == "__main__":
    # python bench/search_corpus.py N: embed (or finish embedding) the first N papers.
    print(real_vectors(int(sys.argv[1])).shape)
