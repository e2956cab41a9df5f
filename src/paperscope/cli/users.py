"""``paperscope users add | list | remove-admin``: accounts and the admin role."""

from __future__ import annotations

import sys

import typer

from paperscope.cli.context import console, print_json, store
from paperscope.community import accounts

users_app = typer.Typer(help="Accounts and the admin role.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    email: str = typer.Argument(..., help="The account's email."),
    admin: bool = typer.Option(False, "--admin", help="Give the account the admin role."),
    handle: str | None = typer.Option(None, "--handle", help="Handle of a new account."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a new account's password from standard input."
    ),
) -> None:
    """Create an account, or give an existing one the admin role (with --admin).

    A new account needs a password: typed at the prompt, or piped with --password-stdin.
    """
    password: str | None = None
    existing = any(user["email"] == email.strip().lower() for user in accounts.list_users(store()))
    if not existing:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user, created = accounts.add_user(
        store(), email=email, handle=handle, password=password, is_admin=admin
    )
    role = "admin" if user.is_admin else "user"
    verb = "created" if created else ("updated" if admin else "unchanged (exists already)")
    console.print(f"{verb} {user.handle} <{user.email}> ({role})")


@users_app.command("remove-admin")
def remove_admin(email: str = typer.Argument(..., help="The account's email.")) -> None:
    """Take the admin role away from an account."""
    user = accounts.set_admin(store(), email=email, is_admin=False)
    console.print(f"{user.handle} <{user.email}> is no longer an admin")


@users_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
    """Live accounts: id, handle, email, role."""
    for user in accounts.list_users(store()):
        if as_json:
            print_json(user)
        else:
            role = "admin" if user["is_admin"] else "user"
            print(f"{user['id']}\t{user['handle']}\t{user['email']}\t{role}")
