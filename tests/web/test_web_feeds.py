"""The feed pages over a real store (SQLite and PostgreSQL): order, counts, navigation, twins."""

from __future__ import annotations

import re

from tests.web.conftest import add_papers

from paperscope.community.accounts import add_user
from paperscope.community.comments import add_comment, set_paper_hidden
from paperscope.community.votes import toggle_vote


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title[^"]*"><a href="[^"]+">([^<]+)</a>', html)


def users(client, count):
    store = client.app.state.store
    return [
        add_user(
            store,
            email=f"reader{n}@example.org",
            handle=f"reader{n}",
            password="a long enough password",
            is_admin=False,
        )[0]
        for n in range(count)
    ]


def test_home_shows_the_latest_day_by_upvotes_then_listing_order(client):
    add_papers(
        client,
        [
            {"title": "Old news", "day": "2024-05-24", "upvotes": 99},
            {"title": "Second place", "day": "2024-05-27", "upvotes": 10, "position": 1},
            {"title": "Top paper", "day": "2024-05-27", "upvotes": 30, "position": 3},
            {"title": "Tied but listed later", "day": "2024-05-27", "upvotes": 10, "position": 2},
        ],
    )
    page = client.get("/")
    assert page.status_code == 200
    assert titles(page.text) == ["Top paper", "Second place", "Tied but listed later"]
    twin = client.get("/index.json").json()
    assert [p["title"] for p in twin["papers"]] == titles(page.text)
    assert twin["period"]["key"] == "2024-05-27" and twin["previous"] == "2024-05-24"
    assert client.get("/?format=json").json() == twin


def test_local_votes_and_comments_count_and_hidden_papers_never_show(client):
    add_papers(
        client,
        [
            {"title": "Imported favourite", "day": "2024-05-27", "upvotes": 2, "num_comments": 1},
            {"title": "Local favourite", "day": "2024-05-27", "upvotes": 1},
            {"title": "Spam", "day": "2024-05-27", "upvotes": 50},
        ],
    )
    store, settings = client.app.state.store, client.app.state.settings
    readers = users(client, 2)
    for reader in readers:
        toggle_vote(store, settings, user=reader, paper_id="2405.10002")
    add_comment(store, settings, user=readers[0], paper_id="2405.10001", body="Nice result")
    admin = add_user(
        store, email="admin@example.org", handle="admin", password="x" * 12, is_admin=True
    )[0]
    set_paper_hidden(store, admin=admin, paper_id="2405.10003", hidden=True)

    twin = client.get("/papers/date/2024-05-27.json").json()
    cards = {p["title"]: p for p in twin["papers"]}
    assert list(cards) == ["Local favourite", "Imported favourite"]
    assert cards["Local favourite"]["upvotes"] == 3
    assert cards["Imported favourite"]["num_comments"] == 2
    assert "Spam" not in client.get("/papers/date/2024-05-27").text
    assert client.get("/papers/2405.10003").status_code == 404
    api = client.get("/api/daily_papers", params={"date": "2024-05-27"}).json()
    assert [item["title"] for item in api] == ["Local favourite", "Imported favourite"]
    found = client.get("/api/papers/search", params={"q": "favourite spam"}).json()
    assert {item["paper"]["title"] for item in found} == {"Local favourite", "Imported favourite"}
    votes = {item["paper"]["title"]: item["paper"]["upvotes"] for item in found}
    assert votes["Local favourite"] == 3
    assert "Spam" not in titles(client.get("/search", params={"q": "spam favourite"}).text)


def test_days_weeks_and_months_step_to_neighbours_with_listings(client):
    add_papers(
        client,
        [
            {"title": "Friday", "day": "2024-05-24"},
            {"title": "Monday", "day": "2024-05-27"},
            {"title": "June", "day": "2024-06-10"},
        ],
    )
    day = client.get("/papers/date/2024-05-27")
    assert 'rel="prev" href="/papers/date/2024-05-24"' in day.text
    assert 'rel="next" href="/papers/date/2024-06-10"' in day.text
    week = client.get("/papers/week/2024-W22.json").json()
    assert [p["title"] for p in week["papers"]] == ["Monday"]
    assert (week["previous"], week["next"]) == ("2024-W21", "2024-W24")
    month = client.get("/papers/month/2024-05.json").json()
    assert {p["title"] for p in month["papers"]} == {"Friday", "Monday"}
    assert month["next"] == "2024-06"
    empty = client.get("/papers/date/2024-06-01")
    assert empty.status_code == 200 and "No papers were listed" in empty.text
    jump = client.get("/papers/jump", params={"date": "2024-06-10"}, follow_redirects=False)
    assert jump.status_code == 303 and jump.headers["location"] == "/papers/date/2024-06-10"


