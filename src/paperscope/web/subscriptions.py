"""Subscription pages and API: subscribe (form and JSON), confirm, one-click unsubscribe
(RFC 8058), the unsubscribe/undo page, and the manage page.

``POST /u/{token}`` is what mail clients call for one-click unsubscribe: no login, no page,
no CSRF token, idempotent, 200 with an empty body. ``GET /u/{token}`` never unsubscribes (link
scanners follow GETs); it shows a button that does.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from paperscope.config import Settings
from paperscope.digests import service
from paperscope.digests.model import FREQUENCIES, KINDS, Subscription, SubscriptionRequest
from paperscope.digests.tokens import TokenError
from paperscope.store import Store
from paperscope.web.render import render

log = logging.getLogger(__name__)
router = APIRouter(tags=["subscriptions"])


async def csrf_if_sessions(request: Request) -> None:
    """Check the form's CSRF token when the accounts middleware issues tokens."""
    if not hasattr(request.state, "csrf_token"):
        return
    from paperscope.web.auth import verify_csrf

    await verify_csrf(request)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _send_now(settings: Settings, store: Store, ids: list[int]) -> None:
    """Send the confirmation at once; on any failure the worker retries it from the outbox."""
    from paperscope.digests.jobs import deliver

    try:
        deliver(settings, store, ids=ids)
    except Exception:
        log.exception("confirmation mail not sent now; the worker will retry it")


def _user_id(request: Request) -> int | None:
    user = getattr(request.state, "user", None)
    return getattr(user, "id", None)


def _form_page(
    request: Request, *, error: str | None = None, values: dict[str, Any] | None = None, status=200
) -> Response:
    user = getattr(request.state, "user", None)
    mine = []
    values = dict(values or {})
    if user is not None:
        mine = service.account_subscriptions(_settings(request), _store(request), user.id)
        if getattr(user, "email", None):
            values.setdefault("email", user.email)
    context = {
        "kinds": KINDS,
        "frequencies": FREQUENCIES,
        "error": error,
        "values": values,
        "mine": mine,
        "nav": "subscribe",
    }
    return render(
        request,
        "subscriptions/subscribe.html",
        context,
        {"kinds": KINDS, "frequencies": FREQUENCIES, "error": error},
        status_code=status,
    )


@router.get("/subscriptions")
def subscribe_page(request: Request) -> Response:
    """The subscribe form: trending digest, saved search, author or category alerts."""
    return _form_page(request)


