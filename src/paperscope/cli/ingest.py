"""``paperscope ingest SOURCE ...``: one subcommand per source, all through the same loop."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import typer

from paperscope.cli.context import console, print_json, progress, settings, store
from paperscope.ingest import ingest
from paperscope.models import IngestReport, PaperRecord, PaperscopeError, Rejected
from paperscope.sources.hf_daily import HFDailyFile
from paperscope.sources.jsonl import JsonLinesFile
from paperscope.sources.kaggle import KaggleSnapshot

ingest_app = typer.Typer(help="Ingest papers from a source.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Print the IngestReport as one JSON object.")


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")


def run_ingest(source_name: str, records: Iterable[PaperRecord | Rejected], as_json: bool) -> None:
    """Run the ingest loop with a progress bar and print its report."""
    with progress(f"ingest {source_name}") as advance:
        report = ingest(
            store(),
            records,
            source_name=source_name,
            rejects_dir=settings().rejects_dir,
            batch_size=settings().ingest_batch_size,
            on_progress=advance,
        )
    print_report(report, as_json)


def print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"{report.new:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{report.rejected:,} rejected, {report.listings:,} new listings"
    )
    if report.rejects_file:
        console.print(f"rejected records and reasons: {report.rejects_file}")


def existing_files(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise PaperscopeError(f"no such file: {', '.join(missing)}")
    return paths


@ingest_app.command("kaggle")
def ingest_kaggle(
    paths: list[Path] = typer.Argument(..., help="Kaggle snapshot files (.json, .jsonl, .gz)."),
    category: str | None = typer.Option(None, help="Only papers in this category (cs, cs.LG)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The Kaggle arXiv metadata snapshot (JSON Lines)."""

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in existing_files(paths):
            yield from KaggleSnapshot(path, category=category).records()

    run_ingest("kaggle", records(), as_json)


@ingest_app.command("jsonl")
def ingest_jsonl(
    paths: list[Path] = typer.Argument(..., help="JSON Lines files of papers (title required)."),
    source_name: str = typer.Option("jsonl", "--source-name", help="Recorded as the source."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Generic JSON Lines (title, abstract, optional id, authors, code_urls)."""

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in existing_files(paths):
            yield from JsonLinesFile(path, source=source_name).records()

    run_ingest(source_name, records(), as_json)


@ingest_app.command("hf-daily-file")
def ingest_hf_daily_file(
    paths: list[Path] = typer.Argument(..., help="Normalized HF daily papers JSONL (.gz too)."),
    since: str | None = typer.Option(None, help="First listing day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, help="Last listing day, YYYY-MM-DD."),
    as_json: bool = JSON_OPTION,
) -> None:
    """An archived HF daily papers file in the normalized JSONL form."""

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in existing_files(paths):
            yield from HFDailyFile(
                path, since=parse_day(since, "--since"), until=parse_day(until, "--until")
            ).records()

    run_ingest("hf-daily", records(), as_json)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PaperscopeError(f"{option}: expected YYYY-MM-DD, got {value!r}") from error
