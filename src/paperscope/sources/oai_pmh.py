"""arXiv's OAI-PMH interface, ``ListRecords`` in the ``arXivRaw`` format, harvested incrementally.

Pages follow ``resumptionToken``s; arXiv asks for 10 s between pages and answers a too-eager
harvester with ``503`` + ``Retry-After`` (the polite fetcher honours both). ``arXivRaw`` carries
every version with its date, so the newest version and the first publication date are both
known. A harvest that reaches the last page records its newest datestamp in
``<data_dir>/state/oai.json``; the next harvest starts ``from=`` there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from paperscope.config import Settings
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.sources import register
from paperscope.sources.arxiv_api import split_authors
from paperscope.sources.fields import FieldError, parse_one, timestamp
from paperscope.sources.http import PoliteFetcher

OAI = "http://www.openarchives.org/OAI/2.0/"
RAW = "http://arxiv.org/OAI/arXivRaw/"
NS = {"oai": OAI, "raw": RAW}


@register("oai")
class OaiPmh:
    """``ListRecords`` (``arXivRaw``) between two datestamps, optionally one set (``cs``).

    After iteration, ``complete`` says whether the last page was reached and ``last_datestamp``
    is the newest record datestamp seen: what ``save_harvest_state`` records.
    """

    name = "oai"

    def __init__(
        self,
        settings: Settings,
        *,
        since: date | None = None,
        until: date | None = None,
        set_spec: str | None = None,
        fetcher: PoliteFetcher | None = None,
    ) -> None:
        if since and until and until < since:
            raise PaperscopeError(f"--until {until} is before --since {since}")
        self.settings = settings
        self.since = since
        self.until = until
        self.set_spec = set_spec
        self.fetcher = fetcher
        self.complete = False
        self.last_datestamp: date | None = None
        self.pages = 0

    def first_params(self) -> dict[str, str]:
        params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}
        if self.since:
            params["from"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.set_spec:
            params["set"] = self.set_spec
        return params

    def records(self) -> Iterator[PaperRecord | Rejected]:
        fetcher = self.fetcher or PoliteFetcher(
            self.settings, delay=self.settings.oai_delay_seconds
        )
        try:
            yield from self._pages(fetcher)
        finally:
            if self.fetcher is None:
                fetcher.close()

    def _pages(self, fetcher: PoliteFetcher) -> Iterator[PaperRecord | Rejected]:
        params = self.first_params()
        while True:
            self.pages += 1
            token = params.get("resumptionToken")
            what = f"OAI-PMH page {self.pages}" + (f" (resumptionToken {token})" if token else "")
            root = fetcher.get_xml(self.settings.arxiv_oai_url, params, what=what)
            error = root.find("oai:error", NS)
            if error is not None:
                if error.get("code") == "noRecordsMatch":
                    self.complete = True
                    return
                raise PaperscopeError(
                    f"{what}: OAI-PMH error {error.get('code')}: {(error.text or '').strip()}"
                )
            listing = root.find("oai:ListRecords", NS)
            if listing is None:
                raise PaperscopeError(f"{what}: no ListRecords element in the response")
            for index, record in enumerate(listing.findall("oai:record", NS)):
                origin = f"oai page {self.pages}#{index}"
                header = record.find("oai:header", NS)
                if header is None:
                    yield Rejected(origin, "record without a header")
                    continue
                self._saw(header.findtext("oai:datestamp", None, NS))
                if header.get("status") == "deleted":
                    continue
                raw = record.find("oai:metadata/raw:arXivRaw", NS)
                if raw is None:
                    yield Rejected(origin, "record without arXivRaw metadata")
                    continue
                yield parse_one(origin, parse_arxiv_raw, raw, origin)
            next_token = (listing.findtext("oai:resumptionToken", "", NS) or "").strip()
            if not next_token:
                self.complete = True
                return
            # OAI-PMH: a resumption request carries the verb and the token, nothing else.
            params = {"verb": "ListRecords", "resumptionToken": next_token}

    def _saw(self, datestamp: str | None) -> None:
        if not datestamp:
            return
        try:
            seen = date.fromisoformat(datestamp.strip()[:10])
        except ValueError:
            return
        if self.last_datestamp is None or seen > self.last_datestamp:
            self.last_datestamp = seen


def parse_arxiv_raw(raw: Element, origin: str) -> PaperRecord:
    """One ``<arXivRaw>`` element: the newest version wins, v1's date is the publication."""

    def field(name: str) -> str | None:
        value = raw.findtext(f"raw:{name}", None, NS)
        return " ".join(value.split()) if value and value.strip() else None

    arxiv_id = field("id")
    if not arxiv_id:
        raise FieldError("id", "missing or empty")
    title = field("title")
    if not title:
        raise FieldError("title", "missing or empty")
    versions: list[tuple[int, datetime | None]] = []
    for element in raw.findall("raw:version", NS):
        label = element.get("version", "")
        if not (label[:1] == "v" and label[1:].isdigit()):
            raise FieldError("version", f"expected 'vN', got {label!r}")
        stamp = timestamp(
            (element.findtext("raw:date", "", NS) or "").strip() or None, f"version {label} date"
        )
        versions.append((int(label[1:]), stamp))
    versions.sort(key=lambda item: item[0])
    categories = (field("categories") or "").split()
    abstract = raw.findtext("raw:abstract", "", NS) or ""
    return PaperRecord(
        source="oai",
        origin=origin,
        arxiv_id=arxiv_id,
        version=versions[-1][0] if versions else None,
        title=title,
        abstract=abstract.strip(),
        authors=split_authors(field("authors") or ""),
        categories=categories,
        primary_category=categories[0] if categories else None,
        published=versions[0][1] if versions else None,
        updated=versions[-1][1] if versions else None,
        doi=field("doi"),
        journal_ref=field("journal-ref"),
        comments=field("comments"),
        license=field("license"),
        submitter=field("submitter"),
    )


def state_path(data_dir: Path) -> Path:
    return data_dir / "state" / "oai.json"


def load_harvest_state(data_dir: Path, set_spec: str | None) -> date | None:
    """The newest datestamp of the last complete harvest of this set, if any."""
    path = state_path(data_dir)
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        return date.fromisoformat(state[set_spec or ""]["last_datestamp"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, KeyError):
            return None
        raise PaperscopeError(f"unreadable harvest state {path}: {error}") from error


def save_harvest_state(data_dir: Path, set_spec: str | None, datestamp: date) -> None:
    """Record a complete harvest; written to a temporary file first so a crash leaves no half."""
    path = state_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {}
    if path.is_file():
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            state = {}
    state[set_spec or ""] = {
        "last_datestamp": datestamp.isoformat(),
        "harvested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)
