"""Daily, weekly and monthly lists: periods, cards and navigation (pure) over store reads.

A period is a day (``2024-05-27``), an ISO week (``2024-W22``) or a month (``2024-05``). A list
is the visible papers listed in it, ordered by upvotes (imported + this site's), then listing
order, as Hugging Face orders its daily papers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from paperscope.store import Store
from paperscope.store import feeds as queries
from paperscope.store.papers import as_date, as_utc

PeriodKind = Literal["day", "week", "month"]
ABSTRACT_HEAD_CHARS = 280
AUTHORS_SHOWN = 3
# Periods outside these years are refused (and the date arithmetic stays in range).
FIRST_YEAR, LAST_YEAR = 1900, 2999


class PeriodError(ValueError):
    """A period that cannot be parsed (the message says which form is expected)."""


@dataclass(frozen=True, slots=True)
class Period:
    """A day, ISO week or month: its kind, canonical key and inclusive date range."""

    kind: PeriodKind
    key: str
    start: date
    end: date

    @property
    def kind_path(self) -> str:
        """URL segment of this kind: ``date``, ``week`` or ``month``."""
        return "date" if self.kind == "day" else self.kind

    @property
    def path(self) -> str:
        return f"/papers/{self.kind_path}/{self.key}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.strftime("%A, %B %-d, %Y")
        if self.kind == "week":
            iso = self.start.isocalendar()
            return f"Week {iso.week}, {iso.year} ({self.start:%b %-d} – {self.end:%b %-d})"
        return self.start.strftime("%B %Y")


def day_period(day: date) -> Period:
    return Period("day", day.isoformat(), day, day)


def week_period(day: date) -> Period:
    year, week, weekday = day.isocalendar()
    start = day - timedelta(days=weekday - 1)
    return Period("week", f"{year}-W{week:02d}", start, start + timedelta(days=6))


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start.strftime("%Y-%m"), start, following - timedelta(days=1))


def parse_period(kind: PeriodKind, text: str) -> Period:
    """Parse ``YYYY-MM-DD``, ``YYYY-Www`` or ``YYYY-MM``; raise PeriodError with the form."""
    text = text.strip()
    try:
        if not text[:4].isdigit() or not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
            raise ValueError
        if kind == "day":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return day_period(date.fromisoformat(text))
        if kind == "week":
            match = re.fullmatch(r"(\d{4})-W(\d{2})", text)
            if not match:
                raise ValueError
            return week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match:
            raise ValueError
        return month_period(date(int(match[1]), int(match[2]), 1))
    except ValueError:
        form = {"day": "YYYY-MM-DD", "week": "YYYY-Www (ISO week)", "month": "YYYY-MM"}[kind]
        raise PeriodError(
            f"{text!r} is not a valid {kind}: expected {form}, years {FIRST_YEAR}-{LAST_YEAR}"
        ) from None


def period_of(kind: PeriodKind, day: date) -> Period:
    return {"day": day_period, "week": week_period, "month": month_period}[kind](day)


@dataclass(slots=True)
class CodeRepo:
    url: str
    host: str
    stars: int | None
    name: str


@dataclass(slots=True)
class Card:
    """One paper on a list, with what a card shows."""

    paper_id: str
    title: str
    authors: list[str]
    authors_short: str
    abstract_head: str
    submitted_by: str | None
    upvotes: int
    imported_upvotes: int
    local_votes: int
    num_comments: int
    listing_date: date
    position: int
    published: datetime | None
    categories: list[str]
    organization: str | None
    project_page: str | None
    code: CodeRepo | None
    arxiv_url: str | None
    pdf_url: str | None
    summary: str = field(repr=False, default="")
    thumbnail: str | None = None


@dataclass(slots=True)
class Feed:
    """A period's list (one page of it) with navigation to neighbouring periods that have papers."""

    period: Period
    cards: list[Card]
    total: int
    page: int
    per_page: int
    previous: str | None
    next: str | None
    latest_day: date | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def shorten_authors(authors: list[str], shown: int = AUTHORS_SHOWN) -> str:
    """``A, B, C + 4 more`` (pure)."""
    if len(authors) <= shown + 1:
        return ", ".join(authors)
    return f"{', '.join(authors[:shown])} + {len(authors) - shown} more"