def test_paper_page_shows_details_links_listing_and_bibtex(client):
    add_papers(
        client,
        [
            {
                "title": "Attention with $O(n)$ cost",
                "abstract": "We show $x^2$ & more. Code: https://github.com/acme/linear-attn",
                "categories": ["cs.LG", "cs.CL"],
                "day": "2024-05-27",
                "upvotes": 12,
                "submitted_by": "alice",
                "project_page": "https://acme.example/linear",
            }
        ],
    )
    page = client.get("/papers/2405.10001")
    assert page.status_code == 200
    html = page.text
    assert "Attention with $O(n)$ cost" in html
    assert "Ada Lovelace, Alan Turing" in html
    assert 'href="https://arxiv.org/abs/2405.10001"' in html
    assert 'href="https://arxiv.org/pdf/2405.10001"' in html
    assert "acme/linear-attn" in html and "https://acme.example/linear" in html
    assert 'href="/papers/date/2024-05-27"' in html and "by alice" in html
    assert "cs.CL" in html and "@misc{" in html
    bibtex = client.get("/papers/2405.10001/bibtex")
    assert bibtex.headers["content-type"].startswith("text/plain")
    assert "eprint={2405.10001}" in bibtex.text
    twin = client.get("/papers/2405.10001.json").json()
    assert twin["upvotes"] == 12 and twin["code"][0]["url"] == "https://github.com/acme/linear-attn"
    moved = client.get("/papers/arXiv:2405.10001v2", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/papers/2405.10001"
    missing = client.get("/papers/2405.99999")
    assert missing.status_code == 404 and "There is no paper" in missing.text


def test_cached_pages_show_a_write_at_once(data_dir, store_url):
    """With the feed cache on, a successful POST (a vote) empties it for the next page view."""
    from fastapi.testclient import TestClient
    from tests.web.conftest import web_settings

    from paperscope.web.app import create_app

    app = create_app(web_settings(data_dir, store_url, feed_cache_seconds=600))
    store, settings = app.state.store, app.state.settings

    def vote() -> dict[str, bool]:
        (reader,) = [
            add_user(
                store, email="v@example.org", handle="voter", password="x" * 12, is_admin=False
            )[0]
        ]
        toggle_vote(store, settings, user=reader, paper_id="2405.10001")
        return {"ok": True}

    app.add_api_route("/test-vote", vote, methods=["POST"])
    with TestClient(app) as client:
        add_papers(client, [{"title": "Votable", "day": "2024-05-27", "upvotes": 4}])
        assert client.get("/index.json").json()["papers"][0]["upvotes"] == 4
        assert client.get("/papers/2405.10001.json").json()["upvotes"] == 4
        voted = client.post("/test-vote")
        assert voted.status_code == 200, voted.text
        assert client.get("/index.json").json()["papers"][0]["upvotes"] == 5
        assert client.get("/papers/2405.10001.json").json()["upvotes"] == 5


def test_trending_puts_a_fresh_paper_with_many_votes_above_an_old_one_with_slightly_more(
    client,
):
    add_papers(
        client,
        [
            {"title": "Old hit", "day": "2024-05-23", "upvotes": 110},
            {"title": "Fresh hit", "day": "2024-05-27", "upvotes": 95},
            {"title": "Too old to trend", "day": "2024-05-01", "upvotes": 900},
        ],
    )
    store, settings = client.app.state.store, client.app.state.settings
    for reader in users(client, 5):
        toggle_vote(store, settings, user=reader, paper_id="2405.10002")
    page = client.get("/trending")
    assert titles(page.text) == ["Fresh hit", "Old hit"]
    items = client.get("/api/trending").json()
    fresh = items[0]["trending"]
    assert items[0]["paper"]["title"] == "Fresh hit"
    assert (fresh["imported_upvotes"], fresh["local_votes"], fresh["points"]) == (95, 5, 100)
    assert fresh["age_hours"] == 24  # the demo-style "now": the end of the newest listing day
    assert client.get("/trending.json").json()["now"].startswith("2024-05-28T00:00:00")
