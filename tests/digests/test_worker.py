"""``paperscope worker``'s round: ingest today's HF daily list from a local server shaped like
the real API, then mail it, in one round; slow jobs skipped when asked."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import service
from paperscope.digests.model import SubscriptionRequest
from paperscope.store import Store
from paperscope.worker import run_once
from sources.payload_server import PayloadServer, Reply
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
