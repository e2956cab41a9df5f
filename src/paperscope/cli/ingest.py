"""``paperscope ingest SOURCE ...``: one subcommand per source, all through the same loop."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from paperscope.cli.context import console, print_json, progress, settings, store
from paperscope.ingest import ingest
from paperscope.models import IngestReport, PaperRecord, PaperscopeError, Rejected
from paperscope.sources.arxiv_api import ArxivApi
from paperscope.sources.arxiv_rss import ArxivRss
from paperscope.sources.hf_daily import HFDailyApi, HFDailyFile, HFDailyRawFile
from paperscope.sources.jsonl import JsonLinesFile
from paperscope.sources.kaggle import KaggleSnapshot
from paperscope.sources.oai_pmh import OaiPmh, load_harvest_state, save_harvest_state

ingest_app = typer.Typer(help="Ingest papers from a source.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Print the IngestReport as one JSON object.")


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")


def run_ingest(source_name: str, records: Iterable[PaperRecord | Rejected], as_json: bool) -> None:
    """Run the ingest loop with a progress bar and print its report."""
    target = store()  # a store that cannot open fails before the bar starts: one error line
    with progress(f"ingest {source_name}") as advance:
        report = ingest(
            target,
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
    if report.rejected:
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
    files = existing_files(paths)

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in files:
            yield from KaggleSnapshot(path, category=category).records()

    run_ingest("kaggle", records(), as_json)


@ingest_app.command("jsonl")
def ingest_jsonl(
    paths: list[Path] = typer.Argument(..., help="JSON Lines files of papers (title required)."),
    source_name: str = typer.Option("jsonl", "--source-name", help="Recorded as the source."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Generic JSON Lines (title, abstract, optional id, authors, code_urls)."""
    files = existing_files(paths)

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in files:
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
    files = existing_files(paths)
    first, last = parse_day(since, "--since"), parse_day(until, "--until")

    def records() -> Iterable[PaperRecord | Rejected]:
        for path in files:
            yield from HFDailyFile(path, since=first, until=last).records()

    run_ingest("hf-daily", records(), as_json)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PaperscopeError(f"{option}: expected YYYY-MM-DD, got {value!r}") from error


class FailureKept:
    """Lets a network source fail without losing what it already yielded.

    The records yielded before a failure (a page that never came, a truncated XML body) are
    ingested and reported; the failure is raised after, as the command's one error line.
    """

    def __init__(self) -> None:
        self.error: PaperscopeError | None = None

    def guard(self, records: Iterable[PaperRecord | Rejected]) -> Iterator[PaperRecord | Rejected]:
        try:
            yield from records
        except PaperscopeError as error:
            self.error = error

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise PaperscopeError(f"{self.error} (records ingested before this are kept)")


def run_network_ingest(
    source_name: str, records: Iterable[PaperRecord | Rejected], as_json: bool
) -> None:
    """``run_ingest`` for a network source: a failure is raised after what came is ingested."""
    failure = FailureKept()
    run_ingest(source_name, failure.guard(records), as_json)
    failure.raise_if_failed()


def today() -> date:
    return datetime.now(UTC).date()


@ingest_app.command("hf-daily")
def ingest_hf_daily(
    paths: list[Path] = typer.Argument(
        None, help="Archived days instead of the live API: raw YYYY-MM-DD.json(.gz) or JSONL."
    ),
    day: str | None = typer.Option(None, "--date", help="One listing day, YYYY-MM-DD."),
    since: str | None = typer.Option(None, help="First listing day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, help="Last listing day, YYYY-MM-DD (default: today)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Hugging Face daily papers: the live API by day (default today, UTC), or archived files."""
    if day and (since or until):
        raise PaperscopeError("give either --date or --since/--until, not both")
    first = parse_day(day or since, "--date" if day else "--since")
    last = first if day else parse_day(until, "--until")
    if paths:
        files = existing_files(paths)

        def from_files() -> Iterable[PaperRecord | Rejected]:
            for path in files:
                if path.name.endswith((".jsonl", ".jsonl.gz")):
                    yield from HFDailyFile(path, since=first, until=last).records()
                    continue
                yield from HFDailyRawFile(path, since=first, until=last).records()

        run_ingest("hf-daily", from_files(), as_json)
        return
    source = HFDailyApi(settings(), since=first or today(), until=last or today())
    run_network_ingest("hf-daily", source.records(), as_json)


@ingest_app.command("arxiv")
def ingest_arxiv(
    category: list[str] = typer.Option(
        None, "--category", help="arXiv category (cs.LG); repeat for several (any of them)."
    ),
    query: str | None = typer.Option(
        None, "--query", help="A raw arXiv search_query (ti:transformer AND cat:cs.CL)."
    ),
    ids: list[str] = typer.Option(None, "--id", help="An arXiv id to fetch; repeatable."),
    since: str | None = typer.Option(None, help="First submission day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, help="Last submission day, YYYY-MM-DD."),
    max_results: int = typer.Option(
        1000, "--max", min=0, help="At most this many papers (0: no limit)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The arXiv API (Atom), newest submissions first, 3 s between pages."""
    parts = [f"cat:{c.strip()}" for c in category or [] if c.strip()]
    search = " OR ".join(parts)
    if query:
        search = f"({query}) AND ({search})" if search else query
    if not search and not ids:
        raise PaperscopeError("give --category, --query or --id")
    source = ArxivApi(
        settings(),
        search_query=search or None,
        id_list=list(ids or []),
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
        max_results=max_results or None,
    )
    run_network_ingest("arxiv", source.records(), as_json)


@ingest_app.command("arxiv-rss")
def ingest_arxiv_rss(
    category: str = typer.Option(..., "--category", help="Categories joined by +: cs.AI+cs.LG."),
    announce: str | None = typer.Option(
        None, "--announce", help="Only these announce types, comma-separated: new,cross,replace."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Today's arXiv announcements (rss.arxiv.org Atom feed)."""
    kinds = {k.strip().lower() for k in announce.split(",") if k.strip()} if announce else None
    source = ArxivRss(settings(), categories=category, announce_types=kinds)
    run_network_ingest("arxiv-rss", source.records(), as_json)


@ingest_app.command("oai")
def ingest_oai(
    since: str | None = typer.Option(
        None, help="from= datestamp, YYYY-MM-DD (default: where the last full harvest ended)."
    ),
    until: str | None = typer.Option(None, help="until= datestamp, YYYY-MM-DD."),
    set_spec: str | None = typer.Option(None, "--set", help="OAI set: cs, math, physics:hep-th."),
    as_json: bool = JSON_OPTION,
) -> None:
    """arXiv OAI-PMH (arXivRaw), incremental: 10 s between pages, resumes from the last harvest."""
    data_dir = settings().data_dir
    first = parse_day(since, "--since") or load_harvest_state(data_dir, set_spec)
    if first is None:
        raise PaperscopeError(
            "no earlier harvest recorded for this set; pass --since YYYY-MM-DD "
            "(a full arXiv harvest takes many hours)"
        )
    source = OaiPmh(settings(), since=first, until=parse_day(until, "--until"), set_spec=set_spec)
    run_network_ingest("oai", source.records(), as_json)
    if source.complete and source.last_datestamp:
        save_harvest_state(data_dir, set_spec, source.last_datestamp)
