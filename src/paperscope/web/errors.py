"""Errors a visitor sees: clear 4xx pages/JSON for bad input and unknown things, never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperscope.feeds import PeriodError
from paperscope.web.render import page_context, wants_json

log = logging.getLogger("paperscope.web")


class BadParameter(HTTPException):
    """A malformed query or path parameter: 400 with a message saying what is expected."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=400, detail=message)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/rss/")) or wants_json(request)


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON ``{"error": ...}`` for API and JSON-twin requests, else the error page."""
    if _is_api(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates = request.app.state.templates
    title = {404: "Not found", 400: "Bad request", 422: "Bad request"}.get(status, "Error")
    context = page_context(request, {"status": status, "title": title, "message": message})
    response: Response = templates.TemplateResponse(
        request, "error.html", context, status_code=status
    )
    return response


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg", ""))
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Map bad parameters to 400/422, unknown things to 404, and anything else to a logged 500."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = str(error.detail) if error.detail else "error"
        if error.status_code == 404 and message == "Not Found":
            message = f"There is no page at {request.url.path}."
        response = error_response(request, error.status_code, message)
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_message(error))

    @app.exception_handler(PeriodError)
    async def period_error(request: Request, error: PeriodError) -> Response:
        return error_response(request, 400, str(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "Something went wrong on our side.")