@router.post("/subscriptions", dependencies=[Depends(csrf_if_sessions)])
async def subscribe_form(request: Request, background: BackgroundTasks) -> Response:
    """Subscribe from a form (the box on feed pages or the full form)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        wanted = SubscriptionRequest.model_validate({k: v for k, v in values.items() if v != ""})
    except ValidationError as error:
        return _form_page(request, error=_first_error(error), values=values, status=422)
    settings, store = _settings(request), _store(request)
    try:
        outcome = service.subscribe(
            settings, store, wanted, client=_client(request), user_id=_user_id(request)
        )
    except service.RateLimited as error:
        return _form_page(request, error=str(error), values=values, status=429)
    if outcome.outbox_ids:
        background.add_task(_send_now, settings, store, outcome.outbox_ids)
    return render(
        request,
        "subscriptions/pending.html",
        {"message": outcome.message},
        {"status": "pending", "message": outcome.message},
        status_code=202 if "json" in request.headers.get("accept", "") else 200,
    )


@router.post("/api/subscriptions", status_code=202)
def subscribe_api(
    wanted: SubscriptionRequest, request: Request, background: BackgroundTasks
) -> JSONResponse:
    """Subscribe (JSON). The answer is the same whether or not the address is known."""
    settings, store = _settings(request), _store(request)
    try:
        outcome = service.subscribe(
            settings, store, wanted, client=_client(request), user_id=_user_id(request)
        )
    except service.RateLimited as error:
        return JSONResponse({"detail": str(error)}, status_code=429)
    if outcome.outbox_ids:
        background.add_task(_send_now, settings, store, outcome.outbox_ids)
    return JSONResponse({"status": "pending", "message": outcome.message}, status_code=202)


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _bad_link(request: Request, message: str) -> Response:
    return render(
        request,
        "subscriptions/message.html",
        {"title": "This link does not work", "message": message},
        {"error": message},
        status_code=400,
    )


@router.get("/subscriptions/confirm/{token}")
def confirm(token: str, request: Request) -> Response:
    """Confirm a subscription (the link in the confirmation mail)."""
    try:
        subscription = service.confirm(_settings(request), _store(request), token)
    except TokenError as error:
        return _bad_link(request, f"{error}. Subscribe again to get a new link.")
    manage = service.tokens_for(_settings(request)).make(
        "manage", subscription.id, subscription.nonce
    )
    return render(
        request,
        "subscriptions/confirmed.html",
        {"subscription": subscription, "manage_token": manage},
        {"status": subscription.status, "subscription": subscription.as_json()},
    )


@router.post("/u/{token}")
def one_click_unsubscribe(token: str, request: Request) -> Response:
    """RFC 8058 one-click unsubscribe: no login, no page, idempotent; 200 with no body."""
    try:
        service.unsubscribe(_settings(request), _store(request), token)
    except TokenError:
        return Response(status_code=400)
    return Response(status_code=200)


@router.get("/u/{token}")
def unsubscribe_page(token: str, request: Request) -> Response:
    """The footer link: asks to confirm (a GET never unsubscribes)."""
    try:
        subscription = service.peek(_settings(request), _store(request), "unsubscribe", token)
    except TokenError as error:
        return _bad_link(request, str(error))
    return _unsubscribe_view(request, token, subscription, done=False)


def _unsubscribe_view(
    request: Request, token: str, subscription: Subscription | None, *, done: bool
) -> Response:
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"token": token, "subscription": subscription, "done": done},
        {"status": subscription.status if subscription else "deleted"},
    )


@router.post("/subscriptions/unsubscribe/{token}", dependencies=[Depends(csrf_if_sessions)])
def unsubscribe_confirmed(token: str, request: Request) -> Response:
    """The button of the unsubscribe page."""
    try:
        subscription = service.unsubscribe(_settings(request), _store(request), token)
    except TokenError as error:
        return _bad_link(request, str(error))
    return _unsubscribe_view(request, token, subscription, done=True)


@router.post("/subscriptions/resubscribe/{token}", dependencies=[Depends(csrf_if_sessions)])
def undo_unsubscribe(token: str, request: Request) -> Response:
    """Undo: subscribe again with the same settings."""
    try:
        subscription = service.resubscribe(_settings(request), _store(request), token)
    except TokenError as error:
        return _bad_link(request, str(error))
    return _unsubscribe_view(request, token, subscription, done=False)


def _manage_view(
    request: Request, token: str, *, saved: bool = False, error: str | None = None, status=200
) -> Response:
    try:
        found = service.manage_overview(_settings(request), _store(request), token)
    except TokenError as bad:
        return _bad_link(request, str(bad))
    if found is None:
        return render(
            request,
            "subscriptions/message.html",
            {"title": "Nothing stored", "message": "This subscription no longer exists."},
            {"status": "deleted"},
            status_code=404,
        )
    subscription, all_of_address = found
    return render(
        request,
        "subscriptions/manage.html",
        {
            "token": token,
            "subscription": subscription,
            "others": [s for s in all_of_address if s.id != subscription.id],
            "kinds": KINDS,
            "frequencies": FREQUENCIES,
            "saved": saved,
            "error": error,
        },
        {
            "subscription": subscription.as_json(),
            "address_subscriptions": [s.as_json() for s in all_of_address],
        },
        status_code=status,
    )


@router.get("/subscriptions/manage/{token}")
def manage_page(token: str, request: Request) -> Response:
    """Change kind, frequency, timezone and hour, or delete everything stored."""
    return _manage_view(request, token)


@router.post("/subscriptions/manage/{token}", dependencies=[Depends(csrf_if_sessions)])
async def manage_save(token: str, request: Request) -> Response:
    """Save the manage form."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and v != ""}
    values.pop("csrf_token", None)
    try:
        change = SubscriptionRequest.model_validate({"email": "x@example.org", **values})
        service.update_subscription(_settings(request), _store(request), token, change)
    except ValidationError as error:
        return _manage_view(request, token, error=_first_error(error), status=422)
    except service.SubscriptionConflict as error:
        return _manage_view(request, token, error=str(error), status=409)
    except TokenError as error:
        return _bad_link(request, str(error))
    return _manage_view(request, token, saved=True)


@router.post("/subscriptions/manage/{token}/delete", dependencies=[Depends(csrf_if_sessions)])
def manage_delete(token: str, request: Request) -> Response:
    """Delete every subscription and everything else stored for this address."""
    try:
        deleted = service.delete_everything(_settings(request), _store(request), token)
    except TokenError as error:
        return _bad_link(request, str(error))
    return render(
        request,
        "subscriptions/message.html",
        {
            "title": "Deleted",
            "message": "Every subscription and everything else stored for this address is "
            "gone (if mail to it bounced for good, the note that stops us mailing it stays).",
        },
        {"status": "deleted", "subscriptions_deleted": deleted},
    )
