"""HTML pages, each with a JSON twin (``/path.json`` or ``?format=json``; see render.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from paperscope import feeds
from paperscope.paper_page import PaperView, load_paper
from paperscope.rank import TrendingWeights
from paperscope.trending import TrendingList, trending_papers
from paperscope.web.render import render, wants_json
from paperscope.web.search_params import SearchParams, search_params
from paperscope.web.services import feed_cache, search_service

router = APIRouter(include_in_schema=False)

PER_PAGE = 100
SEARCH_PER_PAGE = 20
SIMILAR_COUNT = 6
PageNumber = Query(1, ge=1, le=10_000, alias="p", description="Page number, from 1.")


def feed_twin(feed: feeds.Feed) -> dict[str, Any]:
    """The JSON twin of a feed page."""
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


async def _feed_page(
    request: Request, period: feeds.Period, page: int, *, home: bool = False
) -> Response:
    store = request.app.state.store
    days = await listing_days_async(request)
    feed = await feed_cache(request.app).aget(
        ("feed", period.key, page),
        lambda: feeds.feed(store, period, page=page, per_page=PER_PAGE, days=days),
    )
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
    return render(request, "feed.html", context, feed_twin(feed))


def listing_days(request: Request) -> list[date]:
    """Every day with a listing (cached briefly: every feed page needs it)."""
    store = request.app.state.store
    days: list[date] = feed_cache(request.app).get(("days",), lambda: feeds.listing_days(store))
    return days


async def listing_days_async(request: Request) -> list[date]:
    store = request.app.state.store
    days: list[date] = await feed_cache(request.app).aget(
        ("days",), lambda: feeds.listing_days(store)
    )
    return days


# The feed routes are async: a cached list renders on the event loop without a thread
# hop; only a stale cache sends the store's (blocking) reads to the thread pool.


@router.get("/")
async def home(request: Request, page: int = PageNumber) -> Response:
    """The latest daily list."""
    days = await listing_days_async(request)
    day = days[-1] if days else date.today()
    return await _feed_page(request, feeds.day_period(day), page, home=True)


@router.get("/papers/date/{day}")
async def daily(request: Request, day: str, page: int = PageNumber) -> Response:
    """The papers listed on one day."""
    return await _feed_page(request, feeds.parse_period("day", day), page)


@router.get("/papers/week/{week}")
async def weekly(request: Request, week: str, page: int = PageNumber) -> Response:
    """The papers listed in one ISO week (``2024-W22``)."""
    return await _feed_page(request, feeds.parse_period("week", week), page)


@router.get("/papers/month/{month}")
async def monthly(request: Request, month: str, page: int = PageNumber) -> Response:
    """The papers listed in one month (``2024-05``)."""
    return await _feed_page(request, feeds.parse_period("month", month), page)


@router.get("/papers/jump")
def jump(date: str = Query(..., max_length=32)) -> RedirectResponse:
    """The date-jump form's target: redirect to that day's list."""
    return RedirectResponse(feeds.parse_period("day", date).path, status_code=303)


# -- trending ------------------------------------------------------------------------------


def trending_list(request: Request, page: int, per_page: int = 50) -> TrendingList:
    settings = request.app.state.settings
    store = request.app.state.store
    return feed_cache(request.app).get(
        ("trending", page, per_page),
        lambda: trending_papers(
            store,
            configured_now=settings.trending_now,
            window_days=settings.trending_window_days,
            page=page,
            per_page=per_page,
        ),
    )


def trending_twin(listing: TrendingList) -> dict[str, Any]:
    return {
        "now": listing.now,
        "window_days": listing.window_days,
        "formula": asdict(listing.weights),
        "total": listing.total,
        "page": listing.page,
        "pages": listing.pages,
        "papers": [{**asdict(e.card), "trending": asdict(e.score)} for e in listing.entries],
    }


@router.get("/trending")
def trending(request: Request, page: int = PageNumber) -> Response:
    """Papers trending now: upvotes and GitHub-star growth with time decay."""
    listing = trending_list(request, page)
    context = {"listing": listing, "nav": "trending", "json_url": "/trending.json"}
    return render(request, "trending.html", context, trending_twin(listing))


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The OpenAPI explorer (Swagger UI from local files)."""
    templates = request.app.state.templates
    context = {"request": request, "openapi_url": request.app.openapi_url}
    response: Response = templates.TemplateResponse(request, "api_docs.html", context)
    return response


