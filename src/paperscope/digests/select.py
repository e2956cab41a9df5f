"""Which papers go into one subscription's digest, and why (pure).

The pool is what the period offers (papers listed on its listing days, or search hits);
papers the subscription was already sent are left out, so no one gets a paper twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from paperscope.digests.compose import DigestItem, DigestPaper
from paperscope.digests.model import Subscription


def trending_score(row: dict[str, Any]) -> float:
    """Upvotes (imported and local) order a period's papers, as the daily lists do."""
    return float((row.get("upvotes") or 0) + (row.get("votes") or 0))


def to_paper(row: dict[str, Any]) -> DigestPaper:
    return DigestPaper(
        id=row["id"],
        title=row["title"],
        authors=tuple(row.get("authors") or ()),
        abstract=row.get("abstract") or "",
        arxiv_id=row.get("arxiv_id"),
        code_url=row.get("code_url"),
        stars=row.get("stars"),
    )


def trending_reason(row: dict[str, Any]) -> str:
    upvotes = int((row.get("upvotes") or 0) + (row.get("votes") or 0))
    parts = [f"{upvotes} upvote{'s' if upvotes != 1 else ''}"]
    if row.get("stars"):
        parts.append(f"{int(row['stars']):,} GitHub stars")
    day = row.get("listing_date")
    listed = f" on the {day.isoformat()} list" if day else ""
    return f"Trending{listed}: " + ", ".join(parts)


def _author_match(row: dict[str, Any], wanted: str) -> str | None:
    folded = wanted.casefold()
    for name in row.get("authors") or ():
        if folded in str(name).casefold():
            return str(name)
    return None


def _in_category(row: dict[str, Any], category: str) -> bool:
    wanted = category.casefold()
    cats = [str(c).casefold() for c in row.get("categories") or ()]
    primary = str(row.get("primary_category") or "").casefold()
    return wanted == primary or wanted in cats or any(c.startswith(wanted + ".") for c in cats)


def select_items(
    subscription: Subscription,
    pool: Sequence[dict[str, Any]],
    already_sent: set[str],
    *,
    limit: int,
    search_scores: dict[str, float] | None = None,
) -> list[DigestItem]:
    """The papers of ``pool`` this subscription gets this period, best first, with reasons.

    For ``search`` subscriptions the pool is already the matching hits in rank order and
    ``search_scores`` holds their scores.
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
        ranked = sorted(
            ((row, name) for row, name in matched if name), key=lambda p: -trending_score(p[0])
        )
        return [DigestItem(to_paper(row), f"New paper by {name}") for row, name in ranked[:limit]]
    if subscription.kind == "category" and subscription.category:
        category = subscription.category
        ranked_rows = sorted(
            (row for row in fresh if _in_category(row, category)), key=lambda r: -trending_score(r)
        )
        return [DigestItem(to_paper(row), f"New in {category}") for row in ranked_rows[:limit]]
    ranked_rows = sorted(fresh, key=lambda r: (-trending_score(r), r["id"]))
    return [DigestItem(to_paper(row), trending_reason(row)) for row in ranked_rows[:limit]]
