"""arXiv's daily announcements as Atom: ``rss.arxiv.org/atom/cs.AI+cs.LG``.

One request gives the day's announcements for the listed categories. Each entry's id is
``oai:arXiv.org:2508.13426v1``, ``arxiv:announce_type`` says ``new``, ``cross``, ``replace`` or
``replace-cross``, authors are one comma-joined ``dc:creator`` and the summary starts with
``arXiv:<id> Announce Type: <type> Abstract:``, which is not part of the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from paperscope.config import Settings
from paperscope.ingest.ids import IdError, parse_arxiv_id
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.sources import register
from paperscope.sources.arxiv_api import NS, child_text, split_authors
from paperscope.sources.fields import FieldError, parse_one, timestamp
from paperscope.sources.http import PoliteFetcher

ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
# Announcements of a first version: their announce date stands in for the publication date.
FIRST_ANNOUNCEMENTS = frozenset({"new", "cross"})
_PREFIX = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.IGNORECASE)


@register("arxiv-rss")
class ArxivRss:
    """Today's announcements of some categories (``cs.AI+cs.LG``), optionally some types only."""

    name = "arxiv-rss"

    def __init__(
        self,
        settings: Settings,
        *,
        categories: str,
        announce_types: set[str] | None = None,
        fetcher: PoliteFetcher | None = None,
    ) -> None:
        # "cs.AI+cs.LG", "cs.AI, cs.LG" and "cs.AI cs.LG" all name the same feed.
        categories = "+".join(part for part in re.split(r"[\s,+]+", categories) if part)
        if not categories:
            raise PaperscopeError("arXiv RSS needs categories, e.g. cs.AI+cs.LG")
        unknown = set(announce_types or ()) - ANNOUNCE_TYPES
        if unknown:
            raise PaperscopeError(
                f"unknown announce type {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(ANNOUNCE_TYPES))}"
            )
        self.settings = settings
        self.categories = categories
        self.announce_types = announce_types
        self.fetcher = fetcher

    @property
    def url(self) -> str:
        return f"{self.settings.arxiv_rss_url.rstrip('/')}/{self.categories}"

    def records(self) -> Iterator[PaperRecord | Rejected]:
        fetcher = self.fetcher or PoliteFetcher(
            self.settings, delay=self.settings.arxiv_delay_seconds
        )
        try:
            feed = fetcher.get_xml(self.url, what=f"arXiv RSS {self.categories}")
        finally:
            if self.fetcher is None:
                fetcher.close()
        for index, entry in enumerate(feed.findall("atom:entry", NS)):
            origin = f"arxiv-rss {self.categories}#{index}"
            kind = (child_text(entry, "arxiv:announce_type") or "").lower()
            if self.announce_types and kind not in self.announce_types:
                continue
            yield parse_one(origin, parse_rss_entry, entry, origin)


def parse_rss_entry(entry: Element, origin: str) -> PaperRecord:
    """One announcement entry as a record."""
    raw_id = child_text(entry, "atom:id")
    if not raw_id:
        raise FieldError("id", "missing or empty")
    try:
        arxiv_id, version = parse_arxiv_id(raw_id)
    except IdError as error:
        raise FieldError("id", str(error)) from error
    title = child_text(entry, "atom:title")
    if not title:
        raise FieldError("title", "missing or empty")
    kind = (child_text(entry, "arxiv:announce_type") or "").lower()
    announced = timestamp(
        child_text(entry, "atom:published") or child_text(entry, "atom:updated"), "published"
    )
    return PaperRecord(
        source="arxiv-rss",
        origin=origin,
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=_PREFIX.sub("", child_text(entry, "atom:summary") or ""),
        authors=split_authors(child_text(entry, "dc:creator") or ""),
        categories=[c.get("term", "") for c in entry.findall("atom:category", NS) if c.get("term")],
        published=announced if kind in FIRST_ANNOUNCEMENTS else None,
        updated=announced,
        doi=child_text(entry, "arxiv:DOI"),
        journal_ref=child_text(entry, "arxiv:journal_reference"),
        license=child_text(entry, "dc:rights"),
    )
