"""``paperscope search | similar | index rebuild|status|sync``."""

from __future__ import annotations

from datetime import date

import typer

from paperscope.cli.context import console, print_json, progress, settings, store
from paperscope.models import PaperscopeError
from paperscope.search import MODES, SearchFilters, SearchHit, SearchService

index_app = typer.Typer(help="The search index (derived from the store).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("similar")(similar)
    app.add_typer(index_app, name="index")


def open_service() -> SearchService:
    """The search service, caught up with the store (with a progress bar when that is long)."""
    service = SearchService(settings(), store(), sync_on_open=False)
    pending = service.lexical_sync.pending()
    if pending > 2000:
        with progress("indexing", total=pending) as advance:
            service.sync(on_progress=advance)
    else:
        service.sync()
    return service


def search(
    query: str = typer.Argument(..., help='Query: words, "phrases", -term, author:, cat:, ...'),
    mode: str = typer.Option("hybrid", "--mode", "-m", help=f"One of {', '.join(MODES)}."),
    k: int = typer.Option(10, "-k", "--limit", help="How many results."),
    offset: int = typer.Option(0, "--offset", help="Skip this many results (paging)."),
    since: str | None = typer.Option(None, help="Published on or after YYYY-MM-DD."),
    until: str | None = typer.Option(None, help="Published on or before YYYY-MM-DD."),
    category: str | None = typer.Option(None, help="Only this arXiv category (cs.CL) or archive."),
    author: str | None = typer.Option(None, help="Only papers by this author."),
    has_code: bool = typer.Option(False, "--has-code", help="Only papers with a code link."),
    as_json: bool = typer.Option(False, "--json", help='Print [{"id", "title", "score"}].'),
    explain: bool = typer.Option(False, "--explain", help="Show why each paper ranked."),
) -> None:
    """Search papers (hybrid keyword + semantic by default)."""
    filters = SearchFilters(
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        category=category,
        author=author,
        has_code=has_code,
    )
    results = open_service().search(
        query, mode=mode, filters=filters, limit=k, offset=offset, explain=explain
    )
    if as_json:
        rows = []
        for hit in results.hits:
            row = {"id": hit.paper_id, "title": hit.title, "score": hit.score}
            if explain:
                row |= {
                    "lexical_rank": hit.lexical_rank,
                    "dense_rank": hit.dense_rank,
                    "explain": hit.explain,
                }
            rows.append(row)
        print_json(rows)
        return
    for note in results.query.notes:
        console.print(f"note: {note}")
    if results.redirect_paper_id:
        console.print(f"the query names paper {results.redirect_paper_id}")
    _print_hits(results.hits, explain)
    console.print(f"{len(results.hits)} of {results.total:,} ({results.mode})")


def similar(
    paper_id: str = typer.Argument(..., help="Canonical id, arXiv id or arXiv URL."),
    k: int = typer.Option(10, "-k", "--limit", help="How many papers."),
    as_json: bool = typer.Option(False, "--json", help='Print [{"id", "title", "score"}].'),
) -> None:
    """Papers nearest to one paper by meaning (embedding neighbours)."""
    hits = open_service().similar(paper_id, limit=k)
    if as_json:
        print_json([{"id": h.paper_id, "title": h.title, "score": h.score} for h in hits])
        return
    if not hits:
        console.print("no neighbours: are the papers embedded? (`paperscope embed`)")
    _print_hits(hits, False)


@index_app.command("rebuild")
def index_rebuild(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Drop the search index and build it again from the store."""
    service = SearchService(settings(), store(), sync_on_open=False, save_vectors=True)
    total = service.lexical_sync.status().store_papers
    with progress("rebuilding search index", total=total or None) as advance:
        report = service.rebuild(on_progress=advance)
    if as_json:
        print_json(report.as_dict() | {"vectors": service.vector_count()})
        return
    console.print(
        f"indexed {report.indexed:,} papers (up to change {report.watermark}), "
        f"{service.vector_count():,} vectors loaded"
    )


@index_app.command("sync")
def index_sync(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Apply store changes the index has not seen yet (what every start does)."""
    service = SearchService(settings(), store(), sync_on_open=False, save_vectors=True)
    with progress("catching up", total=service.lexical_sync.pending() or None) as advance:
        report = service.sync(on_progress=advance)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"indexed {report.indexed:,}, removed {report.removed:,}, at {report.watermark}")


@index_app.command("status")
def index_status(
    as_json: bool = typer.Option(False, "--json", help="Print as one JSON object."),
) -> None:
    """How the search index compares with the store (does not change anything)."""
    service = SearchService(settings(), store(), sync_on_open=False)
    status = service.lexical_sync.status()
    if as_json:
        print_json(status.as_dict())
        return
    for key, value in status.as_dict().items():
        print(f"{key:>13}  {value}")


def _print_hits(hits: list[SearchHit], explain: bool) -> None:
    for rank, hit in enumerate(hits, 1):
        ranks = f"kw {hit.lexical_rank or '-'} / sem {hit.dense_rank or '-'}"
        print(f"{rank:>3}. {hit.paper_id}  {hit.title}")
        print(f"     score {hit.score:.4f}  ({ranks})")
        if explain and hit.explain:
            print(f"     {hit.explain.get('rrf_contributions', hit.explain)}")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PaperscopeError(f"{option}: expected YYYY-MM-DD, got {value!r}") from error
