"""What a search asks for and what it returns (the API the web pages and digests call)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from paperscope.search.query import ParsedQuery

SearchMode = Literal["hybrid", "keyword", "semantic"]
MODES: tuple[str, ...] = ("hybrid", "keyword", "semantic")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters applied inside both retrievers (before the top-k cut, never after it)."""

    since: date | None = None
    until: date | None = None
    category: str | None = None
    author: str | None = None
    has_code: bool = False


@dataclass(slots=True)
class SearchHit:
    """One ranked paper: fused score, its rank in each retriever, and a safe-HTML snippet."""

    paper_id: str
    title: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    snippet: str
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    explain: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.paper_id,
            "title": self.title,
            "score": self.score,
            "lexical_rank": self.lexical_rank,
            "dense_rank": self.dense_rank,
            "snippet": self.snippet,
            "authors": self.authors,
            "published": self.published.isoformat() if self.published else None,
            "explain": self.explain,
        }


@dataclass(slots=True)
class SearchResults:
    """A page of hits. ``redirect_paper_id`` is set when the query named one paper (an arXiv
    id or URL) that is in the store; that paper is then the first hit."""

    hits: list[SearchHit]
    total: int
    mode: str
    query: ParsedQuery
    redirect_paper_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "hits": [hit.as_dict() for hit in self.hits],
            "total": self.total,
            "mode": self.mode,
            "query": self.query.as_dict(),
            "redirect_paper_id": self.redirect_paper_id,
        }
