"""HTML pages (each with a ``.json`` twin): feeds, trending, search, paper pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from paperscope import feeds
from paperscope.web.render import render

router = APIRouter(include_in_schema=False)

PER_PAGE = 100
PageNumber = Query(1, ge=1, le=10_000, alias="p", description="Page number, from 1.")


def _feed_twin(feed: feeds.Feed) -> dict[str, Any]:
    period = feed.period
    return {
        "period": {
            "kind": period.kind,
            "key": period.key,
            "start": period.start,
            "end": period.end,
            "label": period.label,
        },
        "total": feed.total,
        "page": feed.page,
        "pages": feed.pages,
        "previous": feed.previous,
        "next": feed.next,
        "latest_day": feed.latest_day,
        "papers": feed.cards,
    }


def _feed_page(
    request: Request, period: feeds.Period, page: int, *, home: bool = False
) -> Response:
    store = request.app.state.store
    feed = feeds.feed(store, period, page=page, per_page=PER_PAGE)
    anchor = period.start if period.kind == "day" else (feed.latest_day or period.start)
    anchor = min(max(anchor, period.start), period.end)
    context = {
        "feed": feed,
        "nav": "daily",
        "is_home": home,
        "day_key": anchor.isoformat(),
        "week_key": feeds.week_period(anchor).key,
        "month_key": feeds.month_period(anchor).key,
        "json_url": "/index.json" if home else f"{period.path}.json",
    }
    return render(request, "feed.html", context, _feed_twin(feed))


@router.get("/")
def home(request: Request, page: int = PageNumber) -> Response:
    """The latest daily list."""
    day = feeds.latest_day(request.app.state.store) or date.today()
    return _feed_page(request, feeds.day_period(day), page, home=True)


@router.get("/papers/date/{day}")
def daily(request: Request, day: str, page: int = PageNumber) -> Response:
    """The papers listed on one day."""
    return _feed_page(request, feeds.parse_period("day", day), page)


@router.get("/papers/week/{week}")
def weekly(request: Request, week: str, page: int = PageNumber) -> Response:
    """The papers listed in one ISO week (``2024-W22``)."""
    return _feed_page(request, feeds.parse_period("week", week), page)


@router.get("/papers/month/{month}")
def monthly(request: Request, month: str, page: int = PageNumber) -> Response:
    """The papers listed in one month (``2024-05``)."""
    return _feed_page(request, feeds.parse_period("month", month), page)


@router.get("/papers/jump")
def jump(date: str = Query(..., max_length=32)) -> RedirectResponse:
    """The date-jump form's target: redirect to that day's list."""
    period = feeds.parse_period("day", date)
    return RedirectResponse(period.path, status_code=303)