def abstract_head(abstract: str, limit: int = ABSTRACT_HEAD_CHARS) -> str:
    """The abstract's first ``limit`` characters, cut at a word, with an ellipsis (pure)."""
    text = " ".join(abstract.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def repo_name(url: str) -> str:
    """``owner/name`` of a code URL (its last two path parts)."""
    parts = [p for p in url.split("://", 1)[-1].split("/")[1:] if p]
    return "/".join(parts[:2]) or url


def arxiv_links(arxiv_id: str | None) -> tuple[str | None, str | None]:
    if not arxiv_id:
        return None, None
    return f"https://arxiv.org/abs/{arxiv_id}", f"https://arxiv.org/pdf/{arxiv_id}"


def make_card(row: dict[str, Any], repos: list[dict[str, Any]]) -> Card:
    """A card from a ``listed_papers`` row and the paper's code repos (pure)."""
    code = None
    if repos:
        first = repos[0]
        code = CodeRepo(first["url"], first["host"], first["stars"], repo_name(first["url"]))
    abs_url, pdf_url = arxiv_links(row["arxiv_id"])
    local_votes = int(row.get("local_votes") or 0)
    imported = int(row.get("imported_upvotes") or 0)
    published = row.get("published")
    return Card(
        paper_id=row["id"],
        title=row["title"],
        authors=list(row["authors"] or []),
        authors_short=shorten_authors(list(row["authors"] or [])),
        abstract_head=abstract_head(row["abstract"] or ""),
        submitted_by=row.get("submitted_by"),
        upvotes=imported + local_votes,
        imported_upvotes=imported,
        local_votes=local_votes,
        num_comments=int(row.get("imported_comments") or 0) + int(row.get("local_comments") or 0),
        listing_date=as_date(row["listing_date"]),
        position=int(row.get("position") or 0),
        published=as_utc(published) if published else None,
        categories=list(row.get("categories") or []),
        organization=row.get("organization"),
        project_page=row.get("project_page"),
        code=code,
        arxiv_url=abs_url,
        pdf_url=pdf_url,
        summary=row["abstract"] or "",
        thumbnail=row.get("thumbnail"),
    )


def neighbours(days: list[date], period: Period) -> tuple[str | None, str | None]:
    """Keys of the nearest earlier and later periods of the same kind that have listings (pure)."""
    before = bisect.bisect_left(days, period.start)
    after = bisect.bisect_right(days, period.end)
    previous = period_of(period.kind, days[before - 1]).key if before > 0 else None
    following = period_of(period.kind, days[after]).key if after < len(days) else None
    return previous, following


def listing_days(store: Store) -> list[date]:
    """Every day that has a listing, oldest first."""
    with store.read() as conn:
        return queries.listing_days(conn)


def latest_day(store: Store) -> date | None:
    """The newest day with a listing (the home page shows it)."""
    days = listing_days(store)
    return days[-1] if days else None


def listed_cards(
    store: Store,
    *,
    start: date,
    end: date,
    submitter: str | None = None,
    sort: queries.FeedSort = "upvotes",
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Card], int]:
    """Cards of the papers listed between ``start`` and ``end``, one page, and the total."""
    with store.read() as conn:
        rows, total = queries.listed_papers(
            conn, start=start, end=end, submitter=submitter, sort=sort, limit=limit, offset=offset
        )
        repos = queries.code_for(conn, (row["id"] for row in rows))
    return [make_card(row, repos.get(row["id"], [])) for row in rows], total


def feed(
    store: Store,
    period: Period,
    *,
    page: int = 1,
    per_page: int = 100,
    days: list[date] | None = None,
) -> Feed:
    """One page of a period's list, with previous/next periods that have listings.

    ``days`` are the listing days when the caller already has them (``listing_days``).
    """
    if days is None:
        days = listing_days(store)
    cards, total = listed_cards(
        store, start=period.start, end=period.end, limit=per_page, offset=(page - 1) * per_page
    )
    previous, following = neighbours(days, period)
    return Feed(
        period=period,
        cards=cards,
        total=total,
        page=page,
        per_page=per_page,
        previous=previous,
        next=following,
        latest_day=days[-1] if days else None,
    )
