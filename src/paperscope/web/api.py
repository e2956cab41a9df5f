"""The JSON API, compatible with Hugging Face's daily papers API (OpenAPI at /docs)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import TypeAdapter

from paperscope import feeds
from paperscope.paper_page import load_paper, load_papers
from paperscope.trending import trending_papers
from paperscope.web.api_models import (
    DailyPaperPublic,
    PaperDetailPublic,
    SearchItemPublic,
    TrendingItemPublic,
    daily_item,
    paper_detail,
    paper_from_view,
    trending_item,
)
from paperscope.web.errors import BadParameter
from paperscope.web.pages import trending_list
from paperscope.web.search_params import SearchParams
from paperscope.web.services import feed_cache, search_service

router = APIRouter(prefix="/api", tags=["api"])


def _period(date_: str | None, week: str | None, month: str | None) -> feeds.Period | None:
    given = [(kind, value) for kind, value in (("day", date_), ("week", week), ("month", month))]
    chosen = [(kind, value) for kind, value in given if value]
    if len(chosen) > 1:
        raise BadParameter("give at most one of date, week and month")
    if not chosen:
        return None
    kind, value = chosen[0]
    return feeds.parse_period(kind, value)  # type: ignore[arg-type]


def _next_link(request: Request, response: Response, page: int, has_more: bool) -> None:
    if has_more:
        url = request.url.include_query_params(p=page + 1)
        response.headers["Link"] = f'<{url}>; rel="next"'


@router.get(
    "/daily_papers", response_model=list[DailyPaperPublic], response_model_exclude_none=True
)
def daily_papers(
    request: Request,
    p: int = Query(0, ge=0, le=10_000, description="Page, from 0."),
    limit: int = Query(50, ge=1, le=100, description="Items per page (1-100)."),
    date: str | None = Query(None, max_length=10, description="Listing day, YYYY-MM-DD."),
    week: str | None = Query(None, max_length=8, description="ISO week, YYYY-Www."),
    month: str | None = Query(None, max_length=7, description="Month, YYYY-MM."),
    submitter: str | None = Query(None, max_length=100, description="Who submitted it."),
    sort: Literal["publishedAt", "trending"] | None = Query(
        None, description="publishedAt: newest listing first; trending: by trending score."
    ),
) -> Response:
    """Daily papers, as HF's ``/api/daily_papers``: by upvotes within a period, else newest."""
    period = _period(date, week, month)
    key = ("api-daily-body", period, submitter, sort, limit, p)
    body, total = feed_cache(request.app).get(
        key, lambda: _daily_body(request, period, submitter, sort, limit, p)
    )
    response = Response(body, media_type="application/json")
    _next_link(request, response, p, (p + 1) * limit < total)
    response.headers["X-Total-Count"] = str(total)
    return response


_DAILY_LIST = TypeAdapter(list[DailyPaperPublic])


def _daily_body(
    request: Request,
    period: feeds.Period | None,
    submitter: str | None,
    sort: str | None,
    limit: int,
    p: int,
) -> tuple[bytes, int]:
    """The encoded answer of one daily_papers call and the total it pages through."""
    if sort == "trending":
        settings = request.app.state.settings
        listing = trending_papers(
            request.app.state.store,
            configured_now=settings.trending_now,
            window_days=settings.trending_window_days,
            period=period,
            submitter=submitter,
            page=p + 1,
            per_page=limit,
        )
        cards, total = [entry.card for entry in listing.entries], listing.total
    else:
        order: Literal["upvotes", "listed"] = (
            "listed" if sort == "publishedAt" or period is None else "upvotes"
        )
        start = period.start if period else _EARLIEST
        end = period.end if period else _LATEST
        cards, total = feeds.listed_cards(
            request.app.state.store,
            start=start,
            end=end,
            submitter=submitter,
            sort=order,
            limit=limit,
            offset=p * limit,
        )
    items = [daily_item(card) for card in cards]
    # Encoded once here (the route returns bytes, so FastAPI does not re-validate them).
    return _DAILY_LIST.dump_json(items, by_alias=True, exclude_none=True), total


_EARLIEST = date(1900, 1, 1)
_LATEST = date(9999, 12, 31)


@router.get(
    "/papers/search", response_model=list[SearchItemPublic], response_model_exclude_none=True
)
def search_papers(
    request: Request,
    q: str = Query(..., min_length=1, max_length=250, description="Search query."),
    limit: int = Query(50, ge=1, le=120, description="Items (1-120)."),
    mode: Literal["hybrid", "keyword", "semantic"] = Query("hybrid"),
) -> list[SearchItemPublic]:
    """Search papers (hybrid keyword + semantic), in HF's ``[{paper, numComments}]`` shape."""
    if SearchParams(q=q).blank:  # spaces only: nothing to search for, as on the search page
        return []
    service = search_service(request.app)
    scored: dict[str, float] = {}
    offset = 0
    # The search stage pages by at most 100; HF allows 120 per call.
    while len(scored) < limit:
        asked = min(100, limit - len(scored))
        found = service.search(q, mode=mode, limit=asked, offset=offset)
        for hit in found.hits:
            scored.setdefault(hit.paper_id, hit.score)
        offset += len(found.hits)
        # A named paper (a pasted arXiv id) is the whole answer, whatever the offset; a short
        # page is the last one.
        if found.redirect_paper_id or len(found.hits) < asked:
            break
    return _items(request, list(scored.items())[:limit])


def _items(request: Request, scored: list[tuple[str, float]]) -> list[SearchItemPublic]:
    scores = dict(scored)
    views = load_papers(request.app.state.store, [paper_id for paper_id, _score in scored])
    return [
        SearchItemPublic(
            paper=paper_from_view(view), numComments=view.num_comments, score=scores[view.paper_id]
        )
        for view in views
    ]


@router.get("/trending", response_model=list[TrendingItemPublic], response_model_exclude_none=True)
def trending(
    request: Request,
    response: Response,
    p: int = Query(0, ge=0, le=10_000, description="Page, from 0."),
    limit: int = Query(50, ge=1, le=100, description="Items per page (1-100)."),
) -> list[TrendingItemPublic]:
    """Trending papers with each score's parts (formula: /trending/formula)."""
    listing = trending_list(request, p + 1, limit)
    _next_link(request, response, p, (p + 1) * limit < listing.total)
    response.headers["X-Trending-Now"] = listing.now.isoformat()
    return [trending_item(entry.card, entry.score) for entry in listing.entries]


@router.get(
    "/papers/{paper_id:path}/similar",
    response_model=list[SearchItemPublic],
    response_model_exclude_none=True,
)
def similar(
    request: Request, paper_id: str, limit: int = Query(10, ge=1, le=50)
) -> list[SearchItemPublic]:
    """Papers nearest to this one by meaning (embeddings)."""
    view = load_paper(request.app.state.store, paper_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no paper {paper_id!r}")
    hits = search_service(request.app).similar(view.paper_id, limit=limit)
    return _items(request, [(hit.paper_id, hit.score) for hit in hits])


@router.get(
    "/papers/{paper_id:path}",
    response_model=PaperDetailPublic,
    response_model_exclude_none=True,
)
def paper(request: Request, paper_id: str) -> PaperDetailPublic:
    """One paper, flat, as HF's ``/api/papers/{id}``; 404 when unknown."""
    view = load_paper(request.app.state.store, paper_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no paper {paper_id!r}")
    return paper_detail(view)