@router.get("/trending/formula")
def trending_formula(request: Request) -> Response:
    """How the trending score is computed."""
    weights = TrendingWeights()
    settings = request.app.state.settings
    context = {"weights": weights, "nav": "trending", "window_days": settings.trending_window_days}
    return render(request, "trending_formula.html", context, asdict(weights))


# -- search --------------------------------------------------------------------------------


@router.get("/search")
def search(
    request: Request,
    params: SearchParams = Depends(search_params),
    page: int = Query(1, ge=1, le=50, alias="p"),
) -> Response:
    """Hybrid (keyword + semantic) search with filters, snippets and paging."""
    context: dict[str, Any] = {
        "nav": "search",
        "query": params.q,
        "mode": params.mode,
        "filters": params.filters,
        "search_query": params.query_string(),
        "results": None,
        "page": page,
        "per_page": SEARCH_PER_PAGE,
    }
    if params.blank:
        empty = {
            "hits": [],
            "total": 0,
            "mode": params.mode,
            "query": None,
            "redirect_paper_id": None,
        }
        return render(request, "search.html", context, empty)
    results = search_service(request.app).search(
        params.q,
        mode=params.mode,
        filters=params.search_filters(),
        limit=SEARCH_PER_PAGE,
        offset=(page - 1) * SEARCH_PER_PAGE,
    )
    if results.redirect_paper_id and not wants_json(request):
        return RedirectResponse(f"/papers/{results.redirect_paper_id}", status_code=303)
    context["results"] = results
    context["pages"] = max(1, min(50, -(-results.total // SEARCH_PER_PAGE)))
    return render(request, "search.html", context, results.as_dict())


# -- paper page ----------------------------------------------------------------------------


def similar_papers(request: Request, paper_id: str, limit: int) -> list[Any]:
    """Nearest papers by embedding; empty when the search stage cannot answer."""
    try:
        service = search_service(request.app)
        hits: list[Any] = service.similar(paper_id, limit=limit)
    except HTTPException:
        return []
    except Exception:  # similar papers are a garnish: never fail the page for them
        return []
    return hits


def require_paper(request: Request, paper_id: str) -> PaperView:
    store = request.app.state.store
    view: PaperView | None = feed_cache(request.app).get(
        ("paper", paper_id), lambda: load_paper(store, paper_id)
    )
    if view is None:
        raise HTTPException(status_code=404, detail=f"There is no paper {paper_id!r} here.")
    return view


@router.get("/papers/{paper_id:path}/bibtex")
def bibtex(request: Request, paper_id: str) -> PlainTextResponse:
    """The paper's BibTeX entry as text."""
    return PlainTextResponse(require_paper(request, paper_id).bibtex)


@router.get("/papers/{paper_id:path}")
async def paper(request: Request, paper_id: str) -> Response:
    """One paper: details, code, listings, upvotes, comments, similar papers, BibTeX."""
    store = request.app.state.store
    found: PaperView | None = await feed_cache(request.app).aget(
        ("paper", paper_id), lambda: load_paper(store, paper_id)
    )
    if found is None:
        raise HTTPException(status_code=404, detail=f"There is no paper {paper_id!r} here.")
    view = found
    if view.paper_id != paper_id and not wants_json(request):
        return RedirectResponse(f"/papers/{view.paper_id}", status_code=301)
    similar = await feed_cache(request.app).aget(
        ("similar", view.paper_id), lambda: similar_papers(request, view.paper_id, SIMILAR_COUNT)
    )
    context = {
        "paper": view,
        "similar": similar,
        "nav": "",
        "json_url": f"/papers/{view.paper_id}.json",
    }
    twin = {**asdict(view), "similar": [hit.as_dict() for hit in similar]}
    return render(request, "paper.html", context, twin)
