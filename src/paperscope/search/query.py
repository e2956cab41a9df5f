"""Query syntax: what a user types in the search box, parsed into parts (pure, never raises).

Supported: ``"exact phrase"``, ``-term`` / ``-"phrase"``, ``author:lecun`` / ``author:"Yann
LeCun"``, ``cat:cs.CL`` (or an archive, ``cat:cs``), ``year:2024`` (or ``year:2020-2023``),
``since:`` / ``until:`` with ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, and ``has:code``. A pasted
arXiv id, arXiv abs/pdf URL or huggingface.co/papers URL resolves to that paper. Anything that
does not parse is kept as plain text: bad syntax never turns into an error. Queries are capped at
``MAX_QUERY_CHARS``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from paperscope.ingest.ids import IdError, parse_arxiv_id

MAX_QUERY_CHARS = 250

# A token: an optional "-", an optional "field:", then a quoted string or a run of non-spaces.
_TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))')
_YEAR_RANGE = re.compile(r"^(\d{4})(?:-|\.\.)(\d{4})$")
_FIELDS = {"author", "cat", "category", "year", "since", "until", "has"}


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A search box query split into free text, operators and filters."""

    raw: str
    text: str = ""
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    has_code: bool = False
    arxiv_id: str | None = None
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def has_text(self) -> bool:
        """Whether there is anything to rank by (words or phrases), beyond filters."""
        return bool(self.terms or self.phrases)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def parse_query(raw: str) -> ParsedQuery:
    """Parse a search box query. Never raises; unparseable parts become plain text."""
    raw = raw or ""
    truncated = len(raw) > MAX_QUERY_CHARS
    query = raw[:MAX_QUERY_CHARS].strip()
    notes: list[str] = []
    if truncated:
        notes.append(f"query cut to {MAX_QUERY_CHARS} characters")

    arxiv_id = _as_arxiv_id(query)
    if query.count('"') % 2:
        # An unbalanced quote: read the query as if no quotes were typed.
        query = query.replace('"', " ")
        notes.append("unbalanced quote ignored")

    text_parts: list[str] = []
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    authors: list[str] = []
    categories: list[str] = []
    since: date | None = None
    until: date | None = None
    has_code = False

    for match in _TOKEN.finditer(query):
        negated = bool(match.group("neg"))
        field_name = (match.group("field") or "").lower()
        quoted = match.group("quoted")
        value = quoted if quoted is not None else match.group("bare") or ""
        value = value.strip()
        if match.group("field") and field_name not in _FIELDS:
            # "foo:bar" is not an operator: keep the whole token as words.
            value = f"{match.group('field')}:{value}"
            field_name = ""
        if not value:
            continue
        if field_name and not negated:
            handled = True
            if field_name == "author":
                authors.append(value)
            elif field_name in ("cat", "category"):
                categories.append(value.lower())
            elif field_name == "year":
                span = _year_span(value)
                if span:
                    since, until = _tighter(since, span[0], max), _tighter(until, span[1], min)
                else:
                    handled = False
            elif field_name in ("since", "until"):
                day = _parse_day(value, end=field_name == "until")
                if day and field_name == "since":
                    since = _tighter(since, day, max)
                elif day:
                    until = _tighter(until, day, min)
                else:
                    handled = False
            elif field_name == "has":
                handled = value.lower() == "code"
                has_code = has_code or handled
            if handled:
                continue
            notes.append(f"{field_name}:{value} not understood, searched as text")
            value = f"{field_name} {value}"
            quoted = None
        if negated:
            excluded.append(value)
            continue
        if quoted is not None and " " in value.strip():
            phrases.append(value)
        else:
            terms.append(value)
        text_parts.append(value)

    return ParsedQuery(
        raw=raw[:MAX_QUERY_CHARS],
        text=" ".join(text_parts),
        terms=tuple(terms),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        authors=tuple(authors),
        categories=tuple(categories),
        since=since,
        until=until,
        has_code=has_code,
        arxiv_id=arxiv_id,
        truncated=truncated,
        notes=tuple(notes),
    )


def _as_arxiv_id(query: str) -> str | None:
    if not query or " " in query:
        return None
    try:
        return parse_arxiv_id(query)[0]
    except IdError:
        return None


def _year_span(value: str) -> tuple[date, date] | None:
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return _safe_date(year, 1, 1), _safe_date(year, 12, 31)
    match = _YEAR_RANGE.match(value)
    if match:
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        return _safe_date(first, 1, 1), _safe_date(last, 12, 31)
    return None


def _parse_day(value: str, *, end: bool) -> date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``end`` picks the last day of a year or month."""
    parts = value.split("-")
    if not all(p.isdigit() for p in parts) or len(parts[0]) != 4 or len(parts) > 3:
        return None
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return date(year, 12, 31) if end else date(year, 1, 1)
        month = int(parts[1])
        if len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        return date(year, month, int(parts[2]))
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> date:
    return date(max(1, min(year, 9999)), month, day)


def _tighter(current: date | None, new: date, pick: Any) -> date:
    return new if current is None else pick(current, new)
