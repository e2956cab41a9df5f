"""``paperscope worker``'s round: ingest the HF daily list, or arXiv's announcements, from a
local server shaped like the real API, embed what came with the shipped model, then mail it;
slow jobs skipped when asked."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from digests.helpers import link, token_of
from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import jobs, service
from paperscope.digests.model import SubscriptionRequest
from paperscope.search import SearchService
from paperscope.store import Store
from paperscope.worker import run_once
from sources.payload_server import PayloadServer, Reply, payload
from support import SHARED_DATA

RAW_DAY = SHARED_DATA / "hf_daily_papers" / "raw_api_sample" / "2026-08-21.json.gz"


def test_a_round_ingests_the_daily_list_then_mails_it(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    server = PayloadServer().start()
    try:
        server.add("/api/daily_papers", Reply(b"[]", content_type="application/json"))
        server.add(
            "/api/daily_papers",
            Reply(gzip.decompress(RAW_DAY.read_bytes()), content_type="application/json"),
            date="2026-08-21",
        )
        settings = mail_settings.model_copy(
            update={
                "hf_api_url": server.url,
                "hf_delay_seconds": 0,
                "worker_jobs": "hf-daily,digests",
            }
        )
        service.subscribe(
            settings, store, SubscriptionRequest(email="w@example.org"), client="10.9.9.9"
        )
        [sub] = service.list_subscriptions(store)
        tokens = service.tokens_for(settings)
        service.confirm(settings, store, tokens.make("confirm", sub.id, sub.nonce))

        friday_8am = datetime(2026, 8, 21, 8, 0, tzinfo=UTC)
        skipped = run_once(settings, store, now=friday_8am, skip=frozenset({"hf-daily"}))
        assert "hf-daily" not in skipped
        assert skipped["digests"]["composed"]["empty"] == 1  # nothing ingested yet
        assert skipped["digests"]["delivered"]["sent"] == 1  # the confirmation mail

        # A day's digest offers the finished list of the day before: Friday's list goes out
        # on Saturday with `worker --once --now` (no daily digest is due on a weekend).
        saturday_9am = datetime(2026, 8, 22, 9, 0, tzinfo=UTC)
        report = run_once(settings, store, now=saturday_9am, force=True)
        assert report["hf-daily"]["new"] == 17
        assert report["digests"]["delivered"]["sent"] == 1
        digest = next(m for m in smtp.to("w@example.org") if "trending" in str(m["Subject"]))
        first = json.loads(gzip.decompress(RAW_DAY.read_bytes()))[0]["paper"]["title"]
        assert " ".join(first.split())[:30] in digest.get_body(("plain",)).get_content()
        assert {s.params["date"] for s in server.hits("/api/daily_papers")} == {
            "2026-08-21",
            "2026-08-22",
        }
    finally:
        server.stop()


# The recorded RSS feed is arXiv's announcement of Thursday 2025-08-21; a daily digest
# offers it on Friday.
FRIDAY_AFTER_THE_FEED = datetime(2025, 8, 22, 9, 0, tzinfo=UTC)
SURVEY = "From AI for Science to Agentic Science"


def subscribe_confirmed(settings: Settings, store: Store, smtp: SmtpServer, **fields: object):
    email = str(fields["email"])
    outcome = service.subscribe(
        settings, store, SubscriptionRequest(**fields), client=f"10.8.{len(email)}.1"
    )
    jobs.deliver(settings, store, ids=outcome.outbox_ids)
    mail = smtp.to(email)[-1]
    service.confirm(settings, store, token_of(link(mail, r"\S+/subscriptions/confirm/\S+")))


@pytest.mark.embed
def test_a_round_ingests_arxiv_announcements_embeds_them_and_alerts_on_them(
    mail_settings: Settings, store: Store, smtp: SmtpServer
) -> None:
    server = PayloadServer().start()
    try:
        server.add("/atom/cs.AI+cs.LG", payload("arxiv_rss_cs.AI+cs.LG.xml"))
        settings = mail_settings.model_copy(
            update={
                "arxiv_rss_url": f"{server.url}/atom",
                "arxiv_delay_seconds": 0,
                "worker_arxiv_categories": "cs.AI, cs.LG",
                "worker_jobs": "arxiv,embed,digests",
            }
        )
        query = "AI agents that carry out scientific research on their own"
        subscribe_confirmed(
            settings, store, smtp, email="s@example.org", kind="search", query=query
        )
        subscribe_confirmed(
            settings, store, smtp, email="c@example.org", kind="category", category="cs.AI"
        )
        smtp.clear()

        only_arxiv = settings.model_copy(update={"worker_jobs": "arxiv"})
        ingested = run_once(only_arxiv, store, now=FRIDAY_AFTER_THE_FEED)["arxiv"]
        assert (ingested["new"], ingested["rejected"]) == (4, 0)
        assert [s.path for s in server.hits("/atom/cs.AI+cs.LG")] == ["/atom/cs.AI+cs.LG"]
        # Ingested, not embedded: semantic search does not see them yet.
        assert SearchService(settings, store).search(query, mode="semantic").hits == []

        report = run_once(settings, store, now=FRIDAY_AFTER_THE_FEED)
        assert report["arxiv"]["new"] == 0  # the same day again: nothing new
        assert (report["embed"]["embedded"], report["embed"]["pending_before"]) == (4, 4)
        assert report["digests"]["delivered"]["sent"] == 2, report
        semantic = SearchService(settings, store).search(query, mode="semantic")
        assert semantic.hits[0].paper_id == "2508.14111"  # the survey of agentic science

        alert = smtp.to("s@example.org")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert SURVEY in alert and "Matches your search" in alert
        in_category = smtp.to("c@example.org")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert SURVEY in in_category and "New in cs.AI" in in_category

        again = run_once(settings, store, now=FRIDAY_AFTER_THE_FEED)
        assert again["embed"]["embedded"] == 0  # nothing left to embed
    finally:
        server.stop()


def test_the_worker_knows_the_arxiv_and_embed_jobs(mail_settings: Settings) -> None:
    from paperscope.models import PaperscopeError
    from paperscope.worker import configured_jobs

    settings = mail_settings.model_copy(update={"worker_jobs": "hf-daily, arxiv, embed, digests"})
    assert configured_jobs(settings) == ["hf-daily", "arxiv", "embed", "digests"]
    with pytest.raises(PaperscopeError, match="unknown worker job"):
        configured_jobs(mail_settings.model_copy(update={"worker_jobs": "arxiv,embedd"}))
