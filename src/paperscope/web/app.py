"""``create_app()``: the FastAPI application every page, API route and feed plugs into."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperscope.config import Settings
from paperscope.store import open_store
from paperscope.web import accounts, api, community, pages, rss, subscriptions
from paperscope.web.errors import install_error_handlers
from paperscope.web.render import JsonTwinMiddleware, card_body_renderer
from paperscope.web.services import ClearCacheOnWrite, TTLCache

HERE = Path(__file__).parent

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static.
# KaTeX sets element styles through the CSSOM, which CSP does not restrict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the site: settings, the store (migrated), templates, static files and routers."""
    settings = settings or Settings()
    store = open_store(settings.store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    app = FastAPI(
        title="paperscope",
        summary="Self-hosted research-paper discovery: daily papers, trending, search.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by pages.api_docs from local assets, under the strict CSP
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.search = None  # created on first use by paperscope.web.services.search_service
    app.state.feed_cache = TTLCache(settings.feed_cache_seconds, size=4096)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False
    )
    templates = Jinja2Templates(env=environment)
    templates.env.globals["site_name"] = settings.site_name
    templates.env.globals["card_body"] = card_body_renderer(environment, app.state.feed_cache)
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Accounts and community first: their POST routes under /papers/... must win over the
    # paper page's /papers/{paper_id:path}.
    app.include_router(accounts.router)
    app.include_router(community.router)
    app.include_router(community.api_router)
    community.install(app)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(rss.router)
    app.include_router(subscriptions.router)
    install_error_handlers(app)
    app.add_middleware(ClearCacheOnWrite)
    app.add_middleware(JsonTwinMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


class SecurityHeadersMiddleware:
    """Add the security headers to every response (CSP, nosniff, referrer, framing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
