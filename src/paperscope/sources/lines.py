"""Reading JSON Lines files (plain or gzip) line by line, turning damage into rejections."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperscope.models import Rejected


def json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any] | Rejected]]:
    """Yield ``(origin, object)`` for each line of a JSON Lines file, ``.gz`` too.

    A line that is not UTF-8 or not a JSON object becomes a ``Rejected`` naming
    ``file:line``; a truncated gzip stream ends the file with one ``Rejected`` after every
    line that could still be read. The file is streamed, never loaded whole.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                origin = f"{path.name}:{number}"
                if not raw.strip():
                    continue
                yield origin, _parse(origin, raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        yield (
            f"{path.name}:{number + 1}",
            Rejected(f"{path.name}:{number + 1}", f"unreadable file after line {number}: {error}"),
        )


def _parse(origin: str, raw: bytes) -> dict[str, Any] | Rejected:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Rejected(origin, f"not UTF-8 at byte {error.start}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return Rejected(origin, f"bad JSON: {error.msg} at column {error.colno}")
    if not isinstance(value, dict):
        return Rejected(origin, f"expected a JSON object, got {type(value).__name__}")
    return value
