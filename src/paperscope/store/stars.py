"""Named queries for GitHub star snapshots and the repositories to refresh."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from paperscope.store.papers import as_utc
from paperscope.store.tables import code_repos
from paperscope.store.tables_community import star_snapshots


def repos_to_check(conn: sa.Connection, *, limit: int) -> list[str]:
    """GitHub repository URLs, never-checked first, then the least recently checked."""
    last_checked = sa.func.max(code_repos.c.checked_at)
    query = (
        sa.select(code_repos.c.url)
        .where(code_repos.c.host == "github")
        .group_by(code_repos.c.url)
        .order_by(last_checked.is_not(None), last_checked, code_repos.c.url)
        .limit(limit)
    )
    return [url for (url,) in conn.execute(query)]


def record_stars(conn: sa.Connection, url: str, stars: int, taken_at: datetime) -> bool:
    """Store a snapshot and the repo's current count; True when the count changed."""
    before = conn.execute(
        sa.select(code_repos.c.stars).where(code_repos.c.url == url).limit(1)
    ).scalar_one_or_none()
    conn.execute(star_snapshots.insert().values(url=url, stars=stars, taken_at=taken_at))
    conn.execute(
        code_repos.update().where(code_repos.c.url == url).values(stars=stars, checked_at=taken_at)
    )
    return before != stars


def mark_checked(conn: sa.Connection, url: str, checked_at: datetime) -> None:
    """Note that a repository was asked about (it is gone, or private) without a count."""
    conn.execute(code_repos.update().where(code_repos.c.url == url).values(checked_at=checked_at))


def star_history(conn: sa.Connection, urls: Iterable[str]) -> dict[str, list[tuple[datetime, int]]]:
    """Every snapshot of these repositories, oldest first, by URL."""
    wanted = list(set(urls))
    out: dict[str, list[tuple[datetime, int]]] = {}
    if not wanted:
        return out
    query = (
        sa.select(star_snapshots.c.url, star_snapshots.c.taken_at, star_snapshots.c.stars)
        .where(star_snapshots.c.url.in_(wanted))
        .order_by(star_snapshots.c.url, star_snapshots.c.taken_at)
    )
    for url, taken_at, stars in conn.execute(query):
        out.setdefault(url, []).append((as_utc(taken_at), int(stars)))
    return out


def snapshot_count(conn: sa.Connection) -> dict[str, Any]:
    return {
        "snapshots": conn.execute(
            sa.select(sa.func.count()).select_from(star_snapshots)
        ).scalar_one()
    }
