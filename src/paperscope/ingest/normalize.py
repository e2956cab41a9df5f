"""From a source's ``PaperRecord`` to the row the store keeps (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperscope.ingest.clean import clean_text, code_links, normalize_code_url
from paperscope.ingest.ids import IdError, derived_id, parse_arxiv_id, title_key
from paperscope.models import MAX_INTEGER, CodeLink, NormalizedPaper, PaperRecord

MAX_TITLE = 1000
MAX_ABSTRACT = 20000
MAX_CATEGORY = 64  # papers.primary_category is VARCHAR(64)


class RecordError(ValueError):
    """A record ingest refuses; the message names the field."""


def normalize(record: PaperRecord, *, now: datetime | None = None) -> NormalizedPaper:
    """Canonical id, cleaned text and code links of one record, or ``RecordError``.

    ``now`` (default: the current time) bounds the dates a record may carry.
    """
    title = clean_text(record.title or "")
    if not title:
        raise RecordError("field 'title': missing or empty")
    if len(title) > MAX_TITLE:
        raise RecordError(f"field 'title': longer than {MAX_TITLE} characters")
    abstract = clean_text(record.abstract or "")
    if len(abstract) > MAX_ABSTRACT:
        raise RecordError(f"field 'abstract': longer than {MAX_ABSTRACT} characters")
    if record.arxiv_id:
        try:
            paper_id, id_version = parse_arxiv_id(record.arxiv_id)
        except IdError as error:
            raise RecordError(f"field 'arxiv_id': {error}") from error
        arxiv_id: str | None = paper_id
    else:
        paper_id, id_version, arxiv_id = derived_id(title), None, None
    _check_dates(record, now or datetime.now(UTC))
    version = record.version or id_version
    if version is not None and not 0 < version <= MAX_INTEGER:
        raise RecordError(f"field 'version': impossible version {version}")
    if record.primary_category and len(record.primary_category) > MAX_CATEGORY:
        raise RecordError(f"field 'primary_category': longer than {MAX_CATEGORY} characters")

    links: dict[str, CodeLink] = {}
    stars: dict[str, int] = {}
    for url in record.code_urls:
        link = normalize_code_url(url)
        if link:
            # The first spelling wins: QizhiPei/MathFusion and QizhiPei/mathfusion are one repo.
            kept = links.setdefault(link.key, link)
            if record.github_stars is not None and link.host == "github":
                stars[kept.url] = min(record.github_stars, MAX_INTEGER)
    for link in code_links(record.abstract, record.comments):
        links.setdefault(link.key, link)

    row = {
        "id": paper_id,
        "arxiv_id": arxiv_id,
        "version": version,
        "title": title,
        "title_key": title_key(title),
        "abstract": abstract,
        "authors": [clean_text(a) for a in record.authors if a.strip()],
        "categories": list(dict.fromkeys(record.categories)),
        "primary_category": record.primary_category,
        "published": record.published,
        "updated": record.updated,
        "doi": _clean_optional(record.doi),
        "journal_ref": _clean_optional(record.journal_ref),
        "comments": _clean_optional(record.comments),
        "license": _clean_optional(record.license),
        "submitter": _clean_optional(record.submitter),
        "project_page": _clean_optional(record.project_page),
        "links": [dict(link) for link in record.links],
        "source": record.source,
    }
    return NormalizedPaper(row=row, code=list(links.values()), stars=stars, listing=record.listing)


def _clean_optional(value: str | None) -> str | None:
    return clean_text(value) or None if value else None


_EARLIEST = datetime(1991, 1, 1, tzinfo=UTC)  # arXiv opened in August 1991
# How far ahead of now a date may be: time zones and announcement schedules, with room.
_AHEAD = timedelta(days=366)


def _check_dates(record: PaperRecord, now: datetime) -> None:
    latest = now + _AHEAD
    for name in ("published", "updated"):
        value = getattr(record, name)
        if value is not None and not (_EARLIEST <= value <= latest):
            raise RecordError(f"field {name!r}: impossible date {value.isoformat()}")
    if record.listing and not (_EARLIEST.date() <= record.listing.listing_date <= latest.date()):
        raise RecordError(
            f"field 'listing_date': impossible date {record.listing.listing_date.isoformat()}"
        )
