"""SearchService end to end on a real store (SQLite and PostgreSQL): modes, filters inside
both retrievers, pasted arXiv ids, snippets, explain, similar papers."""

from __future__ import annotations

from datetime import date

import pytest
from tests.factories import ingest_list, record
from tests.search.conftest import day, embed_all, search_settings

from paperscope.models import PaperscopeError
from paperscope.search import SearchFilters, SearchService


@pytest.fixture
def service(corpus_store, data_dir, store_url, embedder) -> SearchService:
    embed_all(corpus_store, embedder)
    return SearchService(search_settings(data_dir, store_url), corpus_store, embedder=embedder)


def ids(results) -> list[str]:
    return [hit.paper_id for hit in results.hits]


def test_three_modes_answer(service):
    keyword = service.search("graph neural networks", mode="keyword")
    semantic = service.search("graph neural networks", mode="semantic")
    hybrid = service.search("graph neural networks")
    assert ids(keyword)[0] in {"2401.00001", "2201.00005"}
    assert all(h.lexical_rank and h.dense_rank is None for h in keyword.hits)
    assert all(h.dense_rank and h.lexical_rank is None for h in semantic.hits)
    assert hybrid.mode == "hybrid" and hybrid.hits
    top = hybrid.hits[0]
    assert top.lexical_rank is not None and top.dense_rank is not None
    assert set(ids(hybrid)[:2]) == {"2401.00001", "2201.00005"}
    scores = [h.score for h in hybrid.hits]
    assert scores == sorted(scores, reverse=True)


def test_pasted_arxiv_url_returns_that_paper_first(service):
    for query in ("https://arxiv.org/abs/2405.00003v2", "arXiv:2405.00003", "2405.00003"):
        results = service.search(query)
        assert results.redirect_paper_id == "2405.00003"
        assert ids(results)[0] == "2405.00003"
    unknown = service.search("https://arxiv.org/abs/2999.99999")
    assert unknown.redirect_paper_id is None


def test_filters_apply_inside_both_retrievers(corpus_store, data_dir, store_url, embedder):
    # Thirty near-duplicates of the query crowd the unfiltered top ten; the one paper that
    # passes the filter ranks below them and must still be found, in every mode.
    crowd = [
        record(
            arxiv_id=f"2101.{i:05d}",
            title=f"Graph neural networks, part {i}",
            abstract="Graph neural networks on graphs, graph networks and more graphs.",
            published=day("2021-03-01"),
        )
        for i in range(10, 40)
    ]
    ingest_list(corpus_store, crowd)
    embed_all(corpus_store, embedder)
    settings = search_settings(data_dir, store_url, search_candidates=10)
    service = SearchService(settings, corpus_store, embedder=embedder)
    filters = SearchFilters(since=date(2024, 6, 1))
    for mode in ("keyword", "semantic", "hybrid"):
        unfiltered = ids(service.search("graph neural networks", mode=mode, limit=10))
        assert "2406.00004" not in unfiltered
        filtered = service.search("graph neural networks", mode=mode, filters=filters, limit=10)
        assert ids(filtered) == ["2406.00004"], mode
    for mode in ("keyword", "semantic", "hybrid"):
        by_code = service.search("networks", mode=mode, filters=SearchFilters(has_code=True))
        assert set(ids(by_code)) <= {"2401.00001", "2405.00003"}
        assert "2401.00001" in ids(by_code)


def test_query_operators_restrict_every_mode(service):
    for mode in ("keyword", "semantic", "hybrid"):
        assert set(ids(service.search("networks cat:cs.LG -tabular", mode=mode))) == {
            "2401.00001",
            "2201.00005",
        }
        assert ids(service.search('models author:"Grace Hopper"', mode=mode)) == ["2302.00002"]
        assert ids(service.search("networks year:2022", mode=mode)) == ["2201.00005"]
    assert ids(service.search("author:Turing", filters=SearchFilters(has_code=True))) == [
        "2405.00003",
        "2401.00001",
    ]


def test_snippets_highlight_and_escape(service):
    hit = service.search("GAN baselines", mode="keyword").hits[0]
    assert hit.paper_id == "2302.00002"
    assert "<b>GAN</b>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_explain_says_why(service):
    hit = service.search("graph networks", explain=True).hits[0]
    assert hit.explain is not None
    assert hit.explain["lexical"]["rank"] == hit.lexical_rank
    assert hit.explain["dense"]["rank"] == hit.dense_rank
    contributions = hit.explain["rrf_contributions"]
    assert sum(contributions.values()) == pytest.approx(hit.score)


