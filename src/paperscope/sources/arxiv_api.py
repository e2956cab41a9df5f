"""The arXiv query API (Atom): search or id lists, paged by ``start``/``max_results``.

https://info.arxiv.org/help/api/user-manual.html. Entries are sorted by submission date,
newest first, so a ``since`` bound ends the paging as soon as an older entry shows up. arXiv
asks for 3 s between calls; the polite fetcher keeps to ``arxiv_delay_seconds``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from xml.etree.ElementTree import Element

from paperscope.config import Settings
from paperscope.ingest.ids import IdError, parse_arxiv_id
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.sources import register
from paperscope.sources.fields import FieldError, parse_one, timestamp
from paperscope.sources.http import PoliteFetcher

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# arXiv sometimes answers a page with no entries although more exist; ask again a few times.
EMPTY_PAGE_RETRIES = 2
# Looking up one paper while a user waits: fail fast rather than back off for a minute.
INTERACTIVE_RETRIES = 1
INTERACTIVE_MAX_WAIT_SECONDS = 5.0


@register("arxiv")
class ArxivApi:
    """Entries of an arXiv API query (``search_query``, ``id_list`` or both), page by page."""

    name = "arxiv"

    def __init__(
        self,
        settings: Settings,
        *,
        search_query: str | None = None,
        id_list: list[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        max_results: int | None = None,
        fetcher: PoliteFetcher | None = None,
    ) -> None:
        if not search_query and not id_list:
            raise PaperscopeError("an arXiv query needs a search query (e.g. cat:cs.LG) or ids")
        if since and until and until < since:
            raise PaperscopeError(f"--until {until} is before --since {since}")
        self.settings = settings
        self.search_query = search_query
        self.id_list = id_list or []
        self.since = since
        self.until = until
        self.max_results = max_results
        self.fetcher = fetcher

    def query_params(self) -> dict[str, str]:
        """The fixed part of every page's query string."""
        params: dict[str, str] = {}
        if self.search_query:
            query = self.search_query
            if self.since or self.until:
                low = (self.since or date(1991, 1, 1)).strftime("%Y%m%d0000")
                high = (self.until or date(9999, 12, 31)).strftime("%Y%m%d2359")
                query = f"({query}) AND submittedDate:[{low} TO {high}]"
            params["search_query"] = query
            params["sortBy"] = "submittedDate"
            params["sortOrder"] = "descending"
        if self.id_list:
            params["id_list"] = ",".join(self.id_list)
        return params

    def records(self) -> Iterator[PaperRecord | Rejected]:
        fetcher = self.fetcher or PoliteFetcher(
            self.settings, delay=self.settings.arxiv_delay_seconds
        )
        try:
            yield from self._pages(fetcher)
        finally:
            if self.fetcher is None:
                fetcher.close()

    def _pages(self, fetcher: PoliteFetcher) -> Iterator[PaperRecord | Rejected]:
        base = self.query_params()
        start, yielded, empty_tries = 0, 0, 0
        while True:
            size = self.settings.arxiv_page_size
            if self.max_results is not None:
                size = min(size, self.max_results - yielded)
                if size <= 0:
                    return
            params = {**base, "start": str(start), "max_results": str(size)}
            feed = fetcher.get_xml(
                self.settings.arxiv_api_url, params, what=f"arXiv API page start={start}"
            )
            total = _int(feed.findtext("opensearch:totalResults", None, NS))
            entries = feed.findall("atom:entry", NS)
            if not entries:
                if total is not None and start < total and empty_tries < EMPTY_PAGE_RETRIES:
                    empty_tries += 1
                    continue
                return
            empty_tries = 0
            for index, entry in enumerate(entries):
                origin = f"arxiv start={start}#{index}"
                record = parse_one(origin, parse_entry, entry, origin)
                if isinstance(record, Rejected):
                    yield record
                    continue
                if record is None:
                    continue
                day = record.published.date() if record.published else None
                if day and self.since and day < self.since:
                    return  # sorted newest first: everything after this is older still
                if day and self.until and day > self.until:
                    continue
                yield record
                yielded += 1
                if self.max_results is not None and yielded >= self.max_results:
                    return
            start += len(entries)
            if total is None or start >= total:
                return


