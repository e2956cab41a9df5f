"""``paperscope serve`` and ``paperscope stars refresh``."""

from __future__ import annotations

import os

import typer

from paperscope.cli.context import console, print_json, progress, settings, store

stars_app = typer.Typer(help="GitHub stars of papers' code repositories.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(stars_app, name="stars")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the site and API (uvicorn, the app factory paperscope.web.app:create_app).

    Absolute links (feeds, mails) use PAPERSCOPE_BASE_URL; when it is not set, the address
    this server listens on.
    """
    import uvicorn

    url = listening_url(host, port)
    if "base_url" not in settings().model_fields_set:
        # The workers build their own Settings from the environment (uvicorn's app factory).
        os.environ["PAPERSCOPE_BASE_URL"] = url
        console.print(f"absolute links use {url} (set PAPERSCOPE_BASE_URL for a public address)")
    store()  # migrate once here, so the workers do not race to do it
    _catch_up_search_index()
    console.print(f"serving on {url} ({workers} worker(s))")
    uvicorn.run(
        "paperscope.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        access_log=False,
        log_level="info",
    )


def listening_url(host: str, port: int) -> str:
    """The URL a browser on this machine uses for a server listening on ``host:port``."""
    if host in ("", "0.0.0.0", "::"):  # every interface: this machine's own is one of them
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _catch_up_search_index() -> None:
    """Bring the search index up to date before the workers start, so that they only open
    it (one process writes it at a time)."""
    try:
        from paperscope.search import SearchService

        with progress("search index") as advance:
            service = SearchService(settings(), store(), sync_on_open=False, save_vectors=True)
            service.sync(on_progress=advance)
    except Exception as error:  # search is optional: the site serves without it
        console.print(f"search index not ready ({error}); searches will build it")


@stars_app.command("refresh")
def stars_refresh(
    limit: int = typer.Option(None, min=1, help="Repositories to ask (default: setting)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Ask GitHub for the star counts of the least recently checked repositories."""
    from paperscope.stars import refresh_stars

    report = refresh_stars(store(), settings(), limit=limit)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"stars: {report.checked} checked, {report.updated} changed, {report.missing} gone, "
        f"{report.failed} failed"
        + (f"; rate limited until {report.rate_limited_until}" if report.rate_limited_until else "")
    )
