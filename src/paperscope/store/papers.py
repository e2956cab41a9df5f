"""Named queries on papers, code repos and listings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from paperscope.models import CONTENT_COLUMNS, NormalizedPaper, repo_key
from paperscope.store.tables import code_repos, counters, listings, papers
from paperscope.store.twins import fold_twins, resolve_derived_ids, stored_twins


@dataclass(slots=True)
class BatchResult:
    """Papers new, updated or unchanged in one batch, and the listings it added.

    A paper whose row is unchanged but whose listing (upvotes, position ...) or repo stars
    changed counts as updated. Such a change takes no change-sequence value: what follows the
    sequence (the search index, the embeddings) holds neither; feeds read listings directly.
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    listings: int = 0


def upsert_batch(conn: sa.Connection, batch: Sequence[NormalizedPaper]) -> BatchResult:
    """Insert or update a batch of papers with their code links and listings, idempotently.

    The newest arXiv version wins. A record without an id whose folded title matches an
    arXiv paper's (stored or in this batch) only fills that paper's empty fields, and so does a
    stored derived-id paper when its arXiv twin arrives: it is folded into it (see ``twins``).
    Papers whose content changed, and folded papers, take the next values of the change
    sequence.
    """
    now = datetime.now(UTC)
    result = BatchResult()
    merged_ids = resolve_derived_ids(conn, batch)
    folds = stored_twins(conn, batch)
    # Papers with arXiv ids first, so an id-less record merging into one finds it pending.
    ordered = sorted(batch, key=lambda item: item.has_derived_id)
    # Per paper: the row to keep and its code URLs by repo key (the first spelling wins).
    pending: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    batch_ids = {merged_ids.get(item.id, item.id) for item in batch}
    existing = _existing(conn, batch_ids | folds.keys())
    existing_code = _existing_code(conn, batch_ids | folds.keys())

    def fill_from(
        paper_id: str, incoming: dict[str, Any], urls: Iterable[str], *, fill_only: bool
    ) -> None:
        base, base_code = pending.get(paper_id) or (
            (existing[paper_id], _by_repo(existing_code.get(paper_id, ())))
            if paper_id in existing
            else (None, {})
        )
        row = merge_paper(base, incoming, fill_only=fill_only and base is not None)
        code = dict(base_code)
        for url in urls:
            code.setdefault(repo_key(url), url)
        pending[paper_id] = (row, code)

    for item in ordered:
        paper_id = merged_ids.get(item.id, item.id)
        incoming = {**item.row, "id": paper_id}
        urls = [link.url for link in item.code]
        fill_from(paper_id, incoming, urls, fill_only=paper_id != item.id)
    for derived, target in folds.items():
        incoming = {**existing[derived], "id": target}
        fill_from(target, incoming, existing_code.get(derived, ()), fill_only=True)

    changed: list[dict[str, Any]] = []
    unchanged: list[str] = []
    for paper_id, (row, code) in pending.items():
        digest = content_hash(row, code.values())
        old = existing.get(paper_id)
        if old is not None and old["content_hash"] == digest:
            unchanged.append(paper_id)
            continue
        row = {**row, "content_hash": digest, "updated_at": now}
        if old is None:
            result.new += 1
            row.update(created_at=now, hidden=False)
        else:
            result.updated += 1
        changed.append(row)

    if changed or folds:
        first_seq = _take_sequence(conn, len(changed) + len(folds))
        for offset, row in enumerate(changed):
            row["seq"] = first_seq + offset
        fresh = [r for r in changed if r["id"] not in existing]
        stale = [r for r in changed if r["id"] in existing]
        if fresh:
            conn.execute(papers.insert(), fresh)
        if stale:
            conn.execute(
                papers.update()
                .where(papers.c.id == sa.bindparam("b_id"))
                .values(
                    {
                        c: sa.bindparam(c)
                        for c in (*CONTENT_COLUMNS, "source", "content_hash", "seq", "updated_at")
                    }
                ),
                [{**r, "b_id": r["id"]} for r in stale],
            )
    touched = _upsert_code(conn, batch, merged_ids, existing_code)
    result.listings, listed = _upsert_listings(conn, batch, merged_ids)
    touched |= listed | set(folds.values())
    if folds:
        removal_seqs = range(first_seq + len(changed), first_seq + len(changed) + len(folds))
        fold_twins(conn, folds, removal_seqs, now)
    result.unchanged = sum(1 for paper_id in unchanged if paper_id not in touched)
    result.updated += len(unchanged) - result.unchanged
    return result


