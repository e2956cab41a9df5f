"""Write one benchmark's figures into docs/benchmarks.md, between its own markers."""

from __future__ import annotations

from pathlib import Path


def section(path: Path, key: str, title: str, body: str) -> None:
    """Replace (or append) the section ``key`` of the markdown file at ``path``."""
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    block = f"{start}\n## {title}\n\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
