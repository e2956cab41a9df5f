"""The search page around the search stage: modes, filters, snippets, paging, id redirects."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from tests.web.conftest import add_papers


def hit_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/papers/[^"]+">([^<]+)</a>', html)


def test_search_page_finds_papers_with_highlighted_snippets(demo_client):
    page = demo_client.get("/search", params={"q": "video diffusion", "mode": "keyword"})
    assert page.status_code == 200
    assert len(hit_titles(page.text)) == 20
    assert "<b>" in page.text  # matched words are highlighted
    assert 'value="keyword" checked' in page.text
    twin = demo_client.get("/search", params={"q": "video diffusion", "format": "json"}).json()
    assert twin["total"] >= 20 and twin["hits"][0]["snippet"]


def test_search_pages_and_filters(demo_client):
    first = demo_client.get("/search", params={"q": "reasoning", "mode": "keyword"})
    second = demo_client.get("/search", params={"q": "reasoning", "mode": "keyword", "p": 2})
    assert set(hit_titles(first.text)).isdisjoint(hit_titles(second.text))
    assert 'rel="next"' in first.text
    since = demo_client.get(
        "/search",
        params={"q": "reasoning", "since": "2026-08-01", "has_code": "true", "format": "json"},
    ).json()
    assert since["hits"]
    assert all(hit["published"] >= "2026-07" for hit in since["hits"])


def test_pasted_arxiv_ids_and_urls_open_the_paper(demo_client):
    for query in (
        "2608.19880",
        "arXiv:2608.19880v2",
        "https://arxiv.org/abs/2608.19880",
        "https://huggingface.co/papers/2608.19880",
    ):
        response = demo_client.get("/search", params={"q": query}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/papers/2608.19880"
        found = demo_client.get("/api/papers/search", params={"q": query}).json()
        assert [item["paper"]["id"] for item in found] == ["2608.19880"]


def test_empty_search_shows_the_form(demo_client):
    page = demo_client.get("/search")
    assert page.status_code == 200 and 'name="q"' in page.text and "result" not in page.text


def test_a_query_of_spaces_finds_nothing_on_the_page_and_in_the_api(demo_client):
    page = demo_client.get("/search", params={"q": "   "})
    assert page.status_code == 200 and "result" not in page.text
    twin = demo_client.get("/search", params={"q": "   ", "format": "json"}).json()
    assert twin["hits"] == [] and twin["total"] == 0
    api = demo_client.get("/api/papers/search", params={"q": "   "})
    assert api.status_code == 200 and api.json() == []


def test_the_rss_link_carries_the_search_and_the_feed_applies_it(sqlite_client):
    def graph_paper(title: str, **fields):
        return {"title": title, "abstract": "Graph networks for molecules.", **fields}

    add_papers(
        sqlite_client,
        [
            graph_paper(
                "Graph networks, recent, cs.LG, with code",
                categories=["cs.LG"],
                published=datetime(2024, 5, 1, tzinfo=UTC),
                code_urls=["https://github.com/example/graphs"],
            ),
            graph_paper("Graph networks, old", categories=["cs.LG"]),
            graph_paper(
                "Graph networks, recent, cs.LG, no code",
                categories=["cs.LG"],
                published=datetime(2024, 5, 2, tzinfo=UTC),
            ),
            graph_paper(
                "Graph networks, recent, cs.CV, with code",
                categories=["cs.CV"],
                published=datetime(2024, 5, 3, tzinfo=UTC),
                code_urls=["https://github.com/example/vision"],
            ),
        ],
    )
    params = {
        "q": "graph networks",
        "mode": "keyword",
        "since": "2024-04-01",
        "category": "cs.LG",
        "has_code": "true",
    }
    page = sqlite_client.get("/search", params=params)
    assert hit_titles(page.text) == ["Graph networks, recent, cs.LG, with code"]
    link = re.search(r'<a href="(/rss/search\?[^"]+)">RSS for this search</a>', page.text)
    assert link is not None
    url = unescape(link.group(1))
    assert parse_qs(urlsplit(url).query) == {key: [value] for key, value in params.items()}
    feed = feedparser.parse(sqlite_client.get(url).content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == ["Graph networks, recent, cs.LG, with code"]
    unfiltered = sqlite_client.get("/rss/search", params={"q": "graph networks"})
    assert len(feedparser.parse(unfiltered.content).entries) == 4


@pytest.mark.parametrize(
    "params",
    [
        {"q": "agents", "mode": "fuzzy"},
        {"q": "agents", "since": "last week"},
        {"q": "   "},
        {},
    ],
)
def test_the_search_feed_refuses_what_the_page_refuses_with_a_clear_message(demo_client, params):
    response = demo_client.get("/rss/search", params=params)
    assert response.status_code == 400
    message = response.json()["error"]
    assert "mode" in message or "since" in message or "nothing to search" in message, message


def test_the_search_page_shows_the_query_notes_escaped(demo_client):
    params = {"q": "year:soon agents since:<b>x</b>", "mode": "keyword"}
    page = demo_client.get("/search", params=params)
    assert page.status_code == 200
    assert "year:soon not understood, searched as text" in page.text
    assert "since:&lt;b&gt;x&lt;/b&gt; not understood" in page.text
    assert "<b>x</b>" not in page.text
    twin = demo_client.get("/search", params={**params, "format": "json"}).json()
    assert "year:soon not understood, searched as text" in twin["query"]["notes"]
