"""Weighted reciprocal rank fusion, checked against a naive reference (pure)."""

from __future__ import annotations

import random

from paperscope.search.fusion import RRF_K, reciprocal_rank_fusion


def naive_rrf(rankings, weights, k=RRF_K):
    scores = {}
    for name, ids in rankings.items():
        for rank, paper_id in enumerate(ids, start=1):
            if ids.index(paper_id) + 1 != rank:
                continue
            scores[paper_id] = scores.get(paper_id, 0.0) + weights.get(name, 1.0) / (k + rank)
    return scores


def test_a_paper_ranked_by_both_beats_one_ranked_by_either():
    fused = reciprocal_rank_fusion({"lexical": ["a", "b", "c"], "dense": ["c", "d", "a"]})
    assert fused[0].paper_id == "a"
    assert fused[0].ranks == {"lexical": 1, "dense": 3}
    assert fused[1].paper_id == "c"
    assert {f.paper_id for f in fused} == {"a", "b", "c", "d"}


def test_weights_shift_the_order():
    rankings = {"lexical": ["x", "y"], "dense": ["y", "x"]}
    assert reciprocal_rank_fusion(rankings, {"lexical": 2.0, "dense": 1.0})[0].paper_id == "x"
    assert reciprocal_rank_fusion(rankings, {"lexical": 1.0, "dense": 2.0})[0].paper_id == "y"


def test_parity_with_naive_reference():
    generator = random.Random(7)
    for _ in range(200):
        pool = [f"p{i}" for i in range(40)]
        rankings = {
            "lexical": generator.sample(pool, generator.randint(0, 30)),
            "dense": generator.sample(pool, generator.randint(0, 30)),
        }
        weights = {"lexical": generator.uniform(0, 2), "dense": generator.uniform(0, 2)}
        fused = reciprocal_rank_fusion(rankings, weights)
        expected = naive_rrf(rankings, weights)
        assert {f.paper_id: f.score for f in fused} == expected or all(
            abs(f.score - expected[f.paper_id]) < 1e-12 for f in fused
        )
        scores = [f.score for f in fused]
        assert scores == sorted(scores, reverse=True)


def test_duplicates_in_one_list_count_once_and_order_is_deterministic():
    fused = reciprocal_rank_fusion({"lexical": ["a", "a", "b"], "dense": []})
    assert [f.paper_id for f in fused] == ["a", "b"]
    assert fused[0].score == 1 / (RRF_K + 1)
    tie = reciprocal_rank_fusion({"lexical": ["b"], "dense": ["a"]})
    assert [f.paper_id for f in tie] == ["a", "b"]
