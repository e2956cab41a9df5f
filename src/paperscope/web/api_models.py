"""Response schemas of the JSON API, in Hugging Face's daily papers field names.

``_id`` fields are stable identifiers derived from our own ids (HF's are Mongo ids); times
are ISO 8601 in UTC with milliseconds and ``Z``, as HF writes them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from paperscope.feeds import Card
from paperscope.paper_page import PaperView
from paperscope.rank import TrendingScore


def hf_id(*parts: object) -> str:
    """A stable 24-hex-digit id, shaped like HF's ``_id`` values."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


def hf_time(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=UTC)
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Author(_Model):
    id: str = Field(alias="_id")
    name: str
    hidden: bool = False


class Submitter(_Model):
    id: str = Field(alias="_id")
    name: str
    fullname: str
    user: str | None = None
    type: str = "user"
    avatarUrl: str | None = None


class Organization(_Model):
    id: str = Field(alias="_id")
    name: str
    fullname: str


class PaperPublic(_Model):
    """A paper in HF's ``paper`` shape (also the flat ``/api/papers/{id}`` answer)."""

    id: str
    authors: list[Author]
    publishedAt: str | None = Field(description="arXiv publication time.")
    submittedOnDailyAt: str | None = Field(None, description="When it entered a daily list.")
    submittedOnDailyBy: Submitter | None = None
    title: str
    summary: str
    upvotes: int
    discussionId: str
    githubRepo: str | None = None
    githubStars: int | None = None
    projectPage: str | None = None
    organization: Organization | None = None
    numComments: int | None = Field(None, description="Comments (only on /api/papers/{id}).")


class DailyPaperPublic(_Model):
    """One item of ``/api/daily_papers``."""

    paper: PaperPublic
    title: str
    summary: str
    publishedAt: str | None = Field(description="When the paper was listed.")
    thumbnail: str | None = None
    mediaUrls: list[str] = Field(default_factory=list)
    numComments: int
    submittedBy: Submitter | None = None
    organization: Organization | None = None
    isAuthorParticipating: bool = False


class SearchItemPublic(_Model):
    """One item of ``/api/papers/search`` and ``/api/papers/{id}/similar``."""

    paper: PaperPublic
    numComments: int
    score: float | None = Field(None, description="Search or similarity score.")


class TrendingPartsPublic(_Model):
    score: float
    points: float
    imported_upvotes: int
    local_votes: int
    star_growth: int
    age_hours: float


class TrendingItemPublic(_Model):
    """One item of ``/api/trending``: the paper and its score with every part."""

    paper: PaperPublic
    numComments: int
    trending: TrendingPartsPublic


def _submitter(name: str | None, *, with_user: bool = True) -> Submitter | None:
    """HF's user object; the item-level ``submittedBy`` has no ``user`` field."""
    if not name:
        return None
    user = name if with_user else None
    return Submitter(id=hf_id("user", name), name=name, fullname=name, user=user)


def _organization(name: str | None) -> Organization | None:
    if not name:
        return None
    return Organization(id=hf_id("org", name), name=name, fullname=name)


def _authors(paper_id: str, names: list[str]) -> list[Author]:
    return [Author(id=hf_id(paper_id, i, n), name=n) for i, n in enumerate(names)]


def paper_from_card(card: Card) -> PaperPublic:
    return PaperPublic(
        id=card.paper_id,
        authors=_authors(card.paper_id, card.authors),
        publishedAt=hf_time(card.published),
        submittedOnDailyAt=hf_time(card.listing_date),
        submittedOnDailyBy=_submitter(card.submitted_by),
        title=card.title,
        summary=card.summary,
        upvotes=card.upvotes,
        discussionId=hf_id("discussion", card.paper_id),
        githubRepo=card.code.url if card.code and card.code.host == "github" else None,
        githubStars=card.code.stars if card.code and card.code.host == "github" else None,
        projectPage=card.project_page,
        organization=_organization(card.organization),
    )


def daily_item(card: Card) -> DailyPaperPublic:
    return DailyPaperPublic(
        paper=paper_from_card(card),
        title=card.title,
        summary=card.summary,
        publishedAt=hf_time(card.listing_date),
        numComments=card.num_comments,
        submittedBy=_submitter(card.submitted_by, with_user=False),
        organization=_organization(card.organization),
    )


def paper_from_view(view: PaperView) -> PaperPublic:
    github = next((repo for repo in view.code if repo.host == "github"), None)
    first = view.listings[0] if view.listings else None
    return PaperPublic(
        id=view.paper_id,
        authors=_authors(view.paper_id, view.authors),
        publishedAt=hf_time(view.published),
        submittedOnDailyAt=hf_time(first.listing_date) if first else None,
        submittedOnDailyBy=_submitter(first.submitted_by if first else None),
        title=view.title,
        summary=view.abstract,
        upvotes=view.upvotes,
        discussionId=hf_id("discussion", view.paper_id),
        githubRepo=github.url if github else None,
        githubStars=github.stars if github else None,
        projectPage=view.project_page,
        organization=_organization(first.organization if first else None),
        numComments=view.num_comments,
    )


def trending_item(card: Card, score: TrendingScore) -> TrendingItemPublic:
    return TrendingItemPublic(
        paper=paper_from_card(card),
        numComments=card.num_comments,
        trending=TrendingPartsPublic(
            score=score.score,
            points=score.points,
            imported_upvotes=score.imported_upvotes,
            local_votes=score.local_votes,
            star_growth=score.star_growth,
            age_hours=score.age_hours,
        ),
    )
