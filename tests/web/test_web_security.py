"""Escaping, security headers, no inline script, and clear 4xx for malformed parameters."""

from __future__ import annotations

import re

import pytest
from tests.web.conftest import add_papers

PAYLOAD = "<script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)> $\\frac{a}{b}$"


@pytest.fixture
def hostile(sqlite_client):
    add_papers(
        sqlite_client,
        [
            {
                "title": f"Title {PAYLOAD}",
                "abstract": f"Abstract {PAYLOAD}",
                "authors": [f"Mallory {PAYLOAD}"],
                "day": "2024-05-27",
                "submitted_by": f"sub{PAYLOAD}",
                "upvotes": 3,
            }
        ],
    )
    return sqlite_client


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html


@pytest.mark.parametrize(
    "path",
    ["/", "/papers/date/2024-05-27", "/papers/week/2024-W22", "/papers/2405.10001", "/trending"],
)
def test_hostile_text_is_escaped_on_every_page(hostile, path):
    response = hostile.get(path)
    assert response.status_code == 200
    assert_escaped(response.text)


def test_hostile_text_is_escaped_in_search_results_and_feeds(hostile):
    page = hostile.get("/search", params={"q": "Mallory alert"})
    assert page.status_code == 200 and "Title" in page.text
    assert_escaped(page.text)
    echoed = hostile.get("/search", params={"q": PAYLOAD[:200]})
    assert "<script>alert" not in echoed.text
    rss = hostile.get("/rss/daily").text
    assert "<script>alert" not in rss
    api = hostile.get("/api/daily_papers").json()
    assert api[0]["paper"]["title"] == f"Title {PAYLOAD}"


def test_pages_carry_security_headers_and_no_inline_script_or_style(hostile):
    for path in [
        "/",
        "/papers/2405.10001",
        "/api/daily_papers",
        "/static/site.css",
        "/nowhere",
        "/docs",
    ]:
        response = hostile.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] in ("same-origin", "no-referrer")
    html = hostile.get("/papers/2405.10001").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    assert 'src="/static/vendor/katex/katex.min.js"' in html
    assert "http://" not in re.sub(r'href="[^"]*"', "", html.split("<main")[0])


@pytest.mark.parametrize(
    "path",
    [
        "/papers/date/2024-02-30",
        "/papers/date/not-a-date",
        "/papers/week/2024-W99",
        "/papers/month/2024-13",
        "/papers/date/9999-12-31",
        "/papers/month/9999-12",
        "/papers/week/9999-W52",
        "/api/daily_papers?month=9999-12&sort=trending",
        "/papers/jump?date=//evil.example",
        "/papers/jump?date=https://evil.example/",
        "/?p=0",
        "/?p=abc",
        "/trending?p=-3",
        "/search?q=x&mode=telepathy",
        "/search?q=x&since=yesterday",
        "/search?q=x&p=9999",
        "/search?q=" + "x" * 300,
        "/rss/daily?date=tomorrow",
        "/api/daily_papers?limit=100000",
        "/api/papers/search?q=x&limit=1000",
        "/api/trending?limit=0",
    ],
)
def test_malformed_parameters_get_a_clear_4xx(hostile, path):
    response = hostile.get(path, follow_redirects=False)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "location" not in response.headers
    text = response.text
    assert any(word in text for word in ("expected", "unknown", "should", "valid", "date"))


def test_unknown_pages_and_papers_are_404_pages(hostile):
    page = hostile.get("/papers/2401.99999")
    assert page.status_code == 404 and "There is no paper" in page.text
    assert "<html" in page.text
    twin = hostile.get("/papers/2401.99999.json")
    assert twin.status_code == 404 and twin.json()["error"]


def test_feeds_drop_characters_xml_cannot_carry(hostile):
    import feedparser

    response = hostile.get("/rss/search", params={"q": "Mallory\x00\x01 alert"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.entries