def fetch_arxiv_paper(
    settings: Settings, arxiv_id: str, *, fetcher: PoliteFetcher | None = None
) -> PaperRecord | None:
    """One paper by arXiv id (any form ingest accepts), or None when arXiv does not know it.

    A malformed id is unknown too (arXiv answers it with an error entry). Network failures
    raise ``PaperscopeError``. A user is waiting (the web's "submit a paper"), so without a
    ``fetcher`` it retries at most once and gives up rather than wait out a long Retry-After.
    """
    try:
        wanted, _ = parse_arxiv_id(arxiv_id)
    except IdError:
        return None
    own = fetcher is None
    client = fetcher or PoliteFetcher(
        settings,
        delay=0,
        retries=min(settings.http_retries, INTERACTIVE_RETRIES),
        max_retry_after=INTERACTIVE_MAX_WAIT_SECONDS,
    )
    try:
        source = ArxivApi(settings, id_list=[wanted], max_results=1, fetcher=client)
        for record in source.records():
            if isinstance(record, PaperRecord) and record.arxiv_id == wanted:
                return record
        return None
    finally:
        if own:
            client.close()


def parse_entry(entry: Element, origin: str) -> PaperRecord | None:
    """One Atom ``<entry>`` of the query API; None for arXiv's error entries."""
    raw_id = (entry.findtext("atom:id", "", NS) or "").strip()
    title = (entry.findtext("atom:title", "", NS) or "").strip()
    if not raw_id or "/api/errors" in raw_id or (title == "Error" and "/abs/" not in raw_id):
        return None
    try:
        arxiv_id, version = parse_arxiv_id(raw_id)
    except IdError as error:
        raise FieldError("id", str(error)) from error
    if not title:
        # arXiv's answer for a well-formed id it does not have: an entry with no content.
        return None
    doi = child_text(entry, "arxiv:doi")
    if not doi:
        for link in entry.findall("atom:link", NS):
            if link.get("title") == "doi":
                doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", link.get("href", "")) or None
    primary = entry.find("arxiv:primary_category", NS)
    return PaperRecord(
        source="arxiv",
        origin=origin,
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=child_text(entry, "atom:summary") or "",
        authors=[
            name.strip()
            for name in (a.findtext("atom:name", "", NS) for a in entry.findall("atom:author", NS))
            if name and name.strip()
        ],
        categories=[c.get("term", "") for c in entry.findall("atom:category", NS) if c.get("term")],
        primary_category=primary.get("term") if primary is not None else None,
        published=timestamp(child_text(entry, "atom:published"), "published"),
        updated=timestamp(child_text(entry, "atom:updated"), "updated"),
        doi=doi,
        journal_ref=child_text(entry, "arxiv:journal_ref"),
        comments=child_text(entry, "arxiv:comment"),
        links=[
            {key: link.get(key, "") for key in ("rel", "href", "title", "type") if link.get(key)}
            for link in entry.findall("atom:link", NS)
            if link.get("href")
        ],
    )


def child_text(element: Element, path: str) -> str | None:
    """The stripped text of a child element, or None when absent or empty."""
    value = element.findtext(path, None, NS)
    return value.strip() or None if value else None


_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def split_authors(raw: str) -> list[str]:
    """Author names from arXiv's one-string form: ``A, B and C``, affiliations in parentheses.

    >>> split_authors("A. Smith, B. Jones (ANL), and C.-P. Yuan ((1) MSU)")
    ['A. Smith', 'B. Jones', 'C.-P. Yuan']
    """
    depth, plain = 0, []
    for char in raw:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            plain.append(char)
    text = " ".join("".join(plain).split())
    names: list[str] = []
    for piece in re.split(r",|\band\b", text):
        name = piece.strip()
        if not name:
            continue
        if name.lower() in _SUFFIXES and names:
            names[-1] = f"{names[-1]}, {name}"
            continue
        names.append(name)
    return names


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
