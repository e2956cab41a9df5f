"""``paperscope digest preview|run --dry-run`` and ``paperscope subscribers export``."""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from pathlib import Path

from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import service
from paperscope.digests.message import parse_message
from paperscope.digests.model import SubscriptionRequest
from paperscope.store import Store
from support import run_cli


def unsigned(text: str) -> str:
    """``text`` with the signed tokens of its links left out."""
    return re.sub(r"/(u|subscriptions/manage)/[\w.-]+", r"/\1/TOKEN", text)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


def test_preview_dry_run_and_export(
    mail_settings: Settings,
    store: Store,
    smtp: SmtpServer,
    mail_env: dict[str, str],
    recent_corpus: list[str],
    tmp_path: Path,
) -> None:
    tokens = service.tokens_for(mail_settings)
    wanted = [
        {"kind": "author", "author": "Ada Lovelace", "frequency": "weekly"},
        {"kind": "trending"},
        {"kind": "category", "category": "math.AG"},  # nothing new there: an empty digest
        {"kind": "category", "category": "cs.LG"},  # left pending
    ]
    for n, fields in enumerate(wanted):
        service.subscribe(
            mail_settings,
            store,
            SubscriptionRequest(email="cli@example.org", **fields),  # type: ignore[arg-type]
            client=f"10.1.1.{n}",
        )
    author, trending, empty, _pending = service.list_subscriptions(store)
    for subscription in (author, trending, empty):
        service.confirm(
            mail_settings, store, tokens.make("confirm", subscription.id, subscription.nonce)
        )

    previewed = run_cli(mail_env, "digest", "preview", "CLI@example.org")
    shown = previewed.stdout
    assert "Subject: 2 new papers by Ada Lovelace" in shown
    assert "Sparse Attention for Long Documents" in shown
    assert "Subject: 6 trending papers" in shown
    # The headers a worker sends, with live links and the real Message-ID scheme.
    assert "List-Unsubscribe: <https://papers.example.org/u/" in shown
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in shown
    assert "List-Id: paperscope author digest <author.papers.example.org>" in shown
    assert f"Message-ID: <digest.{author.id}." in shown
    # Pending subscriptions and empty digests are not sent, so not shown, unless asked.
    assert "math.AG" not in shown and "cs.LG" not in shown
    assert "daily papers in math.AG (empty" in previewed.stderr
    assert "daily papers in cs.LG (pending" in previewed.stderr
    everything = run_cli(mail_env, "digest", "preview", "cli@example.org", "--all").stdout
    assert everything.count("Subject: ") == 4 and "(not sent: pending" in everything

    # --out writes every subscription's digest: one file each.
    out = tmp_path / "next.eml"
    run_cli(mail_env, "digest", "preview", "cli@example.org", "--out", str(out))
    files = sorted(tmp_path.glob("next-*.eml"))
    assert [f.name for f in files] == [f"next-{author.id}.eml", f"next-{trending.id}.eml"]
    assert all(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in f.read_bytes() for f in files
    )
    assert all(b"multipart/alternative" in f.read_bytes() for f in files)
    run_cli(mail_env, "digest", "preview", "cli@example.org", "--out", str(tmp_path / "a.html"))
    assert sorted(p.name for p in tmp_path.glob("a-*.html")) == [
        f"a-{author.id}.html",
        f"a-{trending.id}.html",
    ]
    missing = run_cli(mail_env, "digest", "preview", "nobody@example.org", check=False)
    assert missing.returncode == 1 and "no subscription" in missing.stderr

    dry = json.loads(run_cli(mail_env, "digest", "run", "--now", "--dry-run", "--json").stdout)
    assert dry["composed"]["composed"] == 2 and dry["delivered"]["sent"] == 0
    assert dry["composed"]["previews"][0]["email"] == "cli@example.org"
    assert smtp.messages() == []  # nothing sent, and nothing recorded:
    real = json.loads(run_cli(mail_env, "digest", "run", "--now", "--json").stdout)
    assert real["composed"]["composed"] == 2 and real["composed"]["empty"] == 1
    # What was sent is what the preview showed: the same Message-ID, subject, list headers
    # and text, but for when the links were signed (tokens carry their signing time).
    previews = {str(m["Message-ID"]): m for m in (parse_message(f.read_bytes()) for f in files)}
    for sent in smtp.messages():
        if str(sent["Message-ID"]).startswith("<digest."):
            before = previews.pop(str(sent["Message-ID"]))
            for header in ("Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
                assert unsigned(str(sent[header])) == unsigned(str(before[header]))
            assert unsigned(text_of(sent)) == unsigned(text_of(before))
    assert previews == {}

    exported = json.loads(run_cli(mail_env, "subscribers", "export").stdout)
    assert [(s["email"], s["kind"], s["status"]) for s in exported] == [
        ("cli@example.org", "author", "active"),
        ("cli@example.org", "trending", "active"),
        ("cli@example.org", "category", "active"),
        ("cli@example.org", "category", "pending"),
    ]
    assert exported[0]["author"] == "Ada Lovelace"
