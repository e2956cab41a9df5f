"""Community routes: submit a paper, upvote, comment, and admin moderation.

Each works without JavaScript (a form POST answered by a redirect back) and with htmx (the
same POST with ``HX-Request``, answered by the fragment to swap in). ``install(app)`` adds
the session middleware, the error handler and the template helpers the partials use.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperscope.community import CommunityError, LoginRequired, RateLimited
from paperscope.community import comments as comment_service
from paperscope.community import submit as submit_service
from paperscope.community import votes as vote_service
from paperscope.community.accounts import User
from paperscope.store import community as community_queries
from paperscope.web.auth import (
    SessionMiddleware,
    Signer,
    current_user,
    load_secret_key,
    request_path,
    require_user,
    safe_next,
    verify_csrf,
)
from paperscope.web.errors import error_response
from paperscope.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(tags=["community"])

Next = Form("", max_length=2000)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _fragment(request: Request, name: str, context: dict[str, Any]) -> Response:
    templates = request.app.state.templates
    base = {
        "request": request,
        "user": current_user(request),
        "csrf_token": getattr(request.state, "csrf_token", None),
    }
    response: Response = templates.TemplateResponse(request, name, {**base, **context})
    return response


def _back(next_value: str, default: str) -> RedirectResponse:
    return RedirectResponse(safe_next(next_value, default), status_code=303)


# --- submit -------------------------------------------------------------------------------


def _submit_page(
    request: Request, *, error: CommunityError | None = None, value: str = ""
) -> Response:
    settings = request.app.state.settings
    twin = {
        "maxAgeDays": settings.submit_max_age_days,
        "dailyCap": settings.submit_daily_cap,
        "error": str(error) if error else None,
    }
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return render(
        request,
        "community/submit.html",
        {"error": str(error) if error else None, "value": value, "nav": "submit"},
        twin,
        status_code=error.status if error else 200,
        headers=headers,
    )


@router.get("/submit")
def submit_page(request: Request) -> Response:
    """The submit form: paste an arXiv id or link to list a recent paper today."""
    return _submit_page(request)


@router.post("/submit")
def submit(
    request: Request,
    arxiv: str = Form("", max_length=1000),
    user: User = Depends(require_user),
) -> Response:
    """Fetch the paper from arXiv and list it today; refusals come back on the form."""
    try:
        done = submit_service.submit_paper(
            request.app.state.store, request.app.state.settings, user=user, text=arxiv
        )
    except CommunityError as error:
        return _submit_page(request, error=error, value=arxiv)
    return RedirectResponse(f"/papers/{done.paper_id}?submitted=1", status_code=303)


# --- votes --------------------------------------------------------------------------------


@router.post("/papers/{paper_id:path}/vote")
def vote(
    request: Request,
    paper_id: str,
    next: str = Next,
    user: User = Depends(require_user),
) -> Response:
    """Toggle your upvote. htmx gets the new vote area; a plain form is sent back where it was."""
    counts = vote_service.toggle_vote(
        request.app.state.store, request.app.state.settings, user=user, paper_id=paper_id
    )
    if _is_htmx(request):
        request.state.my_votes = None  # re-read: this request changed them
        return _fragment(
            request,
            "community/_vote_area.html",
            {"paper_id": paper_id, "upvotes": counts.upvotes, "next_path": safe_next(next)},
        )
    return _back(next, f"/papers/{paper_id}")


# --- comments -----------------------------------------------------------------------------


def _thread(request: Request, paper_id: str, *, error: str | None = None) -> Response:
    counts = vote_service.paper_counts(request.app.state.store, [paper_id])[paper_id]
    return _fragment(
        request,
        "_comments.html",
        {"paper_id": paper_id, "num_comments": counts.num_comments, "comment_error": error},
    )


@router.post("/papers/{paper_id:path}/comments")
def add_comment(
    request: Request,
    paper_id: str,
    body: str = Form("", max_length=20_000),
    user: User = Depends(require_user),
) -> Response:
    """Post a comment (safe Markdown). htmx gets the updated thread."""
    try:
        posted = comment_service.add_comment(
            request.app.state.store,
            request.app.state.settings,
            user=user,
            paper_id=paper_id,
            body=body,
        )
    except CommunityError as error:
        if _is_htmx(request) and not isinstance(error, RateLimited):
            response = _thread(request, paper_id, error=str(error))
            response.status_code = error.status
            return response
        raise
    if _is_htmx(request):
        return _thread(request, paper_id)
    return RedirectResponse(f"/papers/{paper_id}#comment-{posted.id}", status_code=303)


@router.get("/comments/{comment_id}/edit")
def edit_comment_page(
    request: Request, comment_id: int, user: User = Depends(require_user)
) -> Response:
    """The form to edit one of your comments."""
    comment = comment_service.get_comment(request.app.state.store, comment_id, user)
    if not comment.can_edit:
        raise LoginRequired("Log in as this comment's author to edit it.")
    return render(
        request,
        "community/comment_edit.html",
        {"comment": comment, "error": None, "body": comment.body},
        comment.as_json(),
    )


@router.post("/comments/{comment_id}/edit")
def edit_comment(
    request: Request,
    comment_id: int,
    body: str = Form("", max_length=20_000),
    user: User = Depends(require_user),
) -> Response:
    """Save the new text of your comment."""
    store, settings = request.app.state.store, request.app.state.settings
    try:
        comment = comment_service.edit_comment(
            store, settings, user=user, comment_id=comment_id, body=body
        )
    except CommunityError as error:
        if isinstance(error, RateLimited):
            raise
        comment = comment_service.get_comment(store, comment_id, user)
        return render(
            request,
            "community/comment_edit.html",
            {"comment": comment, "error": str(error), "body": body},
            {"error": str(error)},
            status_code=error.status,
        )
    return RedirectResponse(f"/papers/{comment.paper_id}#comment-{comment.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def delete_comment(
    request: Request, comment_id: int, user: User = Depends(require_user)
) -> Response:
    """Delete your comment."""
    paper_id = comment_service.delete_comment(
        request.app.state.store, user=user, comment_id=comment_id
    )
    return RedirectResponse(f"/papers/{paper_id}#comments", status_code=303)


@router.post("/comments/{comment_id}/hide")
def hide_comment(
    request: Request,
    comment_id: int,
    hidden: bool = Form(True),
    user: User = Depends(require_user),
) -> Response:
    """Admin: hide a comment from everyone (or show it again)."""
    paper_id = comment_service.set_comment_hidden(
        request.app.state.store, admin=user, comment_id=comment_id, hidden=hidden
    )
    return RedirectResponse(f"/papers/{paper_id}#comments", status_code=303)


@router.post("/admin/papers/{paper_id:path}/hide")
def hide_paper(
    request: Request,
    paper_id: str,
    hidden: bool = Form(True),
    user: User = Depends(require_user),
) -> Response:
    """Admin: hide a paper from every list, search and page (or show it again)."""
    comment_service.set_paper_hidden(
        request.app.state.store, admin=user, paper_id=paper_id, hidden=hidden
    )
    return RedirectResponse("/" if hidden else f"/papers/{paper_id}", status_code=303)


@api_router.get("/api/papers/{paper_id:path}/comments")
def comments_api(request: Request, paper_id: str) -> JSONResponse:
    """A paper's comments, oldest first (``body`` as written, ``html`` sanitized)."""
    store = request.app.state.store
    with store.read() as conn:
        visible = community_queries.paper_visibility(conn, paper_id)
    if not visible:
        return JSONResponse({"error": f"No paper {paper_id} here.", "status": 404}, 404)
    listed = comment_service.list_comments(store, paper_id, current_user(request))
    return JSONResponse([comment.as_json() for comment in listed])


