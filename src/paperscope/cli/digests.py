"""``paperscope digest preview|run`` and ``paperscope subscribers list|export``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from paperscope.cli.context import console, print_json, settings, store
from paperscope.models import PaperscopeError

digest_app = typer.Typer(help="Email digests.", no_args_is_help=True)
subscribers_app = typer.Typer(help="Email subscribers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")
    app.add_typer(subscribers_app, name="subscribers")


@digest_app.command("preview")
def preview(
    email: str = typer.Argument(..., help="A subscriber's address."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Write each digest here instead: FILE.eml the whole message, else its HTML part. "
        "Several subscriptions: FILE-<subscription id>.<suffix> each.",
    ),
    everything: bool = typer.Option(
        False, "--all", help="Also pending subscriptions, a suppressed address, empty digests."
    ),
) -> None:
    """Render the next digest of each of EMAIL's subscriptions, exactly as a worker would
    send it now (headers and text to stdout; nothing is recorded or sent)."""
    from paperscope.digests.preview import preview as preview_digests

    try:
        found = preview_digests(settings(), store(), email)
    except ValueError as error:
        raise PaperscopeError(f"{email!r}: {error}") from error
    if not found:
        raise PaperscopeError(f"no subscription for {email}")
    shown = [p for p in found if everything or p.skipped is None]
    for skipped in (p for p in found if p not in shown):
        console.print(
            f"skipped {skipped.subscription.describe()} ({skipped.skipped}); --all shows it"
        )
    for item in shown:
        if out is None:
            _print_message(item.message, note=item.skipped)
            continue
        target = out
        if len(shown) > 1:
            target = out.with_name(f"{out.stem}-{item.subscription.id}{out.suffix}")
        if out.suffix == ".eml":
            target.write_bytes(item.message)
        else:
            target.write_text(item.digest.html, encoding="utf-8")
        console.print(f"wrote {item.digest.subject!r} to {target}")


def _print_message(raw: bytes, *, note: str | None) -> None:
    from paperscope.digests.message import parse_message

    message = parse_message(raw)
    if note:
        print(f"(not sent: {note})")
    for name, value in message.items():
        if name not in ("MIME-Version", "Content-Type"):
            print(f"{name}: {value}")
    body = message.get_body(("plain",))
    print()
    print(body.get_content() if body is not None else "")


@digest_app.command("run")
def run(
    now: bool = typer.Option(
        False, "--now", help="Send every subscription's current period now, whatever its hour."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Compose and report what would be sent; record and send nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Compose due digests into the outbox and send the outbox (each period once)."""
    from paperscope.digests.jobs import run_digests

    composed, delivered = run_digests(settings(), store(), force=now, dry_run=dry_run)
    if as_json:
        print_json({"composed": composed.as_dict(), "delivered": delivered.as_dict()})
        return
    for preview_row in composed.previews:
        print(f"{preview_row['email']}\t{preview_row['subject']}")
    console.print(
        f"due {composed.due}, composed {composed.composed}, empty {composed.empty}, "
        f"already composed {composed.already}; sent {delivered.sent}, "
        f"retrying {delivered.retried}, failed {delivered.failed}, "
        f"cancelled {delivered.cancelled}"
        + (" (dry run: nothing recorded or sent)" if dry_run else "")
    )


def _rows() -> list[dict[str, object]]:
    from paperscope.digests.service import list_subscriptions

    return [s.as_json() for s in list_subscriptions(store())]


@subscribers_app.command("list")
def list_subscribers(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Every subscription: address, kind, frequency, status."""
    rows = _rows()
    if as_json:
        print_json(rows)
        return
    for row in rows:
        target = row["query"] or row["author"] or row["category"] or ""
        print(
            f"{row['email']}\t{row['kind']}\t{target}\t{row['frequency']}\t"
            f"{row['timezone']} {row['hour']:02d}:00\t{row['status']}"
        )


@subscribers_app.command("export")
def export_subscribers(
    as_json: bool = typer.Option(True, "--json/--jsonl", help="A JSON array, or JSON Lines."),
) -> None:
    """Export every subscription (JSON objects with email, kind, status, ...)."""
    rows = _rows()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
