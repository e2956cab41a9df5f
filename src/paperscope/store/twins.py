"""Papers stored twice: an id-less record (derived ``ps-`` id) and its arXiv paper.

The seed page carries papers without ids; 8 of them are also in the HF corpus. Whatever the
order they arrive in, one paper is kept, the arXiv one: an id-less record resolves to an arXiv
paper with the same folded title (stored or in the same batch), and a stored derived-id paper
folds into an arXiv paper that arrives later. Folding moves what hangs off the paper (code
repos, listings, votes, comments, digest records), records the removal with a change-sequence
value so that the index drops it too, and deletes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from paperscope.models import NormalizedPaper
from paperscope.store.tables import code_repos, listings, paper_removals, papers
from paperscope.store.tables_community import comments, votes
from paperscope.store.tables_subscriptions import sent_papers


def resolve_derived_ids(conn: sa.Connection, batch: Sequence[NormalizedPaper]) -> dict[str, str]:
    """Derived ids of id-less records whose folded title matches an arXiv paper's.

    A stored paper is preferred, then one in this batch.
    """
    keys = {item.row["title_key"]: item.id for item in batch if item.has_derived_id}
    if not keys:
        return {}
    found: dict[str, str] = {}
    rows = conn.execute(
        sa.select(papers.c.id, papers.c.title_key)
        .where(papers.c.title_key.in_(keys), papers.c.arxiv_id.is_not(None))
        .order_by(papers.c.id)
    )
    for paper_id, key in rows:
        found.setdefault(keys[key], paper_id)
    for item in batch:
        derived = keys.get(item.row["title_key"])
        if derived is not None and not item.has_derived_id:
            found.setdefault(derived, item.id)
    return found


def stored_twins(conn: sa.Connection, batch: Sequence[NormalizedPaper]) -> dict[str, str]:
    """Stored derived-id papers whose folded title matches an arXiv paper of this batch."""
    targets: dict[str, str] = {}
    for item in batch:
        if not item.has_derived_id:
            targets.setdefault(item.row["title_key"], item.id)
    if not targets:
        return {}
    # Most stores hold no derived-id paper at all: one indexed probe spares the title lookup.
    probe = sa.select(papers.c.id).where(papers.c.arxiv_id.is_(None)).limit(1)
    if conn.execute(probe).first() is None:
        return {}
    rows = conn.execute(
        sa.select(papers.c.id, papers.c.title_key).where(
            papers.c.title_key.in_(targets), papers.c.arxiv_id.is_(None)
        )
    )
    return {paper_id: targets[key] for paper_id, key in rows}


def fold_twins(
    conn: sa.Connection, folds: dict[str, str], seqs: Sequence[int], now: datetime
) -> None:
    """Fold each stored derived-id paper into its arXiv twin (``{derived: target}``).

    ``seqs`` gives each removal its change-sequence value. What the twin already has (a
    listing on that day, a vote by that user, a repo in any letter case) is kept.
    """
    for (derived, target), seq in zip(folds.items(), seqs, strict=True):
        _move(conn, listings, derived, target, listings.c.listing_date)
        _move(conn, votes, derived, target, votes.c.user_id)
        _move(conn, sent_papers, derived, target, sent_papers.c.subscription_id)
        conn.execute(
            comments.update().where(comments.c.paper_id == derived).values(paper_id=target)
        )
        theirs = code_repos.alias("theirs")
        same_repo = (
            sa.select(theirs.c.id)
            .where(
                theirs.c.paper_id == target,
                sa.func.lower(theirs.c.url) == sa.func.lower(code_repos.c.url),
            )
            .exists()
        )
        conn.execute(
            code_repos.update()
            .where(code_repos.c.paper_id == derived, ~same_repo)
            .values(paper_id=target)
        )
        conn.execute(paper_removals.delete().where(paper_removals.c.paper_id == derived))
        conn.execute(
            paper_removals.insert().values(
                paper_id=derived, merged_into=target, seq=seq, removed_at=now
            )
        )
        # What stayed behind (duplicates the twin already had, the embedding) goes with it.
        conn.execute(papers.delete().where(papers.c.id == derived))


def _move(
    conn: sa.Connection, table: sa.Table, derived: str, target: str, unique: sa.Column
) -> None:
    """Re-point ``table``'s rows from ``derived`` to ``target`` unless ``target`` has one with
    the same ``unique`` value."""
    theirs = table.alias("theirs")
    taken = sa.select(theirs.c[unique.name]).where(theirs.c.paper_id == target)
    conn.execute(
        table.update()
        .where(table.c.paper_id == derived, unique.not_in(taken))
        .values(paper_id=target)
    )
