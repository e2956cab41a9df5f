"""``paperscope init | db upgrade | demo | stats | papers show``."""

from __future__ import annotations

import typer

from paperscope.catalog import find_paper, paper_json, store_stats
from paperscope.cli.context import console, print_json, progress, settings, store
from paperscope.demo import load_demo
from paperscope.index.embedder import load_embedder, names_shipped_model
from paperscope.index.embeddings import import_demo_vectors
from paperscope.models import PaperscopeError
from paperscope.store import open_store

db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
papers_app = typer.Typer(help="Stored papers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("stats")(stats)
    app.add_typer(db_app, name="db")
    app.add_typer(papers_app, name="papers")


def init() -> None:
    """Create the data directory and the store, with every migration applied."""
    settings().data_dir.mkdir(parents=True, exist_ok=True)
    store()
    console.print(f"store ready at {settings().store_url}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (the CLI also does this on first use)."""
    open_store(settings().store_url, upgrade=False).upgrade()
    console.print("store schema is current")


def demo(as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON.")) -> None:
    """Load the bundled demo corpus (idempotent: a second run changes nothing)."""
    target = store()  # a store that cannot open fails before the bar starts: one error line
    with progress("demo corpus") as advance:
        reports = load_demo(
            target,
            rejects_dir=settings().rejects_dir,
            batch_size=settings().ingest_batch_size,
            on_progress=advance,
        )
    vectors = _import_demo_vectors()
    stats_now = store_stats(store())
    if as_json:
        print_json(
            {name: r.as_dict() for name, r in reports.items()}
            | {"demo_vectors": vectors, "stats": stats_now}
        )
        return
    for name, report in reports.items():
        console.print(
            f"{name}: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        )
    if vectors:
        console.print(f"search vectors: took {vectors:,} precomputed demo vectors")
    console.print(
        f"store: {stats_now['papers']:,} papers, {stats_now['listings']:,} listings on "
        f"{stats_now['listing_days']} days, {stats_now['code_repos']:,} code repos"
    )


def _import_demo_vectors() -> int:
    """The shipped demo vectors, so the demo corpus is searchable by meaning at once.

    Only with the shipped model (another model's vectors come from `paperscope embed`).
    """
    if not names_shipped_model(settings().embedding_model):
        return 0
    return import_demo_vectors(store(), load_embedder(settings()))


def stats(as_json: bool = typer.Option(False, "--json", help="Print as one JSON object.")) -> None:
    """How much the store holds."""
    counts = store_stats(store())
    if as_json:
        print_json(counts)
        return
    for key, value in counts.items():
        print(f"{key:>14}  {value:,}")


@papers_app.command("show")
def papers_show(
    paper_id: str = typer.Argument(..., help="Canonical id, arXiv id or arXiv URL."),
    as_json: bool = typer.Option(False, "--json", help="Print the paper as JSON."),
) -> None:
    """Show one stored paper."""
    paper = find_paper(store(), paper_id)
    if paper is None:
        raise PaperscopeError(f"no paper {paper_id!r} in the store")
    data = paper_json(paper)
    if as_json:
        print_json(data)
        return
    print(data["title"])
    print(", ".join(data["authors"]))
    print(f"id {data['id']}  published {data['published'] or '-'}  source {data['source']}")
    for repo in data["code_repos"]:
        stars = f"  ★ {repo['stars']}" if repo["stars"] is not None else ""
        print(f"code {repo['url']}{stars}")
    for listing in data["listings"]:
        print(f"listed {listing['listing_date']}  upvotes {listing['imported_upvotes']}")
    print()
    print(data["abstract"])
