"""The search page's parameters, read and checked once for every route that searches
(the page, its JSON twin and its Atom feed), and written back into links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Query

from paperscope.web.errors import BadParameter

if TYPE_CHECKING:
    from paperscope.search import SearchFilters

# The search stage's MODES, named here so the site imports the search stage only when a search
# runs (a test keeps the two equal).
SEARCH_MODES = ("hybrid", "keyword", "semantic")


@dataclass(frozen=True, slots=True)
class SearchParams:
    """A search as asked for: the query text, the mode and the filters."""

    q: str
    mode: str = "hybrid"
    since: date | None = None
    until: date | None = None
    category: str | None = None
    has_code: bool = False

    @property
    def filters(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "category": self.category,
            "has_code": self.has_code,
        }

    @property
    def blank(self) -> bool:
        """Nothing to search for: no query text (spaces do not count) and no filter."""
        return not self.q.strip() and not any(self.filters.values())

    def query_string(self) -> str:
        """These parameters as a URL query, for links to the same search (pages, feed)."""
        pairs: list[tuple[str, str]] = [("q", self.q), ("mode", self.mode)]
        if self.since:
            pairs.append(("since", self.since.isoformat()))
        if self.until:
            pairs.append(("until", self.until.isoformat()))
        if self.category:
            pairs.append(("category", self.category))
        if self.has_code:
            pairs.append(("has_code", "true"))
        return urlencode(pairs)

    def label(self) -> str:
        """A short description for a feed title: the words, then mode and filters if set."""
        parts = [f"“{self.q.strip()}”"] if self.q.strip() else []
        if self.mode != "hybrid":
            parts.append(self.mode)
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.category:
            parts.append(self.category)
        if self.has_code:
            parts.append("has code")
        return " · ".join(parts)

    def search_filters(self) -> SearchFilters:
        # The search stage is optional at run time: imported when a search actually runs.
        from paperscope.search import SearchFilters

        return SearchFilters(
            since=self.since, until=self.until, category=self.category, has_code=self.has_code
        )


def _parse_date(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter(f"{name}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def search_params(
    q: str = Query("", max_length=250, description="Search query or arXiv id/URL."),
    mode: str = Query("hybrid", max_length=16, description="hybrid, keyword or semantic."),
    since: str | None = Query(None, max_length=10, description="Published on or after."),
    until: str | None = Query(None, max_length=10, description="Published on or before."),
    category: str | None = Query(None, max_length=32, description="arXiv category (cs.CL)."),
    has_code: bool = Query(False, description="Only papers with a code repository."),
) -> SearchParams:
    """The search parameters of a request; 400 with what is expected for a bad mode or date."""
    if mode not in SEARCH_MODES:
        raise BadParameter(f"mode: {mode!r} is unknown; use hybrid, keyword or semantic")
    return SearchParams(
        q=q,
        mode=mode,
        since=_parse_date("since", since),
        until=_parse_date("until", until),
        category=(category or "").strip() or None,
        has_code=has_code,
    )
