"""Atom feeds: valid (feedparser), escaped, pointing at our paper pages."""

from __future__ import annotations

import feedparser
from tests.web.conftest import add_papers


def parse(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_daily_feed_lists_the_latest_day_in_order(sqlite_client):
    add_papers(
        sqlite_client,
        [
            {"title": "Yesterday", "day": "2024-05-26", "upvotes": 50},
            {"title": "Runner-up", "day": "2024-05-27", "upvotes": 3},
            {"title": 'Winner <b>&</b> "quotes"', "day": "2024-05-27", "upvotes": 9},
        ],
    )
    feed = parse(sqlite_client.get("/rss/daily"))
    assert [entry.title for entry in feed.entries] == ['Winner <b>&</b> "quotes"', "Runner-up"]
    assert feed.entries[0].link == "http://paperscope.test/papers/2405.10003"
    assert feed.entries[0].authors[0].name == "Ada Lovelace"
    older = parse(sqlite_client.get("/rss/daily", params={"date": "2024-05-26"}))
    assert [entry.title for entry in older.entries] == ["Yesterday"]
    assert sqlite_client.get("/rss/daily", params={"date": "26/05/2024"}).status_code == 400


def test_trending_and_search_feeds(demo_client):
    trending = parse(demo_client.get("/rss/trending"))
    assert len(trending.entries) == 50
    assert trending.entries[0].link.endswith("/papers/2608.19880")
    search = parse(demo_client.get("/rss/search", params={"q": "diffusion <script>"}))
    assert search.entries and "diffusion <script>" in search.feed.title
    assert demo_client.get("/rss/search").status_code == 400  # nothing to search for
