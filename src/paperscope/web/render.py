"""Render a page as HTML or as its JSON twin, from the same service result.

Every page answers ``/path`` with HTML and ``/path.json`` (or ``/path?format=json``) with the
JSON of the same data; the home page's twin is ``/index.json``. A route builds its data once
and calls ``render(request, template, context, json_twin)``.

Templates get ``request``, ``user`` (``request.state.user`` when the accounts middleware set
it, else ``None``) and ``csrf_token`` (``request.state.csrf_token`` when set) besides the
route's own context.
"""

from __future__ import annotations

from typing import Any

import jinja2
import pydantic_core
from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.types import ASGIApp, Receive, Scope, Send

from paperscope.feeds import Card
from paperscope.web.services import TTLCache

JSON = "application/json"

# Paths that never have an HTML page, so a trailing ".json" there is part of the name.
_NO_TWIN_PREFIXES = ("/api/", "/static/", "/rss/", "/docs", "/openapi.json", "/redoc")


class JsonTwinMiddleware:
    """Route ``/x.json`` to ``/x`` and mark the request as wanting JSON (a pure ASGI layer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.endswith(".json") and not path.startswith(_NO_TWIN_PREFIXES):
                path = path[: -len(".json")]
                if path == "/index":
                    path = "/"
                scope = dict(scope)
                scope["path"] = path
                scope["raw_path"] = path.encode()
                scope.setdefault("state", {})
                scope["state"] = {**scope["state"], "want_json": True}
        await self.app(scope, receive, send)


def wants_json(request: Request) -> bool:
    return bool(getattr(request.state, "want_json", False)) or (
        request.query_params.get("format") == "json"
    )


def page_context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    """What every template sees: the request, the signed-in user, the CSRF token, the route's."""
    return {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
        "settings": request.app.state.settings,
        **context,
    }


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    json_twin: Any,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page ``name`` rendered with ``context``, or ``json_twin`` as JSON when asked."""
    if wants_json(request):
        # pydantic-core encodes dataclasses, dates and nested lists ~10x faster than
        # jsonable_encoder; times come out as ISO 8601 (UTC as "Z").
        body = pydantic_core.to_json(json_twin)
        return Response(body, status_code=status_code, headers=headers, media_type=JSON)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, page_context(request, context), status_code=status_code, headers=headers
    )
    return response


def card_body_renderer(environment: jinja2.Environment, cache: TTLCache) -> Any:
    """The template function ``card_body(card)``: a card's body HTML, rendered once per
    content and reused while the feed cache keeps it (the vote button stays per visitor)."""
    template = environment.get_template("_card_body.html")

    def card_body(card: Card) -> Markup:
        code = card.code
        key = (
            "card-body",
            card.paper_id,
            card.title,
            card.abstract_head,
            card.authors_short,
            card.submitted_by,
            card.organization,
            card.num_comments,
            code.url if code else None,
            code.stars if code else None,
        )
        return cache.get(key, lambda: Markup(template.render(card=card)))

    return card_body
