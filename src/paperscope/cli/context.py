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
    except KeyboardInterrupt:
        console.print(
            f"interrupted: {description} stopped after {done:,} committed; "
            "they are kept, run the same command again to finish"
        )
        raise
