"""What every command needs: the settings and the store, built once per invocation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from rich.console import Console
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from paperscope.config import Settings
from paperscope.store import Store, open_store

console = Console(stderr=True)


@cache
def settings() -> Settings:
    return Settings()


@cache
def store() -> Store:
    """The store, with pending migrations applied on first use."""
    return open_store(settings().store_url)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields a function that advances it by n."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        MofNCompleteColumn() if total else TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
    )
    done = 0
    try:
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(description, total=total)

            def advance(n: int) -> None:
                nonlocal done
                done += n
                bar.advance(task, n)

            yield advance
    except Exception as error:
        if not interrupted_query(error):
            raise
        stopped(description, done)
        raise
    except KeyboardInterrupt:
        stopped(description, done)
        raise


def stopped(description: str, done: int) -> None:
    console.print(
        f"interrupted: {description} stopped after {done:,} committed; "
        "they are kept, run the same command again to finish"
    )


def interrupted_query(error: BaseException) -> bool:
    """Ctrl-C during a PostgreSQL statement: psycopg cancels it and raises QueryCanceled."""
    while error is not None:
        if type(error).__name__ == "QueryCanceled":
            return True
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return False