# --- wiring -------------------------------------------------------------------------------


def _login_redirect(request: Request) -> str:
    """Where to come back after logging in: this page for a GET, the referring page for a POST."""
    if request.method == "GET":
        back = request_path(request)
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.headers.get("host")
        back = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"
    return f"/login?next={quote(safe_next(back), safe='/')}"


async def _community_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CommunityError)
    if isinstance(error, LoginRequired) and not request.url.path.startswith("/api/"):
        target = _login_redirect(request)
        if _is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    response = error_response(request, error.status, str(error))
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@jinja2.pass_context
def _has_voted(context: jinja2.runtime.Context, paper_id: str) -> bool:
    """Whether the signed-in user upvoted ``paper_id`` (one query per page, then cached)."""
    request = context.get("request")
    user = current_user(request) if request is not None else None
    if user is None:
        return False
    mine = getattr(request.state, "my_votes", None)
    if mine is None:
        with request.app.state.store.read() as conn:
            mine = community_queries.user_votes(conn, user.id)
        request.state.my_votes = mine
    return paper_id in mine


@jinja2.pass_context
def _paper_comments(context: jinja2.runtime.Context, paper_id: str) -> list[Any]:
    request = context.get("request")
    if request is None:
        return []
    return comment_service.list_comments(request.app.state.store, paper_id, current_user(request))


@jinja2.pass_context
def _here(context: jinja2.runtime.Context) -> str:
    """The current page's path and query, for ``next=`` values."""
    explicit = context.get("next_path")
    if explicit:
        return str(explicit)
    request = context.get("request")
    if request is None:
        return "/"
    if request.url.path in ("/login", "/signup"):  # keep where the visitor was going
        return safe_next(request.query_params.get("next"))
    return request_path(request)


def install(app: FastAPI) -> None:
    """Sessions, CSRF, the community error handler and the partials' template helpers."""
    settings = app.state.settings
    signer = Signer(
        load_secret_key(settings), max_age_seconds=settings.session_max_age_days * 86400
    )
    app.state.signer = signer
    app.add_middleware(SessionMiddleware, store=app.state.store, settings=settings, signer=signer)
    app.add_exception_handler(CommunityError, _community_error)
    app.state.templates.env.globals.update(
        has_voted=_has_voted, paper_comments=_paper_comments, here=_here
    )
