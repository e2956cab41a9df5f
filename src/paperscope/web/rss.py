"""Atom feeds (feedgen) for the daily list, trending and any search."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from datetime import UTC, datetime, time

from fastapi import APIRouter, Depends, Query, Request, Response
from feedgen.feed import FeedGenerator

from paperscope import feeds
from paperscope.paper_page import load_papers
from paperscope.web.errors import BadParameter
from paperscope.web.pages import listing_days, trending_list
from paperscope.web.search_params import SearchParams, search_params
from paperscope.web.services import search_service

router = APIRouter(prefix="/rss", tags=["rss"])
# Characters XML 1.0 cannot carry (controls other than tab/newline/CR, lone surrogates, FFFE/F).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document may not contain."""
    return NOT_XML.sub("", text)


ATOM = "application/atom+xml; charset=utf-8"


def _atom(
    request: Request,
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    entries: Iterable[tuple[str, str, list[str], str, datetime]],
) -> Response:
    """An Atom document; entries are (paper id, title, authors, summary, updated)."""
    base = request.app.state.settings.base_url.rstrip("/")
    generator = FeedGenerator()
    feed_id = xml_text(feed_id)
    generator.id(f"{base}{feed_id}")
    generator.title(xml_text(title))
    generator.subtitle(xml_text(subtitle) or title)
    generator.link(href=f"{base}{feed_id}", rel="self")
    generator.link(href=f"{base}/", rel="alternate")
    generator.language("en")
    latest = datetime(1970, 1, 1, tzinfo=UTC)
    for paper_id, paper_title, authors, summary, updated in entries:
        entry = generator.add_entry(order="append")
        entry.id(f"{base}/papers/{paper_id}")
        entry.title(xml_text(paper_title))
        entry.link(href=f"{base}/papers/{paper_id}", rel="alternate")
        for name in authors[:20] or ["unknown"]:
            entry.author(name=xml_text(name) or "unknown")
        entry.summary(xml_text(summary))
        entry.updated(updated)
        latest = max(latest, updated)
    generator.updated(latest)
    return Response(generator.atom_str(pretty=False), media_type=ATOM)


def _listed(day: datetime | None) -> datetime:
    return day or datetime(1970, 1, 1, tzinfo=UTC)


def _card_entries(cards: Iterable[feeds.Card]) -> list[tuple[str, str, list[str], str, datetime]]:
    return [
        (
            card.paper_id,
            card.title,
            card.authors,
            card.summary,
            datetime.combine(card.listing_date, time(), tzinfo=UTC),
        )
        for card in cards
    ]


@router.get("/daily")
def daily(
    request: Request, date: str | None = Query(None, max_length=10, description="YYYY-MM-DD")
) -> Response:
    """The daily list (the latest day, or ``date``), by upvotes."""
    store = request.app.state.store
    day: dt.date | None
    if date:
        day = feeds.parse_period("day", date).start
    else:
        days = listing_days(request)
        day = days[-1] if days else None
    if day is None:
        cards: list[feeds.Card] = []
        label = "no papers yet"
    else:
        period = feeds.day_period(day)
        cards = feeds.feed(store, period, per_page=100, days=listing_days(request)).cards
        label = period.label
    site = request.app.state.settings.site_name
    return _atom(
        request,
        feed_id="/rss/daily" + (f"?date={day}" if date else ""),
        title=f"{site}: daily papers",
        subtitle=f"Papers listed on {label}",
        entries=_card_entries(cards),
    )


@router.get("/trending")
def trending(request: Request) -> Response:
    """Papers trending now."""
    listing = trending_list(request, 1, 50)
    site = request.app.state.settings.site_name
    return _atom(
        request,
        feed_id="/rss/trending",
        title=f"{site}: trending papers",
        subtitle=f"Trending as of {listing.now:%Y-%m-%d %H:%M} UTC",
        entries=_card_entries(entry.card for entry in listing.entries),
    )


@router.get("/search")
def search(request: Request, params: SearchParams = Depends(search_params)) -> Response:
    """The best matches of a search (the search page's parameters), as a feed to follow."""
    if params.blank:
        raise BadParameter("nothing to search for: give q, or a filter (since, until, ...)")
    results = search_service(request.app).search(
        params.q, mode=params.mode, filters=params.search_filters(), limit=50
    )
    entries = []
    store = request.app.state.store
    for view in load_papers(store, [hit.paper_id for hit in results.hits]):
        when = view.listings[-1].listing_date if view.listings else None
        updated = datetime.combine(when, time(), tzinfo=UTC) if when else _listed(view.updated)
        entries.append((view.paper_id, view.title, view.authors, view.abstract, updated))
    site = request.app.state.settings.site_name
    label = params.label()
    return _atom(
        request,
        feed_id=f"/rss/search?{params.query_string()}",
        title=f"{site}: search {label}",
        subtitle=f"Papers matching {label}",
        entries=entries,
    )