def test_paging_and_limits(service):
    everything = ids(service.search("networks OR graphs OR models", mode="keyword", limit=50))
    page = ids(service.search("networks OR graphs OR models", mode="keyword", limit=2, offset=1))
    assert page == everything[1:3]
    with pytest.raises(PaperscopeError):
        service.search("x", mode="fuzzy")


def test_similar_papers_are_neighbours_without_the_paper_itself(service):
    hits = service.similar("https://arxiv.org/abs/2401.00001", limit=3)
    assert hits and "2401.00001" not in [h.paper_id for h in hits]
    assert hits[0].paper_id == "2201.00005"
    assert [h.dense_rank for h in hits] == list(range(1, len(hits) + 1))
    with pytest.raises(PaperscopeError):
        service.similar("2999.99999")


def test_hidden_papers_leave_every_mode(service, corpus_store):
    from paperscope.store.community import set_paper_hidden

    with corpus_store.write() as conn:
        set_paper_hidden(conn, "2201.00005", True)
    service.sync()
    for mode in ("keyword", "semantic", "hybrid"):
        results = service.search("message passing graph networks", mode=mode, limit=10)
        assert "2201.00005" not in ids(results), mode
        assert results.hits, mode
    assert "2201.00005" not in [h.paper_id for h in service.similar("2401.00001")]
    with corpus_store.write() as conn:
        set_paper_hidden(conn, "2201.00005", False)
    service.sync()
    assert ids(service.search("message passing", mode="semantic"))[0] == "2201.00005"


def test_caller_filters_combine_with_query_operators(service):
    by_category = SearchFilters(category="cs.LG")
    for mode in ("keyword", "semantic", "hybrid"):
        found = ids(service.search("networks", mode=mode, filters=by_category))
        assert set(found) == {"2401.00001", "2406.00004", "2201.00005"}, mode
    by_author = SearchFilters(author="Ada Lovelace", until=date(2024, 3, 1))
    assert ids(service.search("networks", filters=by_author)) == ["2401.00001"]
    # A filter and an operator that exclude each other leave nothing, without an error.
    assert ids(service.search("networks cat:q-bio", filters=by_category, mode="keyword")) == [
        "2401.00001"
    ]
    assert service.search("networks cat:cs.CV", filters=by_category).hits == []


@pytest.mark.parametrize("since", [date(2000, 1, 1), date(2023, 1, 1), date(2024, 6, 1)])
def test_broad_filter_shortcut_equals_the_masked_search(service, embedder, since):
    from paperscope.index.lexical import Constraints

    retriever = service.retriever()
    constraints = Constraints(since=since)
    query = embedder.embed_query("graph networks for molecules")
    for depth in (1, 2, 3, 10):
        masked = retriever.vectors.search(query, depth, retriever.allowed(constraints))
        assert retriever.dense("graph networks for molecules", constraints, depth, []) == masked


def test_a_paper_folded_into_its_arxiv_twin_leaves_every_mode(service, corpus_store, embedder):
    from paperscope.ingest.ids import derived_id

    title = "Sparse Quantum Annealing Schedules"
    seed = derived_id(title)
    ingest_list(corpus_store, [record(arxiv_id=None, title=title, abstract="Annealing, sparse.")])
    embed_all(corpus_store, embedder)
    service.sync()
    assert seed in ids(service.search("sparse quantum annealing", mode="semantic"))
    # Its arXiv twin arrives: the seed paper folds into it (the twin is not embedded yet).
    ingest_list(corpus_store, [record(arxiv_id="2409.00042", title=title)])
    service.sync()
    for mode in ("keyword", "semantic", "hybrid"):
        assert seed not in ids(service.search("sparse quantum annealing", mode=mode)), mode
    assert ids(service.search("sparse quantum annealing", mode="keyword")) == ["2409.00042"]
    # The vectors loaded before the fold still hold the seed's: it is left out, not cut from
    # a page afterwards, so a full page stays full.
    assert len(service.search("sparse quantum annealing", mode="semantic", limit=5).hits) == 5
