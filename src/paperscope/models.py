"""The data that flows down the pipeline: records from sources, reports from stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# The largest value the store's INTEGER columns hold (PostgreSQL's int4): counts a source
# reports are capped to it, versions beyond it are refused.
MAX_INTEGER = 2**31 - 1


@dataclass(slots=True)
class ListingRecord:
    """A paper's appearance on a daily list (the HF daily papers feed, or a local submission)."""

    listing_date: date
    position: int = 0
    submitted_by: str | None = None
    upvotes: int = 0
    num_comments: int = 0
    organization: str | None = None
    thumbnail: str | None = None


@dataclass(slots=True)
class PaperRecord:
    """One paper as a source yields it, before ingest normalizes it.

    ``arxiv_id`` may be anything a source carries (``arXiv:2405.15738v2``, an abs/pdf URL, an
    old-style ``quant-ph/0602109``); ingest turns it into a canonical id. ``origin`` names where
    the record came from (``papers.jsonl:12``) so that a rejection can point at it.
    """

    source: str
    title: str
    abstract: str
    origin: str = ""
    arxiv_id: str | None = None
    version: int | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comments: str | None = None
    license: str | None = None
    submitter: str | None = None
    code_urls: list[str] = field(default_factory=list)
    github_stars: int | None = None
    project_page: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)
    listing: ListingRecord | None = None


@dataclass(frozen=True, slots=True)
class CodeLink:
    """A normalized link to a paper's code: GitHub, GitLab or Hugging Face."""

    url: str
    host: str

    @property
    def key(self) -> str:
        """The repository whatever its letter case (GitHub, GitLab and HF ignore it)."""
        return repo_key(self.url)


def repo_key(url: str) -> str:
    """What two spellings of one code repository URL have in common."""
    return url.lower()


@dataclass(slots=True)
class NormalizedPaper:
    """One paper ready for the store: its columns, code links and listing, if any."""

    row: dict[str, Any]
    code: list[CodeLink] = field(default_factory=list)
    stars: dict[str, int] = field(default_factory=dict)
    listing: ListingRecord | None = None

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def has_derived_id(self) -> bool:
        return self.row["arxiv_id"] is None


# The columns a source provides (everything but bookkeeping: seq, hash, timestamps, hidden).
CONTENT_COLUMNS = (
    "arxiv_id",
    "version",
    "title",
    "title_key",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "published",
    "updated",
    "doi",
    "journal_ref",
    "comments",
    "license",
    "submitter",
    "project_page",
    "links",
)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record a source or ingest refused, with where it was and why."""

    origin: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did. The CLI prints it; ``--json`` prints it as one object.

    ``rejects_file``: the TSV of this run's rejected records (only a header when none were).
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    listings: int = 0

    def as_dict(self) -> dict[str, int | str | None]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "listings": self.listings,
            "rejects_file": self.rejects_file,
        }


class PaperscopeError(Exception):
    """An error a user can act on. The CLI prints its message as one line and exits non-zero."""
