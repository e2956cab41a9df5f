"""VectorIndex: exact search against a naive reference, filters inside retrieval, HNSW parity
with exact on real embeddings (the shipped demo vectors), save/load."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from paperscope.index.embedder import l2_normalize
from paperscope.index.embeddings import DEMO_VECTORS
from paperscope.index.vectors import VectorIndex, choose_kind


def unit_vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    return l2_normalize(np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32))


def naive_top(matrix: np.ndarray, ids: list[str], query: np.ndarray, k: int, allowed=None):
    """The reference: score everything, drop what is not allowed, sort, cut."""
    scored = [
        (ids[i], float(matrix[i] @ query)) for i in range(len(ids)) if allowed is None or allowed[i]
    ]
    return sorted(scored, key=lambda pair: -pair[1])[:k]


@pytest.fixture(scope="module")
def demo_vectors() -> np.ndarray:
    path = Path(str(files("paperscope") / "demo" / DEMO_VECTORS))
    assert path.is_file(), "the demo vectors ship in the package"
    return l2_normalize(np.load(path).astype(np.float32))


def test_exact_search_matches_the_naive_reference() -> None:
    matrix = unit_vectors(500)
    ids = [f"p{i}" for i in range(500)]
    index = VectorIndex(32, kind="exact")
    index.build(ids, matrix)
    for query in unit_vectors(5, seed=1):
        got = index.search(query, 10)
        want = naive_top(matrix, ids, query, 10)
        assert [g[0] for g in got] == [w[0] for w in want]
        assert np.allclose([g[1] for g in got], [w[1] for w in want], atol=1e-5)


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_filter_applies_inside_retrieval(kind: str) -> None:
    """A mask allowing only papers that rank low overall still yields k of them, best first."""
    matrix = unit_vectors(3000, seed=2)
    ids = [f"p{i}" for i in range(3000)]
    query = matrix[0]
    scores = matrix @ query
    allowed = scores < np.quantile(scores, 0.5)  # the better half is filtered out
    index = VectorIndex(32, kind=kind, ef_search=400)
    index.build(ids, matrix)
    got = index.search(query, 10, allowed=allowed)
    want = naive_top(matrix, ids, query, 10, allowed)
    assert len(got) == 10
    assert all(allowed[int(paper_id[1:])] for paper_id, _ in got)
    assert len({g[0] for g in got} & {w[0] for w in want}) >= 9


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_a_filter_smaller_than_k_returns_only_allowed(kind: str) -> None:
    matrix = unit_vectors(200, seed=3)
    ids = [f"p{i}" for i in range(200)]
    index = VectorIndex(32, kind=kind)
    index.build(ids, matrix)
    allowed = np.zeros(200, dtype=bool)
    allowed[[5, 50, 150]] = True
    got = index.search(matrix[0], 10, allowed=allowed)
    assert sorted(g[0] for g in got) == ["p150", "p5", "p50"]
    assert index.search(matrix[0], 10, allowed=np.zeros(200, dtype=bool)) == []


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_add_replaces_a_paper_vector_and_appends_new_ones(kind: str) -> None:
    matrix = unit_vectors(100, seed=4)
    ids = [f"p{i}" for i in range(100)]
    index = VectorIndex(32, kind=kind)
    index.build(ids, matrix)
    moved = unit_vectors(1, seed=99)
    index.add(["p7", "new"], np.vstack([moved, -moved]))
    assert len(index) == 101
    assert index.search(moved[0], 1)[0][0] == "p7"
    assert index.search(-moved[0], 1)[0][0] == "new"
    assert index.position("new") == 100
    assert np.allclose(index.vector("p7"), moved[0], atol=1e-6)


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_save_and_load_answer_alike(kind: str, tmp_path: Path) -> None:
    matrix = unit_vectors(300, seed=5)
    ids = [f"p{i}" for i in range(300)]
    index = VectorIndex(32, kind=kind, model_id="m")
    index.build(ids, matrix)
    index.save(tmp_path / "vectors", meta={"seq": 42})
    loaded = VectorIndex.load(tmp_path / "vectors")
    assert (loaded.kind, loaded.model_id, loaded.meta, len(loaded)) == (kind, "m", {"seq": 42}, 300)
    assert loaded.search(matrix[3], 5) == index.search(matrix[3], 5)


def test_choose_kind_switches_at_the_threshold() -> None:
    assert choose_kind(1000, exact_max=1000) == "exact"
    assert choose_kind(1001, exact_max=1000) == "hnsw"


def test_hnsw_recall_against_exact_on_real_embeddings(demo_vectors: np.ndarray) -> None:
    """Real model vectors, not random ones (which mislead HNSW benchmarks): recall@10 >= 0.97."""
    held_out = 200
    corpus, queries = demo_vectors[:-held_out], demo_vectors[-held_out:]
    ids = [str(i) for i in range(len(corpus))]
    exact = VectorIndex(corpus.shape[1], kind="exact")
    exact.build(ids, corpus)
    hnsw = VectorIndex(corpus.shape[1], kind="hnsw", m=16, ef_construction=200, ef_search=256)
    hnsw.build(ids, corpus)
    found = 0
    for query in queries:
        truth = {paper_id for paper_id, _ in exact.search(query, 10)}
        found += len(truth & {paper_id for paper_id, _ in hnsw.search(query, 10)})
    assert found / (10 * held_out) >= 0.97
