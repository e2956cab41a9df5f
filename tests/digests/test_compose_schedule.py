"""Pure parts: composing a digest, choosing its papers, deciding when it is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from paperscope.digests.compose import (
    DigestItem,
    DigestPaper,
    LinkTokens,
    compose_digest,
    excerpt,
)
from paperscope.digests.model import Subscription, SubscriptionRequest
from paperscope.digests.schedule import (
    covered_days,
    due_subscriptions,
    is_due,
    period_key,
    welcome_day,
)
from paperscope.digests.select import select_items


def subscription(**fields: object) -> Subscription:
    values: dict[str, object] = {
        "id": 7,
        "email": "ada@example.org",
        "kind": "trending",
        "frequency": "daily",
        "timezone": "UTC",
        "hour": 7,
        "status": "active",
        "nonce": "n" * 32,
    }
    values.update(fields)
    return Subscription(**values)  # type: ignore[arg-type]


def row(paper_id: str, upvotes: int, day: date, **extra: object) -> dict[str, object]:
    return {
        "id": paper_id,
        "arxiv_id": paper_id,
        "title": f"Paper {paper_id}",
        "authors": ["Ada Lovelace"],
        "abstract": "An abstract.",
        "categories": ["cs.CL"],
        "primary_category": "cs.CL",
        "listing_date": day,
        "upvotes": upvotes,
        "votes": 0,
        "code_url": None,
        "stars": None,
        **extra,
    }


def test_digest_shows_each_paper_with_links_and_reason() -> None:
    paper = DigestPaper(
        id="2401.00001",
        title="Sparse   Attention",
        authors=("A", "B", "C", "D", "E"),
        abstract="word " * 200,
        arxiv_id="2401.00001",
        code_url="https://github.com/lab/repo",
    )
    digest = compose_digest(
        subscription(),
        [DigestItem(paper, "Trending: 40 upvotes")],
        "https://papers.example.org/",
        tokens=LinkTokens(unsubscribe="UNSUB", manage="MANAGE"),
        period="2024-01-10",
    )
    assert digest.subject == "1 trending paper - 2024-01-10"
    for part in (digest.html, digest.text):
        assert "Sparse Attention" in part
        assert "A, B, C, D and 1 more" in part
        assert "Trending: 40 upvotes" in part
        assert "https://papers.example.org/papers/2401.00001" in part
        assert "https://arxiv.org/abs/2401.00001" in part
        assert "https://github.com/lab/repo" in part
        assert "https://papers.example.org/subscriptions/manage/MANAGE" in part
        assert "https://papers.example.org/u/UNSUB" in part
    assert "word " * 10 in digest.text and "word " * 100 not in digest.text


def test_html_part_escapes_paper_text() -> None:
    paper = DigestPaper(id="x1", title="<script>alert(1)</script> & more")
    digest = compose_digest(
        subscription(),
        [DigestItem(paper, "why")],
        "https://h",
        tokens=LinkTokens("u", "m"),
        period="p",
    )
    assert "<script>" not in digest.html and "&lt;script&gt;" in digest.html
    assert "<script>alert(1)</script>" in digest.text


def test_excerpt_cuts_at_a_word() -> None:
    assert excerpt("short one") == "short one"
    cut = excerpt("alpha beta gamma delta", limit=12)
    assert cut == "alpha beta…"


def test_trending_never_repeats_a_paper_and_ranks_by_the_formula() -> None:
    day = date(2024, 1, 10)
    pool = [row("a", 5, day), row("b", 50, day), row("c", 20, day)]
    items = select_items(subscription(), pool, {"b"}, limit=10)
    assert [i.paper.id for i in items] == ["c", "a"]
    assert items[0].reason.startswith("Trending on the 2024-01-10 list: score")
    assert "20 upvotes" in items[0].reason


def test_author_and_category_and_search_selection() -> None:
    day = date(2024, 1, 10)
    pool = [
        row("a", 5, day, authors=["Grace Hopper"], categories=["cs.LG"], primary_category="cs.LG"),
        row("b", 9, day),
    ]
    by_author = select_items(subscription(kind="author", author="hopper"), pool, set(), limit=5)
    assert [(i.paper.id, i.reason) for i in by_author] == [("a", "New paper by Grace Hopper")]
    in_cat = select_items(subscription(kind="category", category="cs.LG"), pool, set(), limit=5)
    assert [i.paper.id for i in in_cat] == ["a"]
    hits = select_items(
        subscription(kind="search", query="diffusion"),
        pool,
        {"a"},
        limit=5,
        search_scores={"a": 0.9, "b": 0.5},
    )
    assert [i.paper.id for i in hits] == ["b"]
    assert hits[0].reason == "Matches your search “diffusion” (score 0.500)"


@pytest.mark.parametrize(
    ("now", "timezone", "due"),
    [
        (datetime(2024, 1, 10, 6, 59, tzinfo=UTC), "UTC", False),  # before 07:00
        (datetime(2024, 1, 10, 7, 0, tzinfo=UTC), "UTC", True),
        (datetime(2024, 1, 10, 7, 0, tzinfo=UTC), "America/New_York", False),  # 02:00 there
        (datetime(2024, 1, 10, 12, 0, tzinfo=UTC), "America/New_York", True),  # 07:00 there
        (datetime(2024, 1, 9, 23, 30, tzinfo=UTC), "Asia/Tokyo", True),  # Wed 08:30 there
        (datetime(2024, 1, 13, 9, 0, tzinfo=UTC), "UTC", False),  # Saturday: no arXiv mail
    ],
)
def test_daily_digest_due_at_local_hour_on_weekdays(
    now: datetime, timezone: str, due: bool
) -> None:
    assert is_due(subscription(timezone=timezone), now) is due


def test_a_period_is_due_once_and_weekly_runs_from_monday() -> None:
    now = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
    daily = subscription()
    assert period_key(daily, now) == "2024-01-10"
    assert not is_due(subscription(last_period="2024-01-10"), now)
    assert is_due(subscription(last_period="2024-01-09"), now)
    weekly = subscription(frequency="weekly")
    assert period_key(weekly, now) == "2024-W02"
    assert is_due(weekly, now)  # Wednesday: Monday's send was missed, still due this week
    assert not is_due(subscription(frequency="weekly", last_period="2024-W02"), now)
    monday_early = datetime(2024, 1, 8, 6, 0, tzinfo=UTC)
    assert not is_due(weekly, monday_early)
    saturday = datetime(2024, 1, 13, 9, 0, tzinfo=UTC)
    assert due_subscriptions([daily], saturday, force=True) == [(daily, "2024-01-13")]
    assert not is_due(subscription(status="pending"), now, force=True)


def test_trending_reasons_count_in_the_singular_and_the_plural() -> None:
    def reason(n: int) -> str:
        pool = [row("p", n, date(2024, 1, 9), stars=n)]
        return select_items(subscription(), pool, set(), limit=1)[0].reason

    assert "1 upvote, 1 GitHub star" in reason(1) and "stars" not in reason(1)
    assert "1203 upvotes, 1,203 GitHub stars" in reason(1203)


def test_consecutive_periods_cover_listing_days_that_do_not_overlap() -> None:
    # Mon 2024-01-08 .. Sun 2024-01-14.
    assert covered_days("daily", date(2024, 1, 10)) == (date(2024, 1, 9), date(2024, 1, 9))
    assert covered_days("daily", date(2024, 1, 15)) == (date(2024, 1, 12), date(2024, 1, 14))
    assert covered_days("daily", date(2024, 1, 16)) == (date(2024, 1, 15), date(2024, 1, 15))
    assert covered_days("daily", date(2024, 1, 13)) == (date(2024, 1, 12), date(2024, 1, 12))
    for day in (date(2024, 1, 15), date(2024, 1, 17), date(2024, 1, 21)):
        assert covered_days("weekly", day) == (date(2024, 1, 8), date(2024, 1, 14))
    weekdays = [date(2024, 1, 8 + n) for n in range(14) if date(2024, 1, 8 + n).weekday() < 5]
    spans = [covered_days("daily", day) for day in weekdays]
    assert all(end + timedelta(days=1) == start for (_, end), (start, _) in pairwise(spans))


def test_a_first_digest_after_the_lists_stopped_covers_the_newest_list() -> None:
    for newest in (date(2024, 1, 8) + timedelta(days=n) for n in range(14)):
        for frequency in ("daily", "weekly"):
            first, last = covered_days(frequency, welcome_day(frequency, newest))
            assert first <= newest <= last, (frequency, newest)


def test_subscribe_request_rules() -> None:
    ok = SubscriptionRequest(email=" Ada@Example.ORG ", timezone="Europe/Paris", hour=6)
    assert ok.email == "ada@example.org" and ok.kind == "trending"
    with pytest.raises(ValueError, match="timezone"):
        SubscriptionRequest(email="a@b.org", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="needs a query"):
        SubscriptionRequest(email="a@b.org", kind="search")
    with pytest.raises(ValueError, match="email"):
        SubscriptionRequest(email="not-an-address")
    with pytest.raises(ValueError):
        SubscriptionRequest(email="a@b.org", hour=24)
    same = SubscriptionRequest(email="A@b.org", kind="author", author="Ada", query="ignored")
    assert same.query is None
    assert (
        same.dedupe_key()
        == SubscriptionRequest(email="a@b.org", kind="author", author="ada").dedupe_key()
    )


def test_message_bytes_are_well_formed_and_resist_header_injection() -> None:
    from email import message_from_bytes, policy

    from paperscope.digests.compose import Digest
    from paperscope.digests.message import render_message

    raw = render_message(
        Digest('3 papers matching "x\r\nBcc: victim@example.org" - é', "<p>é</p>", "é text"),
        to="ada@example.org",
        mail_from="Päper Scope <d@example.org>",
        msg_id="<digest.1.p.n@example.org>",
        date=datetime(2024, 1, 10, 8, 0, tzinfo=UTC),
        unsubscribe_url="https://example.org/u/" + "T" * 200,
        list_id="paperscope trending digest <trending.example.org>",
    )
    assert b"\nBcc:" not in raw and all(len(line) <= 998 for line in raw.split(b"\r\n"))
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert message["Subject"] == '3 papers matching "x Bcc: victim@example.org" - é'
    assert message["From"].addresses[0].display_name == "Päper Scope"  # type: ignore[union-attr]
    assert message.get_body(("plain",)).get_content() == "é text"  # type: ignore[union-attr]
    assert message.get_body(("html",)).get_content() == "<p>é</p>"  # type: ignore[union-attr]
    assert str(message["List-Unsubscribe"]).startswith("<https://example.org/u/TTTT")
