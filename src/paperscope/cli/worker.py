"""``paperscope worker [--once]``: the periodic jobs (ingest, embed, stars, digests)."""

from __future__ import annotations

import typer

from paperscope.cli.context import console, print_json, settings, store


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    once: bool = typer.Option(False, "--once", help="Run one round of the jobs, then exit."),
    now: bool = typer.Option(
        False, "--now", help="Send every subscription's current period now, whatever its hour."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print each round's report as JSON."),
) -> None:
    """Run the periodic jobs of worker_jobs: ingest, embed, refresh stars, send due digests."""
    from paperscope.worker import run_forever, run_once

    def show(report: dict[str, object]) -> None:
        if as_json:
            print_json(report)
        else:
            console.print(report)

    if once:
        show(run_once(settings(), store(), force=now))
        return
    console.print(
        f"worker running jobs {settings().worker_jobs!r} every "
        f"{settings().worker_interval_seconds:g} s; Ctrl-C stops it"
    )
    run_forever(settings(), store(), on_round=show)