def merge_paper(
    existing: dict[str, Any] | None, incoming: dict[str, Any], *, fill_only: bool
) -> dict[str, Any]:
    """The row to keep when ``incoming`` meets ``existing`` (pure).

    An older or unversioned record never overwrites a newer version's fields; it, and a
    title-matched record without an id, only fills fields that are still empty.
    """
    if existing is None:
        return dict(incoming)
    old_version, new_version = existing.get("version"), incoming.get("version")
    overwrite = not fill_only and (
        old_version is None or (new_version is not None and new_version >= old_version)
    )
    merged = dict(existing)
    for column in (*CONTENT_COLUMNS, "source"):
        if column in ("arxiv_id",) and fill_only:
            continue
        new, old = incoming.get(column), existing.get(column)
        if overwrite:
            merged[column] = new if _present(new) else old
        else:
            merged[column] = old if _present(old) else new
    return merged


def content_hash(row: dict[str, Any], code_urls: Iterable[str]) -> str:
    payload = {column: _jsonable(row.get(column)) for column in CONTENT_COLUMNS}
    payload["code"] = sorted(code_urls)
    return hashlib.sha1(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _existing(conn: sa.Connection, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(papers).where(papers.c.id.in_(ids))).mappings()
    out = {}
    for row in rows:
        record = dict(row)
        for column in ("published", "updated", "created_at", "updated_at"):
            if record[column] is not None:
                record[column] = as_utc(record[column])
        out[record["id"]] = record
    return out


def _by_repo(urls: Iterable[str]) -> dict[str, str]:
    """URLs by repo key, the first spelling of each repo kept."""
    out: dict[str, str] = {}
    for url in urls:
        out.setdefault(repo_key(url), url)
    return out


def _existing_code(conn: sa.Connection, ids: set[str]) -> dict[str, dict[str, int | None]]:
    """Stored code repos per paper: ``{url: stars}`` in the order they were stored."""
    out: dict[str, dict[str, int | None]] = {}
    if ids:
        query = (
            sa.select(code_repos.c.paper_id, code_repos.c.url, code_repos.c.stars)
            .where(code_repos.c.paper_id.in_(ids))
            .order_by(code_repos.c.id)
        )
        for paper_id, url, stars in conn.execute(query):
            out.setdefault(paper_id, {})[url] = stars
    return out


def _take_sequence(conn: sa.Connection, count: int) -> int:
    """Reserve ``count`` change-sequence values under the counter row's lock; return the first."""
    conn.execute(
        counters.update().where(counters.c.name == "papers").values(value=counters.c.value + count)
    )
    last = conn.execute(sa.select(counters.c.value).where(counters.c.name == "papers")).scalar_one()
    return int(last) - count + 1


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _upsert_code(
    conn: sa.Connection,
    batch: Sequence[NormalizedPaper],
    merged_ids: dict[str, str],
    existing_code: dict[str, dict[str, int | None]],
) -> set[str]:
    """Add new repos and given stars; returns the papers whose repos or stars changed.

    The last stars given for a repo in the batch win; a repo already known under another
    letter case keeps that spelling.
    """
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    known: dict[str, dict[str, str]] = {}
    for item in batch:
        paper_id = merged_ids.get(item.id, item.id)
        if paper_id not in known:
            known[paper_id] = _by_repo(existing_code.get(paper_id, {}))
        spelled = known[paper_id]
        for link in item.code:
            url = spelled.setdefault(link.key, link.url)
            row = wanted.setdefault(
                (paper_id, link.key),
                {"paper_id": paper_id, "url": url, "host": link.host, "stars": None},
            )
            stars = item.stars.get(link.url)
            if stars is not None:
                row["stars"] = stars
    rows = []
    for row in wanted.values():
        stored = existing_code.get(row["paper_id"], {})
        if row["url"] not in stored or row["stars"] not in (None, stored[row["url"]]):
            rows.append(row)
    if not rows:
        return set()
    statement = _insert(conn, code_repos)
    statement = statement.on_conflict_do_update(
        index_elements=["paper_id", "url"],
        set_={"stars": sa.func.coalesce(statement.excluded.stars, code_repos.c.stars)},
    )
    conn.execute(statement, rows)
    return {row["paper_id"] for row in rows}


_LISTING_FIELDS = (
    "position",
    "submitted_by",
    "imported_upvotes",
    "imported_comments",
    "organization",
    "thumbnail",
)


def _upsert_listings(
    conn: sa.Connection, batch: Sequence[NormalizedPaper], merged_ids: dict[str, str]
) -> tuple[int, set[str]]:
    """Write the batch's listings that are new or changed.

    Returns how many are new, and the papers whose listings are new or changed.
    """
    rows: dict[tuple[str, date], dict[str, Any]] = {}
    for item in batch:
        if item.listing is None:
            continue
        listing = item.listing
        paper_id = merged_ids.get(item.id, item.id)
        rows[(paper_id, listing.listing_date)] = {
            "paper_id": paper_id,
            "listing_date": listing.listing_date,
            "position": listing.position,
            "submitted_by": listing.submitted_by,
            "imported_upvotes": listing.upvotes,
            "imported_comments": listing.num_comments,
            "organization": listing.organization,
            "thumbnail": listing.thumbnail,
            "source": item.row["source"],
        }
    if not rows:
        return 0, set()
    stored_query = sa.select(
        listings.c.paper_id, listings.c.listing_date, *(listings.c[f] for f in _LISTING_FIELDS)
    ).where(listings.c.paper_id.in_({key[0] for key in rows}))
    stored = {(row[0], as_date(row[1])): tuple(row[2:]) for row in conn.execute(stored_query)}
    fresh = {
        key: row
        for key, row in rows.items()
        if stored.get(key) != tuple(row[f] for f in _LISTING_FIELDS)
    }
    if not fresh:
        return 0, set()
    statement = _insert(conn, listings)
    statement = statement.on_conflict_do_update(
        index_elements=["paper_id", "listing_date"],
        set_={column: statement.excluded[column] for column in _LISTING_FIELDS},
    )
    conn.execute(statement, list(fresh.values()))
    return sum(1 for key in fresh if key not in stored), {paper_id for paper_id, _day in fresh}


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def get_paper(conn: sa.Connection, paper_id: str) -> dict[str, Any] | None:
    """A paper row with its code repos and listings, or ``None``."""
    row = conn.execute(sa.select(papers).where(papers.c.id == paper_id)).mappings().first()
    if row is None:
        return None
    paper = dict(row)
    paper["code_repos"] = [
        dict(r)
        for r in conn.execute(
            sa.select(
                code_repos.c.url, code_repos.c.host, code_repos.c.stars, code_repos.c.checked_at
            )
            .where(code_repos.c.paper_id == paper_id)
            .order_by(code_repos.c.id)
        ).mappings()
    ]
    paper["listings"] = [
        dict(r)
        for r in conn.execute(
            sa.select(
                listings.c.listing_date,
                listings.c.position,
                listings.c.submitted_by,
                listings.c.imported_upvotes,
                listings.c.imported_comments,
                listings.c.organization,
            )
            .where(listings.c.paper_id == paper_id)
            .order_by(listings.c.listing_date)
        ).mappings()
    ]
    return paper


def find_paper_id(conn: sa.Connection, arxiv_id: str) -> str | None:
    return conn.execute(
        sa.select(papers.c.id).where(papers.c.arxiv_id == arxiv_id)
    ).scalar_one_or_none()


def counts(conn: sa.Connection) -> dict[str, int]:
    """How much the store holds: papers, listings, listing days, code repos, change sequence."""
    return {
        "papers": conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one(),
        "listings": conn.execute(sa.select(sa.func.count()).select_from(listings)).scalar_one(),
        "listing_days": conn.execute(
            sa.select(sa.func.count(sa.distinct(listings.c.listing_date)))
        ).scalar_one(),
        "code_repos": conn.execute(sa.select(sa.func.count()).select_from(code_repos)).scalar_one(),
        "change_seq": int(
            conn.execute(
                sa.select(counters.c.value).where(counters.c.name == "papers")
            ).scalar_one()
        ),
    }
