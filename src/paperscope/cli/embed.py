"""``paperscope embed``: give every paper a vector from the configured embedding model."""

from __future__ import annotations

import typer

from paperscope.cli.context import console, print_json, progress, settings, store
from paperscope.index.embedder import load_embedder
from paperscope.index.embeddings import count_pending, embed_pending, import_demo_vectors


def register(app: typer.Typer) -> None:
    app.command("embed")(embed)


def embed(
    batch_size: int = typer.Option(
        0, "--batch-size", min=0, help="Papers per batch and commit (0: the setting)."
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="Stop after N papers (0: all)."),
    demo_vectors: bool = typer.Option(
        True,
        "--demo-vectors/--no-demo-vectors",
        help="First take the shipped demo-corpus vectors where the paper text still matches.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the EmbedReport as JSON."),
) -> None:
    """Embed papers that have no current vector; interrupt any time, rerun to resume."""
    embedder = load_embedder(settings())
    imported = import_demo_vectors(store(), embedder) if demo_vectors else 0
    total = count_pending(store(), embedder.model_id)
    if limit:
        total = min(total, limit)
    with progress(f"embed ({embedder.model_id})", total=total or None) as advance:
        report = embed_pending(
            store(),
            embedder,
            batch_size=batch_size or settings().embedding_batch_size,
            on_progress=advance,
            limit=limit or None,
        )
    if as_json:
        print_json(report.as_dict() | {"imported_demo_vectors": imported})
        return
    if imported:
        console.print(f"took {imported:,} precomputed demo vectors")
    console.print(
        f"embedded {report.embedded:,} papers with {report.model_id} in {report.seconds:.1f} s "
        f"({report.docs_per_second:.1f}/s)"
        + (
            f"; dropped {report.removed_other_models:,} vectors of another model"
            if report.removed_other_models
            else ""
        )
    )
