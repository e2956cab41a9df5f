"""Community: accounts, submissions, upvotes, comments and moderation, as service functions.

Routes and CLI commands call these; only ``paperscope.store`` speaks SQL. Every refusal a user
can act on is a ``CommunityError`` subclass whose ``status`` is the HTTP status a route answers.
"""

from __future__ import annotations

from paperscope.models import PaperscopeError


class CommunityError(PaperscopeError):
    """A refusal with a message meant for the user and the HTTP status that goes with it."""

    status = 400


class InvalidInput(CommunityError):
    status = 422


class Conflict(CommunityError):
    status = 409


class NotAllowed(CommunityError):
    status = 403


class NotFound(CommunityError):
    status = 404


class LoginRequired(CommunityError):
    status = 401


class RateLimited(CommunityError):
    """Too many attempts; ``retry_after`` is in seconds (sent as the Retry-After header)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(CommunityError):
    """An upstream service (arXiv) did not answer."""

    status = 503


__all__ = [
    "CommunityError",
    "Conflict",
    "InvalidInput",
    "LoginRequired",
    "NotAllowed",
    "NotFound",
    "RateLimited",
    "Unavailable",
]
