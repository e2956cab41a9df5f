"""Exactly once per (subscription, period) with real processes: a worker SIGKILLed at each
point we can name, then restarted; and two workers at once on PostgreSQL.

The kill points (``PAPERSCOPE_CRASH_AT``): ``after-compose`` (digests recorded, nothing sent),
``after-claim`` (rows claimed for sending, nothing sent), ``after-send`` (the relay accepted
the first message, it is not yet marked sent). The first two are exactly once at the relay.
The last one is the window no SMTP sender can close: the message is sent again, with the same
Message-ID, so receivers that de-duplicate by Message-ID still show it once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest

from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import jobs, service
from paperscope.digests.model import SubscriptionRequest
from paperscope.store import Store
from paperscope.store import outbox as outbox_queries
from support import run_cli


def confirmed_subscribers(settings: Settings, store: Store, smtp: SmtpServer, n: int) -> set[str]:
    emails = {f"reader{i}@example.org" for i in range(n)}
    for i, email in enumerate(sorted(emails)):
        service.subscribe(settings, store, SubscriptionRequest(email=email), client=f"10.0.{i}.1")
    tokens = service.tokens_for(settings)
    for sub in service.list_subscriptions(store):
        service.confirm(settings, store, tokens.make("confirm", sub.id, sub.nonce))
    jobs.deliver(settings, store)  # the confirmation mails
    smtp.clear()
    return emails


def digests_by_recipient(smtp: SmtpServer) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in smtp.messages():
        if str(message["Message-ID"]).startswith("<digest."):
            out.setdefault(str(message["To"]), []).append(str(message["Message-ID"]))
    return out


@pytest.mark.parametrize("point", ["after-compose", "after-claim", "after-send"])
def test_kill_9_then_restart_delivers_every_digest(
    point: str,
    mail_settings: Settings,
    store: Store,
    smtp: SmtpServer,
    mail_env: dict[str, str],
    recent_corpus: list[str],
) -> None:
    emails = confirmed_subscribers(mail_settings, store, smtp, 6)
    env = {**mail_env, "PAPERSCOPE_MAIL_LEASE_SECONDS": "1"}
    killed = run_cli({**env, "PAPERSCOPE_CRASH_AT": point}, "digest", "run", "--now", check=False)
    assert killed.returncode == -9, killed.stderr
    before = digests_by_recipient(smtp)
    assert sum(len(v) for v in before.values()) == (1 if point == "after-send" else 0)
    time.sleep(1.5)  # let the dead worker's lease run out
    run_cli(env, "worker", "--once", "--now")
    run_cli(env, "digest", "run", "--now")  # and a later run finds nothing left to do

    received = digests_by_recipient(smtp)
    assert set(received) == emails
    # Every subscriber has exactly one digest (one Message-ID) for this period.
    assert all(len(set(ids)) == 1 for ids in received.values())
    copies = Counter(len(ids) for ids in received.values())
    if point == "after-send":
        assert copies == {1: len(emails) - 1, 2: 1}  # the documented at-least-once window
    else:
        assert copies == {1: len(emails)}  # exactly once at the relay
    with store.read() as conn:
        assert outbox_queries.status_counts(conn) == {"sent": len(emails) * 2}  # + confirmations


@pytest.mark.pg
def test_two_workers_on_postgresql_send_each_digest_once(
    store_url: str,
    mail_settings: Settings,
    store: Store,
    smtp: SmtpServer,
    mail_env: dict[str, str],
    recent_corpus: list[str],
) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL (SQLite has one writer)")
    emails = confirmed_subscribers(mail_settings, store, smtp, 150)
    command = [sys.executable, "-m", "paperscope", "digest", "run", "--now", "--json"]
    workers = [
        subprocess.Popen(command, env=mail_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [o[1] for o in outputs]
    received = digests_by_recipient(smtp)
    assert set(received) == emails
    assert all(len(ids) == 1 for ids in received.values())
    with store.read() as conn:
        assert outbox_queries.status_counts(conn) == {"sent": 300}
