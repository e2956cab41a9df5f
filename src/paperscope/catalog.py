"""Service functions over stored papers: look one up by any id form, count what is stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from paperscope.ingest.ids import IdError, parse_arxiv_id
from paperscope.store import Store
from paperscope.store.papers import as_utc, counts, get_paper


def find_paper(store: Store, reference: str) -> dict[str, Any] | None:
    """A paper by canonical id, arXiv id (any version, ``arXiv:`` prefix) or abs/pdf URL."""
    reference = reference.strip()
    try:
        paper_id, _version = parse_arxiv_id(reference)
    except IdError:
        paper_id = reference
    with store.read() as conn:
        return get_paper(conn, paper_id)


def store_stats(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return counts(conn)


def paper_json(paper: dict[str, Any]) -> dict[str, Any]:
    """A stored paper as plain JSON values (ISO dates), for ``--json`` and the API."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return as_utc(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    hidden = {"title_key", "content_hash"}
    return {k: plain(v) for k, v in paper.items() if k not in hidden}
