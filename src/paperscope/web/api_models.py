"""Response schemas of the JSON API, in Hugging Face's daily papers field names.

``_id`` fields are stable identifiers derived from our own ids (HF's are Mongo ids); times
are ISO 8601 in UTC with milliseconds and ``Z``, as HF writes them. Keys HF always sends are
always here, empty where this site keeps no such data (avatars, Hub links); HF's keys for data
the store does not hold (``ai_summary``, ``ai_keywords``, author ``user``/``status``) are
left out, as HF leaves them out when it has none. Our extras: ``numComments`` on the flat
paper and ``score`` on search items (HF's own client keeps unknown keys as attributes).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

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
    """HF's user object as a paper's ``submittedOnDailyBy``."""

    id: str = Field(alias="_id")
    name: str
    fullname: str
    user: str
    type: str = "user"
    avatarUrl: str = Field("", description="Always empty: this site keeps no avatars.")
    isPro: bool = False


class ItemSubmitter(_Model):
    """HF's user object as an item's ``submittedBy``: no ``user``, a few flags more."""

    id: str = Field(alias="_id")
    name: str
    fullname: str
    type: str = "user"
    avatarUrl: str = Field("", description="Always empty: this site keeps no avatars.")
    isPro: bool = False
    isHf: bool = False
    isHfAdmin: bool = False
    isMod: bool = False
    isUserFollowing: bool = False


class Organization(_Model):
    id: str = Field(alias="_id")
    name: str
    fullname: str
    avatar: str = Field("", description="Always empty: this site keeps no avatars.")


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


class PaperDetailPublic(PaperPublic):
    """The flat ``/api/papers/{id}`` answer: the paper, its comment count and Hub links."""

    numComments: int = Field(description="Comments (an extra; huggingface_hub reads it).")
    linkedModels: list[Any] = Field(default_factory=list, description="Always empty here.")
    linkedDatasets: list[Any] = Field(default_factory=list, description="Always empty here.")
    linkedSpaces: list[Any] = Field(default_factory=list, description="Always empty here.")


class DailyPaperPublic(_Model):
    """One item of ``/api/daily_papers``."""

    paper: PaperPublic
    title: str
    summary: str
    publishedAt: str | None = Field(
        description="When the paper was listed (the listing day: the store keeps no time)."
    )
    thumbnail: str = Field("", description="The listing's thumbnail URL; empty when none.")
    mediaUrls: list[str] = Field(default_factory=list)
    numComments: int
    submittedBy: ItemSubmitter | None = None
    organization: Organization | None = None
    isAuthorParticipating: bool = False


class SearchItemPublic(_Model):
    """One item of ``/api/papers/search`` and ``/api/papers/{id}/similar``."""

    paper: PaperPublic
    numComments: int
    score: float | None = Field(None, description="Search or similarity score (an extra).")


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


def _submitter(name: str | None) -> Submitter | None:
    if not name:
        return None
    return Submitter(id=hf_id("user", name), name=name, fullname=name, user=name)


def _item_submitter(name: str | None) -> ItemSubmitter | None:
    if not name:
        return None
    return ItemSubmitter(id=hf_id("user", name), name=name, fullname=name)


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
        thumbnail=card.thumbnail or "",
        numComments=card.num_comments,
        submittedBy=_item_submitter(card.submitted_by),
        organization=_organization(card.organization),
    )


def paper_from_view(view: PaperView) -> PaperPublic:
    """The paper in HF's ``paper`` shape (inside search and similar items)."""
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
    )


def paper_detail(view: PaperView) -> PaperDetailPublic:
    """The flat ``/api/papers/{id}`` answer."""
    paper = paper_from_view(view)
    return PaperDetailPublic(**paper.model_dump(), numComments=view.num_comments)


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
