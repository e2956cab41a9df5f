"""Account pages: sign up, log in, log out, your account (its email subscriptions, change
password, delete account).

Every form carries the CSRF token; every POST is checked by ``verify_csrf`` (router-wide).
A refused form comes back with its message and the status that goes with it (422, 409, 401,
429), the fields the user typed kept (escaped like everything else).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperscope.community import CommunityError, NotAllowed, RateLimited, ratelimit
from paperscope.community import accounts as service
from paperscope.community.accounts import User
from paperscope.digests.service import account_subscriptions
from paperscope.web.auth import (
    client_address,
    end_session,
    require_user,
    safe_next,
    start_session,
    verify_csrf,
)
from paperscope.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

Next = Form("/", max_length=2000)


def _form_page(
    request: Request,
    template: str,
    *,
    error: CommunityError | None = None,
    status: int | None = None,
    **context: Any,
) -> Response:
    headers = None
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after)}
    twin = {"error": str(error) if error else None}
    return render(
        request,
        template,
        {"error": str(error) if error else None, **context},
        twin,
        status_code=status or (error.status if error else 200),
        headers=headers,
    )


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@router.get("/signup")
def signup_page(request: Request, next: str = "/") -> Response:
    """The sign-up form."""
    return _form_page(request, "accounts/signup.html", next=safe_next(next), email="", handle="")


@router.post("/signup")
def signup(
    request: Request,
    email: str = Form("", max_length=400),
    handle: str = Form("", max_length=100),
    password: str = Form("", max_length=2000),
    next: str = Next,
) -> Response:
    """Create an account and log in."""
    store, settings = request.app.state.store, request.app.state.settings
    target = safe_next(next)
    try:
        ratelimit.check(
            store,
            bucket="signup",
            subject=f"ip:{client_address(request)}",
            rate=settings.rate_limit_signup,
        )
        user = service.sign_up(store, email=email, handle=handle, password=password)
    except CommunityError as error:
        return _form_page(
            request, "accounts/signup.html", error=error, next=target, email=email, handle=handle
        )
    response = _redirect(target)
    start_session(request, response, user)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The log-in form."""
    return _form_page(request, "accounts/login.html", next=safe_next(next), email="")


@router.post("/login")
def login(
    request: Request,
    email: str = Form("", max_length=400),
    password: str = Form("", max_length=2000),
    next: str = Next,
) -> Response:
    """Check email and password; start a session."""
    store, settings = request.app.state.store, request.app.state.settings
    target = safe_next(next)
    try:
        # Per address and per account: neither a spray over many emails from one address nor
        # a guess at one email from many addresses goes unchecked.
        ratelimit.check(
            store,
            bucket="login",
            subject=f"ip:{client_address(request)}",
            rate=settings.rate_limit_login,
        )
        ratelimit.check(
            store,
            bucket="login",
            subject=f"email:{email.strip().lower()[:200]}",
            rate=settings.rate_limit_login,
        )
        user = service.authenticate(store, email=email, password=password)
    except CommunityError as error:
        status = 401 if isinstance(error, NotAllowed) else None
        return _form_page(
            request, "accounts/login.html", error=error, status=status, next=target, email=email
        )
    response = _redirect(target)
    start_session(request, response, user)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on this browser."""
    response = _redirect("/")
    end_session(request, response)
    return response


def _account_page(
    request: Request, user: User, *, error: CommunityError | None = None, notice: str = ""
) -> Response:
    # Only the subscriptions made from this account: its email address is not proven, so it
    # must not open someone else's subscriptions to that address (docs/digests.md).
    mine = account_subscriptions(request.app.state.settings, request.app.state.store, user.id)
    context = {
        "account": user,
        "notice": notice,
        "error": str(error) if error else None,
        "subscriptions": mine,
    }
    twin = {
        "handle": user.handle,
        "email": user.email,
        "isAdmin": user.is_admin,
        "subscriptions": [
            {**s.as_json(), "manageUrl": f"/subscriptions/manage/{token}"} for s, token in mine
        ],
    }
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return render(
        request,
        "accounts/account.html",
        context,
        twin,
        status_code=error.status if error else 200,
        headers=headers,
    )


@router.get("/account")
def account(request: Request, user: User = Depends(require_user)) -> Response:
    """Your account: handle, email, email subscriptions, change password, delete account."""
    notice = "Your password was changed." if request.query_params.get("changed") else ""
    return _account_page(request, user, notice=notice)


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: str = Form("", max_length=2000),
    new_password: str = Form("", max_length=2000),
    user: User = Depends(require_user),
) -> Response:
    """Change the password (other sessions end; this one continues)."""
    try:
        fresh = service.change_password(
            request.app.state.store, user, current=current_password, new=new_password
        )
    except CommunityError as error:
        return _account_page(request, user, error=error)
    response = _redirect("/account?changed=1")
    start_session(request, response, fresh)
    return response


@router.post("/account/delete")
def delete_account(
    request: Request,
    password: str = Form("", max_length=2000),
    user: User = Depends(require_user),
) -> Response:
    """Delete the account: email, password, handle and comments go; votes stay, anonymous."""
    try:
        service.delete_account(request.app.state.store, user, password=password)
    except CommunityError as error:
        return _account_page(request, user, error=error)
    request.state.user = None
    response = render(request, "accounts/deleted.html", {}, {"deleted": True})
    end_session(request, response)
    return response
