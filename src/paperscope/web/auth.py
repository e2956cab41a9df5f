"""Sessions and CSRF for the site: signed cookies, the signed-in user, safe redirects.

- The session cookie (``ps_session``) is an itsdangerous-signed, timestamped ``{user id,
  password fingerprint}``: HttpOnly, SameSite=Lax, Secure when the site is served over https.
  A password change or an account deletion changes the fingerprint, which ends every session.
- CSRF: a random per-browser cookie (``ps_csrf``, HttpOnly) and a token derived from it with
  the secret key (HMAC). Pages put the token in ``<meta name="csrf-token">`` (htmx sends it as
  ``X-CSRF-Token``) and in every form's hidden ``csrf_token`` field; ``verify_csrf`` refuses any
  unsafe request whose token does not match its cookie, or that comes from another origin.
- The secret key is the ``secret_key`` setting, else a key generated once into
  ``<data_dir>/secret_key`` (created atomically, so several workers agree on it).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperscope.community import LoginRequired, NotAllowed
from paperscope.community.accounts import User, session_user
from paperscope.config import Settings
from paperscope.store import Store

SESSION_COOKIE = "ps_session"
CSRF_COOKIE = "ps_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SKIP_PREFIXES = ("/static/",)
# Machine-read paths: no forms there, so no CSRF cookie handed to API clients and feed readers.
_NO_FORM_PREFIXES = ("/api/", "/rss/", "/docs", "/redoc", "/openapi.json")


class CsrfRejected(NotAllowed):
    """A state-changing request without the page's CSRF token (or from another site)."""


def load_secret_key(settings: Settings) -> str:
    """The configured secret key, else the one in ``<data_dir>/secret_key`` (made on first run)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of two workers starting at once, one writes and both read the same key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    for _ in range(50):  # the other worker may still be writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"the secret key file {path} is empty; delete it to make a new one")


class Signer:
    """Signs session cookies and derives CSRF tokens with the site's secret key."""

    def __init__(self, secret_key: str, *, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="paperscope.session")
        self._csrf_key = hashlib.sha256(b"paperscope.csrf|" + secret_key.encode()).digest()
        self.max_age_seconds = max_age_seconds

    def session_value(self, user: User) -> str:
        return self._serializer.dumps({"u": user.id, "f": user.session_fingerprint})

    def read_session(self, value: str) -> tuple[int, str] | None:
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return None
        return data["u"], str(data.get("f", ""))

    def csrf_token(self, cookie_value: str) -> str:
        return hmac.new(self._csrf_key, cookie_value.encode(), hashlib.sha256).hexdigest()


def is_https(scope: Scope, settings: Settings) -> bool:
    return scope.get("scheme") == "https" or settings.base_url.startswith("https://")


def _cookie_header(
    name: str, value: str, *, max_age: int | None, secure: bool, http_only: bool = True
) -> bytes:
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


class SessionMiddleware:
    """Put ``user`` and ``csrf_token`` on ``request.state`` for every page (pure ASGI).

    A visitor without a CSRF cookie gets one with the response; a session cookie that no
    longer names a live account (logged out elsewhere, password changed) is cleared.
    """

    def __init__(self, app: ASGIApp, *, store: Store, settings: Settings, signer: Signer) -> None:
        self.app = app
        self.store = store
        self.settings = settings
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_SKIP_PREFIXES):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        secure = is_https(scope, self.settings)
        set_cookies: list[bytes] = []

        csrf_cookie = cookies.get(CSRF_COOKIE, "")
        had_csrf_cookie = 20 <= len(csrf_cookie) <= 100
        if not had_csrf_cookie:
            csrf_cookie = secrets.token_urlsafe(32)
            if not scope["path"].startswith(_NO_FORM_PREFIXES):
                set_cookies.append(
                    _cookie_header(CSRF_COOKIE, csrf_cookie, max_age=None, secure=secure)
                )

        user: User | None = None
        session = cookies.get(SESSION_COOKIE)
        if session:
            claim = self.signer.read_session(session)
            if claim is not None:
                user = await anyio.to_thread.run_sync(session_user, self.store, *claim)
            if user is None:
                set_cookies.append(clear_session_cookie(secure))

        state = scope.setdefault("state", {})
        state["user"] = user
        state["csrf_token"] = self.signer.csrf_token(csrf_cookie)
        state["csrf_valid_source"] = had_csrf_cookie

        if not set_cookies:
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *((b"set-cookie", value) for value in set_cookies),
                ]
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def clear_session_cookie(secure: bool) -> bytes:
    return _cookie_header(SESSION_COOKIE, "", max_age=0, secure=secure)


def start_session(request: Request, response: Response, user: User) -> None:
    """Log ``user`` in on this browser: set the signed session cookie on ``response``."""
    signer: Signer = request.app.state.signer
    secure = is_https(request.scope, request.app.state.settings)
    response.raw_headers.append(
        (
            b"set-cookie",
            _cookie_header(
                SESSION_COOKIE,
                signer.session_value(user),
                max_age=signer.max_age_seconds,
                secure=secure,
            ),
        )
    )


def end_session(request: Request, response: Response) -> None:
    secure = is_https(request.scope, request.app.state.settings)
    response.raw_headers.append((b"set-cookie", clear_session_cookie(secure)))


async def verify_csrf(request: Request) -> None:
    """Dependency: refuse an unsafe request without a valid CSRF token (403).

    The token comes from the ``X-CSRF-Token`` header (htmx) or the ``csrf_token`` form field.
    A browser that sends an ``Origin`` from another site is refused whatever the token.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        # This host as the browser addressed it, or the configured public address (a proxy
        # may pass its own upstream address as Host).
        allowed = {
            request.headers.get("host", ""),
            urlsplit(request.app.state.settings.base_url).netloc,
        }
        if urlsplit(origin).netloc not in allowed:
            raise CsrfRejected("This form was sent from another site; reload the page and retry.")
    expected = getattr(request.state, "csrf_token", None)
    if not expected or not getattr(request.state, "csrf_valid_source", False):
        raise CsrfRejected("Your session has no security token yet; reload the page and retry.")
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
    if not supplied or not hmac.compare_digest(supplied, expected):
        raise CsrfRejected("The security token of this form is missing or stale; reload and retry.")


def current_user(request: Request) -> User | None:
    """The signed-in user, if any (set by ``SessionMiddleware``)."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, User) else None


def require_user(request: Request) -> User:
    """Dependency: the signed-in user, or ``LoginRequired`` (routes turn it into a log-in)."""
    user = current_user(request)
    if user is None:
        raise LoginRequired("Log in to do this.")
    return user


def safe_next(value: str | None, default: str = "/") -> str:
    """A redirect target from ``next=`` only when it is a path on this site (no open redirect).

    >>> safe_next("/papers/2405.15738?x=1#comments")
    '/papers/2405.15738?x=1#comments'
    >>> safe_next("//evil.example/") , safe_next("https://evil.example"), safe_next("/\\\\evil")
    ('/', '/', '/')
    """
    if not value or len(value) > 2000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    return value


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_path(request: Request) -> str:
    """This request's path and query, for ``next=`` links back to it."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
