"""``paperscope digest preview|run --dry-run`` and ``paperscope subscribers export``."""

from __future__ import annotations

import json
from pathlib import Path

from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.digests import service
from paperscope.digests.model import SubscriptionRequest
from paperscope.store import Store
from support import run_cli


def test_preview_dry_run_and_export(
    mail_settings: Settings,
    store: Store,
    smtp: SmtpServer,
    mail_env: dict[str, str],
    recent_corpus: list[str],
    tmp_path: Path,
) -> None:
    service.subscribe(
        mail_settings,
        store,
        SubscriptionRequest(
            email="cli@example.org", kind="author", author="Ada Lovelace", frequency="weekly"
        ),
        client="10.1.1.1",
    )
    [pending] = service.list_subscriptions(store)
    tokens = service.tokens_for(mail_settings)
    service.confirm(mail_settings, store, tokens.make("confirm", pending.id, pending.nonce))

    shown = run_cli(mail_env, "digest", "preview", "CLI@example.org").stdout
    assert "Subject: 2 new papers by Ada Lovelace" in shown
    assert "Sparse Attention for Long Documents" in shown
    out = tmp_path / "next.eml"
    run_cli(mail_env, "digest", "preview", "cli@example.org", "--out", str(out))
    assert b"List-Unsubscribe" not in out.read_bytes()  # a preview carries no live links
    assert b"multipart/alternative" in out.read_bytes()
    missing = run_cli(mail_env, "digest", "preview", "nobody@example.org", check=False)
    assert missing.returncode == 1 and "no subscription" in missing.stderr

    dry = json.loads(run_cli(mail_env, "digest", "run", "--now", "--dry-run", "--json").stdout)
    assert dry["composed"]["composed"] == 1 and dry["delivered"]["sent"] == 0
    assert dry["composed"]["previews"][0]["email"] == "cli@example.org"
    assert smtp.messages() == []  # nothing sent, and nothing recorded:
    real = json.loads(run_cli(mail_env, "digest", "run", "--now", "--json").stdout)
    assert real["delivered"]["sent"] == 2  # the confirmation and the digest

    exported = json.loads(run_cli(mail_env, "subscribers", "export").stdout)
    assert [(s["email"], s["kind"], s["status"], s["author"]) for s in exported] == [
        ("cli@example.org", "author", "active", "Ada Lovelace")
    ]
