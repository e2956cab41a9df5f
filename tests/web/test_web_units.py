"""Pure parts of the site: periods, navigation, cards, the trending formula, BibTeX."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from paperscope import feeds, rank, trending
from paperscope.paper_page import bibtex_entry


def test_periods_parse_days_iso_weeks_and_months():
    assert feeds.parse_period("day", "2024-05-27").start == date(2024, 5, 27)
    week = feeds.parse_period("week", "2024-W22")
    assert (week.start, week.end) == (date(2024, 5, 27), date(2024, 6, 2))
    month = feeds.parse_period("month", "2024-02")
    assert (month.start, month.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert feeds.week_period(date(2025, 1, 1)).key == "2025-W01"
    assert feeds.month_period(date(2024, 12, 31)).end == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("day", "2024-13-01"),
        ("day", "2024-02-30"),
        ("day", "yesterday"),
        ("day", "2024-5-1"),
        ("week", "2024-W54"),
        ("week", "2024-22"),
        ("month", "2024-00"),
        ("month", "24-05"),
    ],
)
def test_bad_periods_say_which_form_is_expected(kind, text):
    with pytest.raises(feeds.PeriodError, match="expected"):
        feeds.parse_period(kind, text)


def test_navigation_skips_to_periods_that_have_listings():
    days = [date(2024, 5, 24), date(2024, 5, 27), date(2024, 6, 10)]
    assert feeds.neighbours(days, feeds.day_period(date(2024, 5, 27))) == (
        "2024-05-24",
        "2024-06-10",
    )
    assert feeds.neighbours(days, feeds.day_period(date(2024, 5, 24))) == (None, "2024-05-27")
    assert feeds.neighbours(days, feeds.week_period(date(2024, 5, 27))) == (
        "2024-W21",
        "2024-W24",
    )
    assert feeds.neighbours(days, feeds.month_period(date(2024, 6, 1))) == ("2024-05", None)
    # A day without listings still finds its neighbours.
    assert feeds.neighbours(days, feeds.day_period(date(2024, 6, 1))) == (
        "2024-05-27",
        "2024-06-10",
    )


def test_cards_shorten_authors_and_abstracts():
    assert feeds.shorten_authors(["A", "B"]) == "A, B"
    assert feeds.shorten_authors(["A", "B", "C", "D"]) == "A, B, C, D"
    assert feeds.shorten_authors(["A", "B", "C", "D", "E"]) == "A, B, C + 2 more"
    head = feeds.abstract_head("word " * 200)
    assert len(head) <= feeds.ABSTRACT_HEAD_CHARS + 1 and head.endswith("…")
    assert feeds.abstract_head("Short.\n  Abstract.") == "Short. Abstract."
    assert feeds.repo_name("https://github.com/owner/repo") == "owner/repo"


NOW = datetime(2026, 8, 22, tzinfo=UTC)


def test_a_fresh_paper_with_many_votes_outranks_an_old_one_with_slightly_more():
    fresh = rank.TrendingInput("fresh", NOW - timedelta(hours=10), 90, 10, 0)
    old = rank.TrendingInput("old", NOW - timedelta(days=4), 110, 0, 0)
    ranked = rank.rank_trending([old, fresh], NOW)
    assert [s.paper_id for s in ranked] == ["fresh", "old"]
    assert ranked[0].points == 100 and ranked[1].points == 110


def test_score_parts_recompute_the_published_formula():
    weights = rank.TrendingWeights()
    item = rank.TrendingInput("p", NOW - timedelta(hours=30), 40, 5, 200)
    score = rank.trending_score(item, NOW, weights)
    points = 40 + weights.vote_weight * 5 + weights.star_weight * 200
    assert score.points == pytest.approx(points)
    expected = points / (30 + weights.age_offset_hours) ** weights.gravity
    assert score.score == pytest.approx(expected)
    assert score.age_hours == pytest.approx(30)


def test_star_growth_over_the_window():
    window = timedelta(days=7)
    listed_at = NOW - timedelta(days=30)
    snapshots = [(NOW - timedelta(days=20), 100), (NOW - timedelta(days=8), 150), (NOW, 400)]
    assert rank.star_growth(snapshots, now=NOW, window=window, listed_at=listed_at) == 250
    # An old paper known only by one count claims no growth...
    assert rank.star_growth([(NOW, 500)], now=NOW, window=window, listed_at=listed_at) == 0
    # ...a paper listed inside the window counts its code's stars from zero.
    fresh = NOW - timedelta(days=1)
    assert rank.star_growth([(fresh, 500)], now=NOW, window=window, listed_at=fresh) == 500
    # Snapshots after "now" are not seen; stars lost are not negative growth.
    assert (
        rank.star_growth([(NOW + timedelta(days=1), 9)], now=NOW, window=window, listed_at=fresh)
        == 0
    )
    drop = [(NOW - timedelta(days=9), 100), (NOW, 90)]
    assert rank.star_growth(drop, now=NOW, window=window, listed_at=listed_at) == 0


def test_trending_now_follows_the_clock_unless_the_corpus_is_stale():
    clock = datetime(2026, 11, 29, 8, tzinfo=UTC)
    newest = date(2026, 8, 21)
    stale = trending.trending_moment(None, newest, window_days=7, wall_clock=clock)
    assert stale == datetime(2026, 8, 22, tzinfo=UTC)
    live = trending.trending_moment(None, date(2026, 11, 29), window_days=7, wall_clock=clock)
    assert live == clock
    assert trending.trending_moment("2025-01-01", newest, window_days=7, wall_clock=clock) == (
        datetime(2025, 1, 2, tzinfo=UTC)
    )
    configured = trending.trending_moment(
        "2025-01-01T12:00:00+00:00", newest, window_days=7, wall_clock=clock
    )
    assert configured == datetime(2025, 1, 1, 12, tzinfo=UTC)


def test_trending_inputs_use_imported_stars_as_the_first_snapshot():
    day = date(2026, 8, 21)
    rows = [
        {"id": "a", "listing_date": day, "imported_upvotes": 5, "local_votes": 1},
        {
            "id": "a",
            "listing_date": day - timedelta(days=2),
            "imported_upvotes": 7,
            "local_votes": 1,
        },
    ]
    repos = {"a": [{"url": "https://github.com/o/r", "host": "github", "stars": 30}]}
    inputs, _papers = trending.trending_inputs(
        rows, repos, {}, now=datetime(2026, 8, 22, tzinfo=UTC), window=timedelta(days=7)
    )
    (item,) = inputs
    assert item.imported_upvotes == 7
    assert item.listed_at == datetime(2026, 8, 19, tzinfo=UTC)
    assert item.star_growth == 30


def test_bibtex_keeps_latex_and_balances_braces():
    entry = bibtex_entry(
        paper_id="2405.15738",
        arxiv_id="2405.15738",
        title="Scaling $\\mathcal{O}(n)$ attention}",
        authors=["Ada Lovelace", "Alan Turing"],
        published=datetime(2024, 5, 24, tzinfo=UTC),
        primary_category="cs.LG",
        doi=None,
    )
    assert entry.startswith("@misc{lovelace2024scaling,")
    assert "title={Scaling $\\mathcal{O}(n)$ attention}," in entry
    assert "author={Ada Lovelace and Alan Turing}," in entry
    assert "eprint={2405.15738}" in entry
    assert entry.count("{") == entry.count("}")


def test_a_bad_configured_trending_now_names_the_setting():
    from paperscope.models import PaperscopeError

    with pytest.raises(PaperscopeError, match="PAPERSCOPE_TRENDING_NOW"):
        trending.trending_moment("last tuesday", None, window_days=7, wall_clock=NOW)


def test_the_site_offers_exactly_the_search_stage_modes():
    from paperscope.search import MODES
    from paperscope.web.search_params import SEARCH_MODES

    assert SEARCH_MODES == MODES
