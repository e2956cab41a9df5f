"""Which papers go into one subscription's digest, and why (pure).

The pool is what the period offers (papers listed on the days it covers, new papers for author
and category alerts, or search hits);
papers the subscription was already sent are left out, so no one gets a paper twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from paperscope import rank
from paperscope.digests.compose import DigestItem, DigestPaper
from paperscope.digests.model import Subscription


def trending_score(row: dict[str, Any]) -> float:
    """Upvotes (imported and local): the order of author and category digests."""
    return float((row.get("upvotes") or 0) + (row.get("votes") or 0))


def to_paper(row: dict[str, Any]) -> DigestPaper:
    # Rows of one pool are shared by every subscription of a period: build each paper once.
    cached = row.get("_digest_paper")
    if isinstance(cached, DigestPaper):
        return cached
    paper = DigestPaper(
        id=row["id"],
        title=row["title"],
        authors=tuple(row.get("authors") or ()),
        abstract=row.get("abstract") or "",
        arxiv_id=row.get("arxiv_id"),
        code_url=row.get("code_url"),
        stars=row.get("stars"),
    )
    row["_digest_paper"] = paper
    return paper


def _listed_at(row: dict[str, Any]) -> datetime:
    day = row["listing_date"]
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def rank_pool(pool: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], rank.TrendingScore]]:
    """The site's published trending formula over a period's papers, computed at the end of
    the period's newest listing day (star growth is not part of a digest's score)."""
    listed = [row for row in pool if row.get("listing_date")]
    if not listed:
        return []
    now = max(_listed_at(row) for row in listed) + timedelta(days=1)
    by_id = {row["id"]: row for row in listed}
    inputs = [
        rank.TrendingInput(
            paper_id=row["id"],
            listed_at=_listed_at(row),
            imported_upvotes=int(row.get("upvotes") or 0),
            local_votes=int(row.get("votes") or 0),
            star_growth=0,
        )
        for row in listed
    ]
    return [(by_id[s.paper_id], s) for s in rank.rank_trending(inputs, now)]


def trending_reason(row: dict[str, Any], score: rank.TrendingScore) -> str:
    upvotes = score.imported_upvotes + score.local_votes
    parts = [f"score {score.score:.2f}", f"{upvotes} upvote{'s' if upvotes != 1 else ''}"]
    stars = int(row.get("stars") or 0)
    if stars:
        parts.append(f"{stars:,} GitHub star{'s' if stars != 1 else ''}")
    return f"Trending on the {row['listing_date'].isoformat()} list: " + ", ".join(parts)


def _folded(row: dict[str, Any], field: str) -> list[tuple[str, str]]:
    """(case-folded, as given) values of a list field, folded once per pool row: every
    author or category subscription of a period scans the same rows."""
    key = f"_folded_{field}"
    cached = row.get(key)
    if cached is None:
        cached = row[key] = [(str(v).casefold(), str(v)) for v in row.get(field) or ()]
    return cached


def _author_match(row: dict[str, Any], wanted: str) -> str | None:
    folded = wanted.casefold()
    for name, shown in _folded(row, "authors"):
        if folded in name:
            return shown
    return None


def _in_category(row: dict[str, Any], category: str) -> bool:
    wanted = category.casefold()
    cats = [c for c, _ in _folded(row, "categories")]
    primary = str(row.get("primary_category") or "").casefold()
    return wanted == primary or wanted in cats or any(c.startswith(wanted + ".") for c in cats)


def select_items(
    subscription: Subscription,
    pool: Sequence[dict[str, Any]],
    already_sent: set[str],
    *,
    limit: int,
    search_scores: dict[str, float] | None = None,
    ranked: Sequence[tuple[dict[str, Any], rank.TrendingScore]] | None = None,
) -> list[DigestItem]:
    """The papers of ``pool`` this subscription gets this period, best first, with reasons.

    For ``search`` subscriptions the pool is already the matching hits in rank order and
    ``search_scores`` holds their scores. ``ranked`` is ``rank_pool(pool)`` when the caller
    already has it (one ranking serves every trending subscription of a period).
    """
    fresh = [row for row in pool if row["id"] not in already_sent]
    items: list[DigestItem] = []
    if subscription.kind == "search":
        scores = search_scores or {}
        for row in fresh[:limit]:
            score = scores.get(row["id"])
            how = f" (score {score:.3f})" if score is not None else ""
            items.append(
                DigestItem(to_paper(row), f"Matches your search “{subscription.query}”{how}")
            )
        return items
    if subscription.kind == "author" and subscription.author:
        matched = [(row, _author_match(row, subscription.author)) for row in fresh]
        by_author = sorted(
            ((row, name) for row, name in matched if name), key=lambda p: -trending_score(p[0])
        )
        return [
            DigestItem(to_paper(row), f"New paper by {name}") for row, name in by_author[:limit]
        ]
    if subscription.kind == "category" and subscription.category:
        category = subscription.category
        ranked_rows = sorted(
            (row for row in fresh if _in_category(row, category)), key=lambda r: -trending_score(r)
        )
        return [DigestItem(to_paper(row), f"New in {category}") for row in ranked_rows[:limit]]
    ranking = rank_pool(pool) if ranked is None else ranked
    top = [(row, score) for row, score in ranking if row["id"] not in already_sent][:limit]
    return [DigestItem(to_paper(row), trending_reason(row, score)) for row, score in top]
