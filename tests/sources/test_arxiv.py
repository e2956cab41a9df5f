"""The arXiv API (Atom, paging) and the RSS announcements, against recorded payloads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from payload_server import PayloadServer, Reply, payload

from paperscope.config import Settings
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.sources.arxiv_api import ArxivApi, fetch_arxiv_paper
from paperscope.sources.arxiv_rss import ArxivRss
from paperscope.sources.http import PoliteFetcher
from support import run_cli

pytest_plugins = ["net_fixtures"]

PAGE_IDS = ["2508.14896", "2508.14879", "2508.14160"]


def serve_cs_lg(server: PayloadServer) -> None:
    server.add("/api/query", payload("arxiv_api_cs_lg_page1.xml"), start="0")
    server.add("/api/query", payload("arxiv_api_cs_lg_page2.xml"), start="2")


def papers(records) -> list[PaperRecord]:
    found = list(records)
    assert [r for r in found if isinstance(r, Rejected)] == []
    return found


def test_a_category_is_paged_with_start_and_total_results_three_seconds_apart(
    server: PayloadServer, net_settings: Settings
):
    serve_cs_lg(server)
    sleeps: list[float] = []
    fetcher = PoliteFetcher(net_settings, delay=3.0, sleep=sleeps.append)
    found = papers(ArxivApi(net_settings, search_query="cat:cs.LG", fetcher=fetcher).records())
    assert [r.arxiv_id for r in found] == PAGE_IDS
    asked = server.hits("/api/query")
    assert [(s.params["start"], s.params["max_results"]) for s in asked] == [("0", "2"), ("2", "2")]
    assert asked[0].params["search_query"] == "cat:cs.LG"
    assert (asked[0].params["sortBy"], asked[0].params["sortOrder"]) == (
        "submittedDate",
        "descending",
    )
    assert len(sleeps) == 1 and 2.9 < sleeps[0] <= 3.0

    quant, mesh = found[0], found[1]
    assert (quant.version, quant.primary_category, quant.categories) == (
        1,
        "cs.CL",
        ["cs.CL", "cs.LG"],
    )
    assert quant.comments.endswith("Code: https://github.com/FelixMessi/QDLM.")
    assert quant.authors[:2] == ["Haokun Lin", "Haobo Xu"]
    assert mesh.version == 2
    assert mesh.published == datetime(2025, 8, 20, 17, 50, 15, tzinfo=UTC)
    assert mesh.updated == datetime(2025, 8, 22, 9, 12, 40, tzinfo=UTC)


def test_since_adds_a_date_range_and_stops_paging_at_older_papers(
    server: PayloadServer, net_settings: Settings
):
    serve_cs_lg(server)
    source = ArxivApi(
        net_settings,
        search_query="cat:cs.LG",
        since=date(2025, 8, 20),
        fetcher=PoliteFetcher(net_settings, delay=0),
    )
    assert [r.arxiv_id for r in papers(source.records())] == PAGE_IDS[:2]
    query = server.hits("/api/query")[0].params["search_query"]
    assert query == "(cat:cs.LG) AND submittedDate:[202508200000 TO 999912312359]"


def test_max_results_caps_what_is_asked_and_yielded(server: PayloadServer, net_settings: Settings):
    serve_cs_lg(server)
    source = ArxivApi(
        net_settings,
        search_query="cat:cs.LG",
        max_results=1,
        fetcher=PoliteFetcher(net_settings, delay=0),
    )
    assert [r.arxiv_id for r in papers(source.records())] == PAGE_IDS[:1]
    assert [s.params["max_results"] for s in server.hits("/api/query")] == ["1"]


def test_fetch_one_paper_by_id_old_style_with_version_doi_and_journal(
    server: PayloadServer, net_settings: Settings
):
    server.add("/api/query", payload("arxiv_api_id_hep-th_9711200.xml"), id_list="hep-th/9711200")
    paper = fetch_arxiv_paper(net_settings, "arXiv:hep-th/9711200v2")
    assert paper is not None
    assert (paper.arxiv_id, paper.version) == ("hep-th/9711200", 3)
    assert paper.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert paper.doi == "10.1023/A:1026654312961"  # from the doi link: no arxiv:doi element
    assert paper.journal_ref == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert paper.published == datetime(1997, 11, 27, 22, 59, 13, tzinfo=UTC)
    assert server.hits("/api/query")[0].params["id_list"] == "hep-th/9711200"


def test_fetch_unknown_or_malformed_ids_returns_none(server: PayloadServer, net_settings: Settings):
    server.add("/api/query", payload("arxiv_api_no_entries.xml"), id_list="2101.99999")
    server.add("/api/query", payload("arxiv_api_error_entry.xml"), id_list="2508.1234")
    assert fetch_arxiv_paper(net_settings, "2101.99999") is None
    assert fetch_arxiv_paper(net_settings, "2508.1234") is None  # arXiv: incorrect id format
    assert fetch_arxiv_paper(net_settings, "not an id") is None  # never asked
    assert len(server.hits("/api/query")) == 2


def test_a_truncated_atom_page_is_an_error_naming_the_page(
    server: PayloadServer, net_settings: Settings
):
    body = payload("arxiv_api_cs_lg_page1.xml").body
    server.add("/api/query", Reply(body[: len(body) // 2]))
    source = ArxivApi(
        net_settings, search_query="cat:cs.LG", fetcher=PoliteFetcher(net_settings, delay=0)
    )
    with pytest.raises(PaperscopeError, match=r"truncated XML in arXiv API page start=0"):
        list(source.records())


def serve_rss(server: PayloadServer) -> None:
    server.add("/atom/cs.AI+cs.LG", payload("arxiv_rss_cs.AI+cs.LG.xml"))


def test_rss_entries_lose_the_announce_prefix_and_split_their_creators(
    server: PayloadServer, net_settings: Settings
):
    serve_rss(server)
    found = papers(ArxivRss(net_settings, categories="cs.AI+cs.LG").records())
    assert [(r.arxiv_id, r.version) for r in found] == [
        ("2508.14111", 1),
        ("2508.13491", 1),
        ("2508.11987", 2),
        ("2508.14811", 2),
    ]
    first = found[0]
    assert first.abstract.startswith("Artificial intelligence (AI) is reshaping")
    assert "Announce Type" not in " ".join(r.abstract for r in found)
    assert first.authors[:3] == ["Jiaqi Wei", "Yuejin Yang", "Xiang Zhang"]
    assert first.license == "http://creativecommons.org/licenses/by/4.0/"
    assert first.published is not None and first.published.date() == date(2025, 8, 21)
    replaced = found[3]
    assert replaced.published is None  # a replacement's announce day is not its publication
    assert replaced.doi == "10.1145/3757377.3763834"
    assert replaced.journal_ref == "Proceedings of SIGGRAPH Asia 2025"


def test_rss_can_keep_only_some_announce_types(server: PayloadServer, net_settings: Settings):
    serve_rss(server)
    source = ArxivRss(net_settings, categories="cs.AI+cs.LG", announce_types={"new", "cross"})
    assert [r.arxiv_id for r in papers(source.records())] == ["2508.14111", "2508.13491"]
    with pytest.raises(PaperscopeError, match="unknown announce type"):
        ArxivRss(net_settings, categories="cs.AI", announce_types={"fresh"})


def test_rss_categories_may_be_written_with_commas_or_spaces(
    server: PayloadServer, net_settings: Settings
):
    serve_rss(server)
    for written in ("cs.AI, cs.LG", " cs.AI cs.LG ", "cs.AI++cs.LG"):
        source = ArxivRss(net_settings, categories=written)
        assert source.url.endswith("/atom/cs.AI+cs.LG"), written
        assert len(papers(source.records())) == 4, written


def show(env: dict[str, str], paper_id: str) -> dict:
    return json.loads(run_cli(env, "papers", "show", paper_id, "--json").stdout)


def test_cli_arxiv_then_rss_into_the_store_idempotently(
    server: PayloadServer, net_env: dict[str, str]
):
    serve_cs_lg(server)
    serve_rss(server)
    args = ("ingest", "arxiv", "--category", "cs.LG", "--json")
    first = json.loads(run_cli(net_env, *args).stdout)
    assert (first["new"], first["updated"], first["rejected"]) == (3, 0, 0)
    again = json.loads(run_cli(net_env, *args).stdout)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)
    mesh = show(net_env, "2508.14879")
    assert (mesh["version"], mesh["primary_category"]) == (2, "cs.CV")
    assert mesh["categories"] == ["cs.CV", "cs.GR", "cs.LG"]
    assert {link.get("title", link["rel"]): link["href"] for link in mesh["links"]} == {
        "alternate": "https://arxiv.org/abs/2508.14879v2",
        "pdf": "https://arxiv.org/pdf/2508.14879v2",
    }
    quant = show(net_env, "arXiv:2508.14896")
    assert [r["url"] for r in quant["code_repos"]] == ["https://github.com/FelixMessi/QDLM"]

    rss = ("ingest", "arxiv-rss", "--category", "cs.AI+cs.LG", "--announce", "new", "--json")
    report = json.loads(run_cli(net_env, *rss).stdout)
    assert (report["new"], report["updated"], report["rejected"]) == (1, 0, 0)
    assert show(net_env, "2508.14111")["license"] == "http://creativecommons.org/licenses/by/4.0/"


def test_cli_network_failure_is_one_line_naming_the_url(
    server: PayloadServer, net_env: dict[str, str]
):
    server.add("/atom/cs.AI", Reply(b"gone", status=410, content_type="text/plain"))
    done = run_cli(net_env, "ingest", "arxiv-rss", "--category", "cs.AI", check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("error: GET ") and f"{server.url}/atom/cs.AI" in error
    assert "HTTP 410" in error


def test_fetch_one_paper_fails_fast_when_arxiv_asks_for_a_long_wait(
    server: PayloadServer, net_settings: Settings
):
    busy = Reply(b"busy", status=503, headers={"Retry-After": "3600"}, content_type="text/plain")
    server.add("/api/query", busy, id_list="hep-th/9711200")
    with pytest.raises(PaperscopeError, match="retry after 3600 s"):
        fetch_arxiv_paper(net_settings, "hep-th/9711200")
    assert len(server.hits("/api/query")) == 1


def test_fetch_one_paper_retries_once_after_a_short_wait(
    server: PayloadServer, net_settings: Settings
):
    busy = Reply(b"busy", status=503, headers={"Retry-After": "1"}, content_type="text/plain")
    server.add(
        "/api/query", busy, payload("arxiv_api_id_hep-th_9711200.xml"), id_list="hep-th/9711200"
    )
    paper = fetch_arxiv_paper(net_settings, "https://arxiv.org/abs/hep-th/9711200")
    assert paper is not None and paper.arxiv_id == "hep-th/9711200"
    assert len(server.hits("/api/query")) == 2
