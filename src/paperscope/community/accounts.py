"""Accounts: sign up, log in, change password, delete (anonymize), and the admin role.

Passwords are hashed with argon2id. Emails are compared lower-cased; handles are unique
case-insensitively and limited to letters, digits, ``_`` and ``-`` so that they are safe in
URLs and never need escaping to look right.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from paperscope.community import Conflict, InvalidInput, NotAllowed, NotFound
from paperscope.store import Store
from paperscope.store import accounts as queries

HANDLE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,255}\.[^@\s<>\"']{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a failed login takes the same time either way
# and does not tell an attacker which emails have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in account as pages and services see it (no password hash)."""

    id: int
    handle: str
    email: str | None
    is_admin: bool
    # Changes whenever the password does; sessions carry it, so a password change or an
    # account deletion ends every other session.
    session_fingerprint: str


def _user(row: dict[str, Any]) -> User:
    return User(
        id=int(row["id"]),
        handle=str(row["handle"]),
        email=row["email"],
        is_admin=bool(row["is_admin"]),
        session_fingerprint=fingerprint(row["password_hash"]),
    )


def fingerprint(password_hash: str | None) -> str:
    """A short digest of the password hash (not the hash itself) to bind sessions to it."""
    return hashlib.sha256((password_hash or "-").encode()).hexdigest()[:16]


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 320 or not EMAIL.match(value):
        raise InvalidInput("Enter a valid email address, like name@example.org.")
    return value


def check_handle(handle: str) -> str:
    value = handle.strip()
    if not HANDLE.match(value) or value.lower().startswith("deleted-"):
        raise InvalidInput(
            "A handle is 2 to 32 letters, digits, '_' or '-' (and does not start with 'deleted-')."
        )
    return value


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"A password is at most {MAX_PASSWORD} characters.")
    return password


def sign_up(
    store: Store, *, email: str, handle: str, password: str, is_admin: bool = False
) -> User:
    """Create an account; refuses a taken email or handle with a message saying which."""
    email = normalize_email(email)
    handle = check_handle(handle)
    password_hash = _hasher.hash(check_password(password))
    try:
        with store.write() as conn:
            if queries.email_taken(conn, email):
                raise Conflict("An account with this email exists already; log in instead.")
            if queries.handle_taken(conn, handle):
                raise Conflict(f"The handle {handle} is taken; choose another.")
            user_id = queries.insert_user(
                conn,
                email=email,
                handle=handle,
                password_hash=password_hash,
                is_admin=is_admin,
                now=datetime.now(UTC),
            )
            row = queries.user_by_id(conn, user_id)
    except sa.exc.IntegrityError as error:  # a concurrent sign-up won the race
        raise Conflict("This email or handle was just taken; choose another.") from error
    assert row is not None
    return _user(row)


def authenticate(store: Store, *, email: str, password: str) -> User:
    """The account for this email and password, or ``NotAllowed`` (never saying which was wrong)."""
    refused = NotAllowed("Wrong email or password.")
    try:
        email = normalize_email(email)
    except InvalidInput:
        _verify(_DUMMY_HASH, password)
        raise refused from None
    with store.read() as conn:
        row = queries.user_by_email(conn, email)
    if row is None or not row["password_hash"]:
        _verify(_DUMMY_HASH, password)
        raise refused
    if not _verify(row["password_hash"], password):
        raise refused
    if _hasher.check_needs_rehash(row["password_hash"]):
        with store.write() as conn:
            queries.set_password_hash(conn, row["id"], _hasher.hash(password))
            row = queries.user_by_id(conn, row["id"])
        assert row is not None
    return _user(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_user(store: Store, user_id: int, session_fingerprint: str) -> User | None:
    """The live account a session cookie names, if the session is still valid."""
    with store.read() as conn:
        row = queries.user_by_id(conn, user_id)
    if row is None or row["deleted"]:
        return None
    user = _user(row)
    if not secrets.compare_digest(user.session_fingerprint, session_fingerprint):
        return None
    return user


def change_password(store: Store, user: User, *, current: str, new: str) -> User:
    """Set a new password after checking the current one; other sessions end."""
    check_password(new)
    with store.read() as conn:
        row = queries.user_by_id(conn, user.id)
    if row is None or row["deleted"] or not _verify(row["password_hash"] or "", current):
        raise NotAllowed("The current password is wrong.")
    with store.write() as conn:
        queries.set_password_hash(conn, user.id, _hasher.hash(new))
        fresh = queries.user_by_id(conn, user.id)
    assert fresh is not None
    return _user(fresh)


def delete_account(store: Store, user: User, *, password: str) -> None:
    """Remove the account's personal data (email, password, handle, comments); votes stay."""
    with store.read() as conn:
        row = queries.user_by_id(conn, user.id)
    if row is None or row["deleted"]:
        raise NotFound("This account no longer exists.")
    if not _verify(row["password_hash"] or "", password):
        raise NotAllowed("The password is wrong; the account was not deleted.")
    with store.write() as conn:
        queries.anonymize_user(
            conn,
            user.id,
            old_handle=row["handle"],
            new_handle=f"deleted-{user.id}-{secrets.token_hex(4)}",
        )


def add_user(
    store: Store, *, email: str, handle: str | None, password: str | None, is_admin: bool
) -> tuple[User, bool]:
    """Create an account, or update the admin role of an existing one (CLI ``users add``).

    Returns the account and whether it was created.
    """
    normalized = normalize_email(email)
    with store.read() as conn:
        row = queries.user_by_email(conn, normalized)
    if row is not None:
        if is_admin and not row["is_admin"]:
            with store.write() as conn:
                queries.set_admin(conn, row["id"], True)
                row = queries.user_by_id(conn, row["id"])
            assert row is not None
        return _user(row), False
    if password is None:
        raise InvalidInput(f"No account has the email {normalized}; give a password to create it.")
    chosen = handle or normalized.split("@", 1)[0][:32]
    return sign_up(
        store, email=normalized, handle=chosen, password=password, is_admin=is_admin
    ), True


def set_admin(store: Store, *, email: str, is_admin: bool) -> User:
    """Grant or take back the admin role."""
    normalized = normalize_email(email)
    with store.write() as conn:
        row = queries.user_by_email(conn, normalized)
        if row is None:
            raise NotFound(f"No account has the email {normalized}.")
        queries.set_admin(conn, row["id"], is_admin)
        row = queries.user_by_id(conn, row["id"])
    assert row is not None
    return _user(row)


def list_users(store: Store) -> list[dict[str, Any]]:
    """Live accounts for the CLI: id, handle, email, admin flag, creation time."""
    with store.read() as conn:
        rows = queries.list_users(conn)
    return [
        {
            "id": row["id"],
            "handle": row["handle"],
            "email": row["email"],
            "is_admin": bool(row["is_admin"]),
            "created_at": row["created_at"],
        }
        for row in rows
    ]
