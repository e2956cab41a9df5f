"""The search page around the search stage: modes, filters, snippets, paging, id redirects."""

from __future__ import annotations

import re


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
    for query in ("2608.19880", "arXiv:2608.19880v2", "https://arxiv.org/abs/2608.19880"):
        response = demo_client.get("/search", params={"q": query}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/papers/2608.19880"


def test_empty_search_shows_the_form(demo_client):
    page = demo_client.get("/search")
    assert page.status_code == 200 and 'name="q"' in page.text and "result" not in page.text
