"""Upvotes: one per user per paper, toggled; and the counts every page and the API show.

A paper's upvotes are what Hugging Face counted when its listing was imported plus this site's
votes; its comment count likewise. Pages, the JSON API and RSS all read them from
``paper_counts`` so that they never disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from paperscope.community import NotFound, ratelimit
from paperscope.community.accounts import User
from paperscope.config import Settings
from paperscope.store import Store
from paperscope.store import community as queries


@dataclass(frozen=True, slots=True)
class PaperCounts:
    """What a vote button and a comment link show for one paper."""

    paper_id: str
    upvotes: int  # imported + site votes
    site_votes: int
    num_comments: int  # imported + visible site comments
    voted: bool = False  # by the user asking


def paper_counts(
    store: Store, paper_ids: Collection[str], user: User | None = None
) -> dict[str, PaperCounts]:
    """Counts for each paper (unknown ids count zero), with the user's own votes marked."""
    ids = list(dict.fromkeys(paper_ids))
    with store.read() as conn:
        raw = queries.community_counts(conn, ids)
        mine = queries.voted_papers(conn, user.id, ids) if user else set()
    return {
        paper_id: PaperCounts(
            paper_id=paper_id,
            upvotes=imported_up + site_votes,
            site_votes=site_votes,
            num_comments=imported_comments + site_comments,
            voted=paper_id in mine,
        )
        for paper_id, (imported_up, site_votes, imported_comments, site_comments) in raw.items()
    }


def toggle_vote(store: Store, settings: Settings, *, user: User, paper_id: str) -> PaperCounts:
    """Upvote the paper, or take the upvote back; returns the paper's counts afterwards."""
    ratelimit.check(store, bucket="vote", subject=f"user:{user.id}", rate=settings.rate_limit_vote)
    with store.write() as conn:
        if not queries.paper_visibility(conn, paper_id):
            raise NotFound(f"No paper {paper_id} here.")
        queries.toggle_vote(conn, user_id=user.id, paper_id=paper_id, now=datetime.now(UTC))
    return paper_counts(store, [paper_id], user)[paper_id]
