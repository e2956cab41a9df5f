"""The ``paperscope`` command. Each command group lives in its own module and calls services."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import NoReturn

import click
import sqlalchemy as sa
import typer

from paperscope.cli import digests as digests_commands
from paperscope.cli import embed as embed_commands
from paperscope.cli import ingest as ingest_commands
from paperscope.cli import papers as papers_commands
from paperscope.cli import search as search_commands
from paperscope.cli import users as users_commands
from paperscope.cli import web as web_commands
from paperscope.cli import worker as worker_commands
from paperscope.cli.context import interrupted_query
from paperscope.models import PaperscopeError

app = typer.Typer(
    help="paperscope: self-hosted research-paper discovery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
papers_commands.register(app)
ingest_commands.register(app)
embed_commands.register(app)
search_commands.register(app)
web_commands.register(app)
users_commands.register(app)
digests_commands.register(app)
worker_commands.register(app)


def main() -> None:
    """Entry point: one clear line and a non-zero exit on any error, never a traceback."""
    signal.signal(signal.SIGINT, _note_interrupt)
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        _interrupted()
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except PaperscopeError as error:
        _fail(str(error))
    except Exception as error:  # the last line of defence: say what failed, in one line
        if interrupted_query(error) or _INTERRUPTS:
            # Ctrl-C surfaced as a driver error (psycopg cancels the running statement).
            _interrupted()
        if isinstance(error, sa.exc.DBAPIError):
            # The driver's own words, without SQLAlchemy's statement and background link.
            _fail(f"the store failed: {type(error.orig).__name__}: {error.orig}")
        if isinstance(error, sa.exc.SQLAlchemyError):
            # args[0]: the message without SQLAlchemy's "Background on this error" link.
            _fail(
                f"the store failed: {type(error).__name__}: {error.args[0] if error.args else ''}"
            )
        _fail(f"{type(error).__name__}: {error}")
    sys.exit(code if isinstance(code, int) else 0)


def _interrupted() -> NoReturn:
    print("interrupted; work done so far is kept, run the command again to finish", file=sys.stderr)
    sys.exit(130)


def _fail(message: str) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit 1."""
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(1)


_INTERRUPTS: list[int] = []


def _note_interrupt(signum: int, _frame: FrameType | None) -> None:
    """Remember the Ctrl-C, whatever exception it turns into on its way up."""
    _INTERRUPTS.append(signum)
    raise KeyboardInterrupt
