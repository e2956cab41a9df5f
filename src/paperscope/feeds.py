"""Daily, weekly and monthly lists: periods, cards and navigation (pure) over store reads.

A period is a day (``2024-05-27``), an ISO week (``2024-W22``) or a month (``2024-05``). A list
is the visible papers listed in it, ordered by upvotes (imported + this site's), then listing
order, as Hugging Face orders its daily papers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from paperscope import rank
from paperscope.store import Store
from paperscope.store import feeds as queries
from paperscope.store import stars as star_queries
from paperscope.store.papers import as_date, as_utc

PeriodKind = Literal["day", "week", "month"]
ABSTRACT_HEAD_CHARS = 280
AUTHORS_SHOWN = 3


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
        raise PeriodError(f"{text!r} is not a valid {kind}: expected {form}") from None


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


# -- trending ------------------------------------------------------------------------------


@dataclass(slots=True)
class TrendingEntry:
    """A trending paper: its card and its score with the parts."""

    card: Card
    score: rank.TrendingScore


@dataclass(slots=True)
class TrendingList:
    """One page of the trending list, with the moment and window it was computed for."""

    now: datetime
    window_days: int
    entries: list[TrendingEntry]
    total: int
    page: int
    per_page: int
    weights: rank.TrendingWeights

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def trending_moment(
    configured: str | None, newest_day: date | None, *, window_days: int, wall_clock: datetime
) -> datetime:
    """The "now" trending is computed for (pure).

    A configured ISO date means the end of that day, a datetime that moment. Otherwise the
    wall clock, unless the newest listing is older than the window (a stale corpus such as
    the demo, whose data ends 2026-08-21): then the end of the newest listing day.
    """
    if configured:
        text = configured.strip()
        if len(text) == 10:
            return _day_start(date.fromisoformat(text)) + timedelta(days=1)
        return as_utc(datetime.fromisoformat(text))
    if newest_day is None:
        return wall_clock
    newest_end = _day_start(newest_day) + timedelta(days=1)
    if wall_clock - newest_end > timedelta(days=window_days):
        return newest_end
    return wall_clock


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def trending_inputs(
    rows: list[dict[str, Any]],
    repos: dict[str, list[dict[str, Any]]],
    history: dict[str, list[tuple[datetime, int]]],
    *,
    now: datetime,
    window: timedelta,
) -> tuple[list[rank.TrendingInput], dict[str, dict[str, Any]]]:
    """The formula's input per paper from listed rows, code repos and star snapshots (pure).

    A paper listed on several days counts from its first listing and its highest imported
    upvote count. A repo's imported star count, when it has no snapshot yet, is its first
    snapshot, taken when the paper was listed.
    """
    papers: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = papers.get(row["id"])
        if kept is None:
            papers[row["id"]] = dict(row)
            continue
        kept["imported_upvotes"] = max(kept["imported_upvotes"], row["imported_upvotes"])
        if as_date(row["listing_date"]) < as_date(kept["listing_date"]):
            kept["listing_date"] = row["listing_date"]
    inputs = []
    for paper_id, row in papers.items():
        listed_at = _day_start(as_date(row["listing_date"]))
        growth = 0
        github = [r for r in repos.get(paper_id, []) if r["host"] == "github"]
        if github:
            snapshots = history.get(github[0]["url"]) or (
                [(listed_at, int(github[0]["stars"]))] if github[0]["stars"] is not None else []
            )
            growth = rank.star_growth(snapshots, now=now, window=window, listed_at=listed_at)
        inputs.append(
            rank.TrendingInput(
                paper_id=paper_id,
                listed_at=listed_at,
                imported_upvotes=int(row["imported_upvotes"] or 0),
                local_votes=int(row["local_votes"] or 0),
                star_growth=growth,
            )
        )
    return inputs, papers


def trending(
    store: Store,
    *,
    configured_now: str | None = None,
    window_days: int = 7,
    period: Period | None = None,
    page: int = 1,
    per_page: int = 50,
    weights: rank.TrendingWeights = rank.TrendingWeights(),
) -> TrendingList:
    """One page of the papers trending now (see docs/trending.md).

    With a ``period``, the papers listed in it, scored as at the end of it.
    """
    with store.read() as conn:
        if period is not None:
            now = _day_start(period.end) + timedelta(days=1)
            window = now - _day_start(period.start)
        else:
            days = queries.listing_days(conn)
            now = trending_moment(
                configured_now,
                days[-1] if days else None,
                window_days=window_days,
                wall_clock=datetime.now(UTC),
            )
            window = timedelta(days=window_days)
        rows, _total = queries.listed_papers(
            conn, start=(now - window).date(), end=(now - timedelta(microseconds=1)).date()
        )
        repos = queries.code_for(conn, (row["id"] for row in rows))
        urls = [r["url"] for found in repos.values() for r in found if r["host"] == "github"]
        history = star_queries.star_history(conn, urls)
    inputs, papers = trending_inputs(rows, repos, history, now=now, window=window)
    scores = rank.rank_trending(inputs, now, weights)
    start = (page - 1) * per_page
    entries = [
        TrendingEntry(make_card(papers[s.paper_id], repos.get(s.paper_id, [])), s)
        for s in scores[start : start + per_page]
    ]
    return TrendingList(now, window.days, entries, len(scores), page, per_page, weights)
