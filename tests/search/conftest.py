"""Search test helpers: a small deterministic embedder and a way to embed a test store.

``HashingEmbedder`` is a real (if simple) implementation of the ``Embedder`` protocol: bag of
stemmed-ish words hashed into 256 signed dimensions, L2-normalized. It lets the core tier test
the semantic path (filters in the vector retriever, fusion, similar papers) without the
shipped ONNX model; the ``embed`` tier runs the real model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from tests.factories import ingest_list, record

from paperscope.config import Settings
from paperscope.index.embedder import document_text
from paperscope.store import Store
from paperscope.store.embeddings import pending_papers, write_vectors


class HashingEmbedder:
    model_id = "test:hashing-256"
    dim = 256

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                word = word[:5]  # a crude stem: "networks" and "network" share a dimension
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if value & 1 << 31 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


def embed_all(store: Store, embedder: HashingEmbedder) -> int:
    """Write a vector for every paper that lacks one (what `paperscope embed` does)."""
    with store.read() as conn:
        pending = pending_papers(conn, embedder.model_id, limit=1_000_000)
    if not pending:
        return 0
    matrix = embedder.embed_documents([document_text(p.title, p.abstract) for p in pending])
    with store.write() as conn:
        return write_vectors(
            conn, embedder.model_id, [p.id for p in pending], [p.seq for p in pending], matrix
        )


def search_settings(data_dir: Path, store_url: str, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, database_url=store_url, **overrides)  # type: ignore[arg-type]


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# A small corpus with known answers. Ids are arXiv-style so pasted URLs resolve.
CORPUS = [
    record(
        arxiv_id="2401.00001",
        title="Graph Neural Networks for Molecule Property Prediction",
        abstract="We train graph neural networks on molecular graphs to predict properties.",
        authors=["Ada Lovelace", "Alan Turing"],
        categories=["cs.LG", "q-bio.QM"],
        published=day("2024-01-10"),
        code_urls=["https://github.com/example/molgnn"],
    ),
    record(
        arxiv_id="2302.00002",
        title="Video Diffusion Models with Temporal Attention",
        abstract="A diffusion model generates video frames; temporal attention keeps them "
        "consistent. We compare against <script>alert(1)</script> GAN baselines & others.",
        authors=["Grace Hopper"],
        categories=["cs.CV"],
        published=day("2023-02-01"),
    ),
    record(
        arxiv_id="2405.00003",
        title="Protein Folding with Language Models",
        abstract="Protein language models predict structure; folding emerges from sequence.",
        authors=["Rosalind Franklin", "Alan Turing"],
        categories=["q-bio.BM"],
        published=day("2024-05-03"),
        code_urls=["https://github.com/example/fold"],
    ),
    record(
        arxiv_id="2406.00004",
        title="Attention Is Not All You Need for Tabular Data",
        abstract="Gradient boosted trees beat transformers on tabular benchmarks; neural "
        "networks need better inductive biases for tables.",
        authors=["Ada Lovelace"],
        categories=["cs.LG"],
        published=day("2024-06-20"),
    ),
    record(
        arxiv_id="2201.00005",
        title="Message Passing on Graphs, Revisited",
        abstract="Message passing neural networks on graphs are studied; oversmoothing limits "
        "depth of graph networks.",
        authors=["Edsger Dijkstra"],
        categories=["cs.LG", "cs.DS"],
        published=day("2022-01-15"),
    ),
]


@pytest.fixture
def corpus_store(store: Store) -> Store:
    ingest_list(store, list(CORPUS))
    return store
