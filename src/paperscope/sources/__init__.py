"""Sources: each yields ``PaperRecord``s (or ``Rejected`` lines) from one place papers come from.

A source is a class with a ``name`` and a ``records()`` iterator, registered with
``@register``. A third-party package registers its own the same way, through the
``paperscope.sources`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from importlib.metadata import entry_points
from typing import Protocol, TypeVar

from paperscope.models import PaperRecord, PaperscopeError, Rejected


class Source(Protocol):
    """What ingest consumes."""

    name: str

    def records(self) -> Iterator[PaperRecord | Rejected]: ...


S = TypeVar("S", bound=type)

_REGISTRY: dict[str, type] = {}

_BUILTIN = ("hf_daily", "arxiv_api", "arxiv_rss", "oai_pmh", "kaggle", "jsonl")


def register(name: str) -> Callable[[S], S]:
    """Class decorator that makes a source available by name (``paperscope ingest NAME``)."""

    def add(cls: S) -> S:
        _REGISTRY[name] = cls
        return cls

    return add


def registry() -> dict[str, type]:
    """All sources by name: the built-in ones, then those of installed plugins."""
    for module in _BUILTIN:
        import_module(f"paperscope.sources.{module}")
    for entry in entry_points(group="paperscope.sources"):
        entry.load()
    return dict(_REGISTRY)


def source_class(name: str) -> type:
    sources = registry()
    if name not in sources:
        raise PaperscopeError(f"unknown source {name!r}; known: {', '.join(sorted(sources))}")
    return sources[name]
