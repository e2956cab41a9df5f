"""The tantivy index on its own: boosts, stemming, phrases, filters, snippets, upserts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from paperscope.index.lexical import Constraints, IndexedPaper, LexicalIndex


def paper(paper_id: str, title: str, abstract: str, **fields) -> IndexedPaper:
    return IndexedPaper(id=paper_id, title=title, abstract=abstract, **fields)


@pytest.fixture
def index(tmp_path: Path) -> LexicalIndex:
    lexical = LexicalIndex(tmp_path / "lexical", title_boost=2.0)
    lexical.upsert(
        [
            paper(
                "title-hit",
                "Transformers for Speech",
                "We study audio models on long recordings of people talking.",
                authors=["Yann LeCun"],
                categories=["cs.SD"],
                published=datetime(2024, 3, 1),
                has_code=True,
            ),
            paper(
                "abstract-hit",
                "Speech Models at Scale",
                "We study transformers on long recordings of people talking today.",
                authors=["Geoffrey Hinton", "Yann Dauphin"],
                categories=["cs.CL", "eess.AS"],
                published=datetime(2022, 7, 1),
            ),
            paper(
                "phrase",
                "Neural Network Pruning",
                "Pruning a neural network removes weights. <b>Bold</b> & <i>claims</i>.",
                authors=["Ann Lee"],
                categories=["cs.LG"],
                published=date(2023, 1, 5),
            ),
            paper(
                "scattered",
                "Networks of Neural Cells",
                "Networks in the brain: neural tissue forms a network of cells.",
                categories=["q-bio.NC"],
                published=None,
            ),
        ]
    )
    lexical.commit()
    return lexical


def ids(index: LexicalIndex, terms=(), phrases=(), **constraints) -> list[str]:
    hits, _total = index.search(terms, phrases, Constraints(**constraints), limit=10)
    return [h.paper_id for h in hits]


def test_title_matches_outrank_abstract_matches(index):
    assert ids(index, ["transformers"]) == ["title-hit", "abstract-hit"]


def test_english_stemming(index):
    assert set(ids(index, ["transformer"])) == {"title-hit", "abstract-hit"}
    assert "scattered" in ids(index, ["networking"])


def test_phrases_must_be_adjacent(index):
    assert ids(index, phrases=["neural network"]) == ["phrase"]
    assert set(ids(index, ["neural", "network"])) == {"phrase", "scattered"}


def test_excluded_words_and_phrases(index):
    assert ids(index, ["neural"], excluded=("pruning",)) == ["scattered"]
    assert ids(index, ["neural"], excluded=("neural network",)) == ["scattered"]


def test_category_and_archive_filters(index):
    assert ids(index, ["speech"], category_groups=(("cs.cl",),)) == ["abstract-hit"]
    assert set(ids(index, ["speech"], category_groups=(("cs",),))) == {
        "title-hit",
        "abstract-hit",
    }
    assert ids(index, ["speech"], category_groups=(("cs.SD", "q-bio.NC"), ("cs",))) == ["title-hit"]


def test_author_filter_is_a_name_phrase(index):
    assert ids(index, ["speech"], authors=("Yann LeCun",)) == ["title-hit"]
    assert set(ids(index, ["speech"], authors=("yann",))) == {"title-hit", "abstract-hit"}
    assert ids(index, ["speech"], authors=("Yann Hinton",)) == []


def test_dates_and_code(index):
    assert ids(index, ["speech"], since=date(2024, 1, 1)) == ["title-hit"]
    assert ids(index, ["speech"], until=date(2023, 12, 31)) == ["abstract-hit"]
    assert ids(index, ["speech"], has_code=True) == ["title-hit"]


def test_filters_alone_list_newest_first(index):
    assert ids(index, category_groups=(("cs",),)) == ["title-hit", "phrase", "abstract-hit"]
    _hits, total = index.search((), (), Constraints(), limit=2)
    assert total == 4


def test_snippets_are_safe_html_with_highlights(index):
    snippet = index.snippet(
        ["pruning"], [], "Pruning a neural network removes weights. <b>Bold</b> & <i>claims</i>."
    )
    assert "<b>Pruning</b>" in snippet
    assert "&lt;b&gt;Bold&lt;/b&gt;" in snippet and "&amp;" in snippet and "<i>" not in snippet
    assert index.snippet(["absent"], [], "x < y") == "x &lt; y"


def test_upsert_replaces_instead_of_duplicating(index, tmp_path):
    for _ in range(3):
        index.upsert([paper("phrase", "Neural Network Pruning, v2", "Now about sparsity.")])
        index.commit()
    assert index.count() == 4
    assert sorted(index.all_ids()) == ["abstract-hit", "phrase", "scattered", "title-hit"]
    assert ids(index, ["sparsity"]) == ["phrase"]
    assert ids(index, ["weights"]) == []
    reopened = LexicalIndex(tmp_path / "lexical")
    assert reopened.count() == 4
