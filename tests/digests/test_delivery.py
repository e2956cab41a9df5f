"""Subscribing, composing and delivering through a real SMTP server, on SQLite and
PostgreSQL: confirmation, digest content and headers, once per period, never the same paper
twice, retries on 4xx, failure and suppression on 5xx, nothing sent after an unsubscribe or a
suppression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from fastapi.testclient import TestClient

from digests.helpers import WEDNESDAY_8AM, link, token_of
from digests.smtp_server import SmtpServer, free_port
from factories import ingest_list, record
from paperscope.config import Settings
from paperscope.digests import jobs, service
from paperscope.digests.model import SubscriptionRequest
from paperscope.store import Store
from paperscope.store import outbox as outbox_queries
from paperscope.web.app import create_app


def subscribe_and_confirm(
    settings: Settings, store: Store, smtp: SmtpServer, email: str, **fields: object
) -> None:
    outcome = service.subscribe(
        settings, store, SubscriptionRequest(email=email, **fields), client="10.0.0.1"
    )
    jobs.deliver(settings, store, ids=outcome.outbox_ids)
    confirmation = smtp.to(email)[-1]
    service.confirm(settings, store, token_of(link(confirmation, r"\S+/subscriptions/confirm/\S+")))


def test_confirmation_mail_arrives_and_its_link_activates(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    outcome = service.subscribe(
        mail_settings, store, SubscriptionRequest(email="ada@example.org"), client="10.0.0.1"
    )
    assert jobs.deliver(mail_settings, store, ids=outcome.outbox_ids).sent == 1
    [mail] = smtp.to("ada@example.org")
    assert mail["Subject"] == "Confirm your paperscope subscription"
    assert "List-Unsubscribe" not in mail  # transactional, not a list mail
    url = link(mail, r"https://papers\.example\.org/subscriptions/confirm/\S+")
    [pending] = service.list_subscriptions(store)
    assert pending.status == "pending"
    confirmed = service.confirm(mail_settings, store, token_of(url))
    assert confirmed.status == "active"
    assert service.confirm(mail_settings, store, token_of(url)).status == "active"  # twice: fine


def test_digest_content_headers_once_per_period_and_no_repeats(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    subscribe_and_confirm(mail_settings, store, smtp, "ada@example.org")
    smtp.clear()
    composed, delivered = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM)
    assert (composed.composed, delivered.sent) == (1, 1)
    [raw_envelope] = smtp.recorder.messages
    raw = raw_envelope[1]
    [digest] = smtp.messages()
    # RFC 8058 headers, on the wire: not encoded, folded only between the two URIs.
    assert b"\r\nList-Unsubscribe: <https://papers.example.org/u/" in raw
    assert b">,\r\n <mailto:digests@papers.example.org?subject=unsubscribe>\r\n" in raw
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Id"] == "paperscope trending digest <trending.papers.example.org>"
    assert digest["Message-ID"].startswith("<digest.") and digest["Date"]
    assert digest.get_content_type() == "multipart/alternative"
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    # Wednesday's daily digest offers Tuesday's (finished) list: two papers.
    assert "A Benchmark of Retrieval" in text and "Diffusion Transformers at Scale" in text
    assert "Sparse Attention" not in text and "Robot Learning" not in text
    assert text.index("A Benchmark of Retrieval") < text.index("Diffusion Transformers")  # 25 > 7
    assert "Trending on the 2024-01-09 list" in text
    assert "https://arxiv.org/abs/2401.00003" in html
    assert "/subscriptions/manage/" in text
    assert digest["Subject"] == "2 trending papers - 2024-01-10"

    again = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM + timedelta(hours=3))
    assert (again[0].due, again[1].sent) == (0, 0)
    thursday = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM + timedelta(days=1))
    assert (thursday[0].composed, thursday[1].sent) == (1, 1)
    assert "Robot Learning from Video" in smtp.messages()[-1].get_body(("plain",)).get_content()
    # Friday: no list on Thursday, so nothing new to send: no mail (empty digests are skipped).
    friday = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM + timedelta(days=2))
    assert (friday[0].due, friday[0].empty, friday[1].sent) == (1, 1, 0)
    assert len(smtp.messages()) == 2


def test_a_period_with_no_new_list_sends_nothing_however_much_an_old_list_left_over(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    settings = mail_settings.model_copy(update={"digest_max_papers": 1})
    subscribe_and_confirm(settings, store, smtp, "daily@example.org")
    subscribe_and_confirm(settings, store, smtp, "weekly@example.org", frequency="weekly")
    smtp.clear()

    def sent_on(now: datetime) -> dict[str, str]:
        before = len(smtp.messages())
        jobs.run_digests(settings, store, now=now)
        return {
            str(m["To"]): m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            for m in smtp.messages()[before:]
        }

    # One paper a day: the best of the list before; the lists' other papers are left over.
    wednesday = sent_on(WEDNESDAY_8AM)
    assert "A Benchmark of Retrieval" in wednesday["daily@example.org"]  # Tuesday's best
    # The weekly subscriber's period (last week) had no list: its first digest is the best
    # of the newest week instead, rather than nothing until next Monday.
    assert "Robot Learning from Video" in wednesday["weekly@example.org"]
    thursday = sent_on(WEDNESDAY_8AM + timedelta(days=1))
    assert "Robot Learning from Video" in thursday["daily@example.org"]  # Wednesday's best
    assert "Diffusion Transformers" not in thursday["daily@example.org"]
    # No list on Thursday: Friday has nothing to send, though Tuesday and Wednesday left
    # papers over.
    assert sent_on(WEDNESDAY_8AM + timedelta(days=2)) == {}
    # Monday: no lists over the weekend either; the weekly digest has last week's best.
    monday = sent_on(datetime(2024, 1, 15, 8, 0, tzinfo=UTC))
    assert list(monday) == ["weekly@example.org"]
    assert "Trending on the 2024-01-09 list" in monday["weekly@example.org"]  # the next best
    assert "Robot Learning from Video" not in monday["weekly@example.org"]
    # A week with no lists: nothing, daily or weekly, however much the last one left over.
    for day in range(16, 23):
        assert sent_on(datetime(2024, 1, day, 8, 0, tzinfo=UTC)) == {}


def test_saved_search_author_and_category_alerts(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    subscribe_and_confirm(
        mail_settings,
        store,
        smtp,
        "s@example.org",
        kind="search",
        query="diffusion",
        frequency="weekly",
    )
    subscribe_and_confirm(
        mail_settings,
        store,
        smtp,
        "a@example.org",
        kind="author",
        author="Ada Lovelace",
        frequency="weekly",
    )
    subscribe_and_confirm(
        mail_settings,
        store,
        smtp,
        "c@example.org",
        kind="category",
        category="cs.LG",
        frequency="weekly",
    )
    smtp.clear()
    # Monday 2024-01-15: each weekly digest offers the week before, Jan 8 to 14.
    monday = datetime(2024, 1, 15, 8, 0, tzinfo=UTC)
    composed, delivered = jobs.run_digests(mail_settings, store, now=monday)
    assert delivered.sent == 3, composed
    by_author = smtp.to("a@example.org")[0].get_body(("plain",)).get_content()
    assert "Sparse Attention" in by_author and "Diffusion Transformers" in by_author
    assert "New paper by Ada Lovelace" in by_author and "Robot Learning" not in by_author
    in_category = smtp.to("c@example.org")[0].get_body(("plain",)).get_content()
    assert "Diffusion Models for Protein Design" in in_category and "New in cs.LG" in in_category
    assert "Sparse Attention" not in in_category
    search = smtp.to("s@example.org")[0]
    assert 'matching "diffusion"' in search["Subject"]
    body = search.get_body(("plain",)).get_content()
    assert "Diffusion" in body and "Matches your search “diffusion”" in body
    assert "Robot Learning" not in body


def test_author_and_category_alerts_see_papers_from_arxiv_that_no_list_has(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    # What the arXiv API or RSS sources bring: categories, dates, no daily-list entry.
    ingest_list(
        store,
        [
            record(
                source="arxiv",
                arxiv_id="2401.07001",
                title="Kernel Methods Revisited",
                authors=["Ada Lovelace", "Alan Turing"],
                categories=["stat.ML", "cs.LG"],
                primary_category="stat.ML",
                published=datetime(2024, 1, 9, 17, 0, tzinfo=UTC),
            ),
            record(  # a new version (replacement) of an old paper counts as new too
                source="arxiv",
                arxiv_id="2306.00042",
                version=3,
                title="Graph Rewriting, Third Edition",
                authors=["Grace Hopper"],
                categories=["cs.LG"],
                primary_category="cs.LG",
                published=datetime(2023, 6, 1, tzinfo=UTC),
                updated=datetime(2024, 1, 8, 20, 0, tzinfo=UTC),
            ),
            record(  # too old for this period
                source="arxiv",
                arxiv_id="2312.00007",
                title="Old Kernel Work",
                authors=["Ada Lovelace"],
                categories=["stat.ML"],
                published=datetime(2023, 12, 20, tzinfo=UTC),
            ),
        ],
    )
    subscribe_and_confirm(mail_settings, store, smtp, "a@example.org", kind="author", author="ada")
    subscribe_and_confirm(
        mail_settings, store, smtp, "stat@example.org", kind="category", category="stat"
    )
    subscribe_and_confirm(
        mail_settings, store, smtp, "lg@example.org", kind="category", category="cs.LG"
    )
    smtp.clear()
    composed, delivered = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM)
    assert (composed.composed, delivered.sent) == (3, 3), composed

    def body(address: str) -> str:
        [mail] = smtp.to(address)
        return mail.get_body(("plain",)).get_content()  # type: ignore[union-attr,no-any-return]

    assert "Kernel Methods Revisited" in body("a@example.org")
    assert "New paper by Ada Lovelace" in body("a@example.org")
    assert "Old Kernel Work" not in body("a@example.org")
    assert "Kernel Methods Revisited" in body("stat@example.org")  # stat.ML is under stat
    assert "New in stat" in body("stat@example.org")
    by_lg = body("lg@example.org")
    assert "Kernel Methods Revisited" in by_lg and "Graph Rewriting, Third Edition" in by_lg
    # Never twice: the next day's alert has nothing left to send.
    thursday = jobs.run_digests(mail_settings, store, now=WEDNESDAY_8AM + timedelta(days=1))
    assert (thursday[0].empty, thursday[1].sent) == (3, 0)


def test_temporary_failure_retries_then_delivers(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    subscribe_and_confirm(mail_settings, store, smtp, "busy@example.org")
    smtp.clear()
    smtp.recorder.refuse["busy@example.org"] = "451 4.3.0 try again later"
    settings = mail_settings.model_copy(update={"mail_retry_base_seconds": 3600})
    composed, delivered = jobs.run_digests(settings, store, now=WEDNESDAY_8AM)
    assert (composed.composed, delivered.retried, delivered.sent) == (1, 1, 0)
    with store.read() as conn:
        [message] = [outbox_queries.get_message(conn, i) for i in (2,)]
    assert message is not None and message["status"] == "queued"
    assert message["last_error"].startswith("451")
    # Not before its backoff...
    assert jobs.deliver(settings, store).sent == 0
    # ...then the relay accepts it, once.
    del smtp.recorder.refuse["busy@example.org"]
    later = message["next_attempt_at"] + timedelta(seconds=1)
    report = jobs.deliver(settings, store, clock=lambda: later)
    assert report.sent == 1
    assert len(smtp.to("busy@example.org")) == 1


def test_permanent_failure_fails_the_message_and_suppresses_the_address(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    settings = mail_settings.model_copy(update={"mail_suppress_after": 2})
    subscribe_and_confirm(settings, store, smtp, "gone@example.org")
    smtp.recorder.refuse["gone@example.org"] = "550 5.1.1 no such user"
    composed, delivered = jobs.run_digests(settings, store, now=WEDNESDAY_8AM)
    assert (delivered.failed, delivered.suppressed) == (1, 0)
    thursday = WEDNESDAY_8AM + timedelta(days=1)  # Wednesday's list: not empty either
    composed, delivered = jobs.run_digests(settings, store, now=thursday)
    assert (delivered.failed, delivered.suppressed) == (1, 1)
    with store.read() as conn:
        assert outbox_queries.is_suppressed(conn, "gone@example.org")
    # A suppressed address gets no more digests, and no confirmation mails either.
    friday = jobs.run_digests(settings, store, now=thursday + timedelta(days=1))
    assert friday[0].due == 0
    again = service.subscribe(
        settings,
        store,
        SubscriptionRequest(email="gone@example.org", kind="author", author="x"),
        client="10.0.0.9",
    )
    assert again.outbox_ids == []


def test_rate_limits_and_no_enumeration(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    import pytest

    settings = mail_settings.model_copy(
        update={"subscribe_limit_per_address": 2, "subscribe_limit_per_client": 5}
    )
    answers = []
    for client in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        outcome = service.subscribe(
            settings, store, SubscriptionRequest(email="victim@example.org"), client=client
        )
        jobs.deliver(settings, store, ids=outcome.outbox_ids)
        answers.append(outcome.message)
    # Three requests from three clients: two confirmation mails, never more per hour.
    assert len(smtp.to("victim@example.org")) == 2
    # A known (even confirmed) address and an unknown one get the same answer.
    subscribe_and_confirm(settings, store, smtp, "known@example.org")
    known = service.subscribe(
        settings, store, SubscriptionRequest(email="known@example.org"), client="4.4.4.4"
    )
    unknown = service.subscribe(
        settings, store, SubscriptionRequest(email="new@example.org"), client="4.4.4.4"
    )
    assert known.message == unknown.message == answers[0]
    assert known.outbox_ids == []  # the confirmed address is not mailed again
    # One client cannot mail-bomb many addresses.
    for n in range(3):
        service.subscribe(
            settings, store, SubscriptionRequest(email=f"x{n}@example.org"), client="5.5.5.5"
        )
    service.subscribe(settings, store, SubscriptionRequest(email="y@example.org"), client="5.5.5.5")
    service.subscribe(settings, store, SubscriptionRequest(email="z@example.org"), client="5.5.5.5")
    with pytest.raises(service.RateLimited):
        service.subscribe(
            settings, store, SubscriptionRequest(email="w@example.org"), client="5.5.5.5"
        )


def queue_a_retry(settings: Settings, store: Store) -> tuple[Settings, dict[str, object]]:
    """Compose Wednesday's digest while the relay is down: it waits in the outbox for a retry.
    Returns the settings that retry only after an hour, and the waiting message."""
    slow = settings.model_copy(update={"mail_retry_base_seconds": 3600})
    relay_down = slow.model_copy(update={"smtp_port": free_port()})
    composed, delivered = jobs.run_digests(relay_down, store, now=WEDNESDAY_8AM)
    assert (composed.composed, delivered.retried, delivered.sent) == (1, 1, 0)
    with store.read() as conn:
        message = outbox_queries.get_message(conn, 2)  # 1 is the confirmation
    assert message is not None and message["status"] == "queued"
    return slow, message


def test_a_digest_waiting_for_a_retry_is_not_sent_after_a_one_click_unsubscribe(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    subscribe_and_confirm(mail_settings, store, smtp, "leaving@example.org")
    smtp.clear()
    settings, message = queue_a_retry(mail_settings, store)
    # The mail client's one-click POST, with the URL of the very message that waits.
    waiting = message_from_bytes(message["message"], policy=policy.default)  # type: ignore[arg-type]
    url = str(waiting["List-Unsubscribe"]).split("<", 1)[1].split(">", 1)[0]
    with TestClient(create_app(settings), base_url="https://papers.example.org") as client:
        done = client.post(
            url.removeprefix("https://papers.example.org"),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert done.status_code == 200
    later = message["next_attempt_at"] + timedelta(seconds=1)  # type: ignore[operator]
    report = jobs.deliver(settings, store, clock=lambda: later)
    assert (report.sent, report.cancelled) == (0, 1)
    assert smtp.to("leaving@example.org") == []
    with store.read() as conn:
        cancelled = outbox_queries.get_message(conn, 2)
    assert cancelled is not None and cancelled["status"] == "cancelled"
    assert cancelled["message"] == b""  # nothing kept that will never be sent
    assert jobs.deliver(settings, store, clock=lambda: later).as_dict()["cancelled"] == 0


def test_a_digest_waiting_for_a_retry_is_not_sent_once_its_address_is_suppressed(
    mail_settings: Settings, store: Store, smtp: SmtpServer, corpus: list[str]
) -> None:
    subscribe_and_confirm(mail_settings, store, smtp, "bouncing@example.org")
    smtp.clear()
    settings, message = queue_a_retry(
        mail_settings.model_copy(update={"mail_suppress_after": 1}), store
    )
    # Meanwhile the mailbox is gone: the next mail to it (a confirmation) bounces for good.
    smtp.recorder.refuse["bouncing@example.org"] = "550 5.1.1 no such user"
    outcome = service.subscribe(
        settings,
        store,
        SubscriptionRequest(email="bouncing@example.org", kind="author", author="Ada Lovelace"),
        client="10.0.0.2",
    )
    assert jobs.deliver(settings, store, ids=outcome.outbox_ids).suppressed == 1
    del smtp.recorder.refuse["bouncing@example.org"]  # a relay that would now accept it
    later = message["next_attempt_at"] + timedelta(seconds=1)  # type: ignore[operator]
    report = jobs.deliver(settings, store, clock=lambda: later)
    assert (report.sent, report.cancelled) == (0, 1)
    assert smtp.to("bouncing@example.org") == []
    with store.read() as conn:
        cancelled = outbox_queries.get_message(conn, 2)
    assert cancelled is not None
    assert (cancelled["status"], cancelled["last_error"]) == ("cancelled", "address suppressed")
