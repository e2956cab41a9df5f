"""Submit a paper to today's daily list by arXiv id or URL.

The paper's metadata comes from the arXiv API; it is ingested like any other record and then
listed today, submitted by the user. Refused, each with a message saying why: ids that are not
arXiv ids, papers arXiv does not know, papers already listed, papers older than
``submit_max_age_days``, and submissions past the user's daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from paperscope.community import Conflict, InvalidInput, NotFound, Unavailable, ratelimit
from paperscope.community.accounts import User
from paperscope.config import Settings
from paperscope.ingest import ingest_records
from paperscope.ingest.ids import NEW_STYLE, IdError, parse_arxiv_id
from paperscope.models import PaperRecord, PaperscopeError, Rejected
from paperscope.store import Store
from paperscope.store import community as queries


@dataclass(frozen=True, slots=True)
class Submission:
    """A paper now on the daily list of ``listing_date``."""

    paper_id: str
    title: str
    listing_date: date


def parse_submission(text: str) -> str:
    """The canonical arXiv id in what a user pasted (an id, ``arXiv:`` id or abs/pdf URL)."""
    value = text.strip()
    if not value:
        raise InvalidInput("Paste an arXiv id (like 2405.15738) or an arxiv.org link.")
    if len(value) > 300:
        raise InvalidInput("That is too long to be an arXiv id or link.")
    try:
        arxiv_id, _version = parse_arxiv_id(value)
    except IdError:
        raise InvalidInput(
            "That is not an arXiv id: use the form 2405.15738 or an arxiv.org/abs/ link."
        ) from None
    if not NEW_STYLE.match(arxiv_id):  # the daily list takes recent papers only
        raise InvalidInput(f"{arxiv_id} is an old-style arXiv id; only recent papers are listed.")
    return arxiv_id


def submit_paper(
    store: Store,
    settings: Settings,
    *,
    user: User,
    text: str,
) -> Submission:
    """List the paper named by ``text`` today, submitted by ``user``."""
    arxiv_id = parse_submission(text)
    day = datetime.now(UTC).date()
    ratelimit.check(
        store, bucket="submit", subject=f"user:{user.id}", rate=settings.rate_limit_submit
    )
    with store.read() as conn:
        _check_can_list(conn, user, arxiv_id, day, settings)

    record = _fetch(settings, arxiv_id)
    if record is None:
        raise NotFound(f"arXiv has no paper {arxiv_id}; check the id.")
    _check_age(record, arxiv_id, day, settings)

    rejected: list[Rejected] = []
    ingest_records(store, [record], rejects=rejected.append)
    if rejected:
        raise InvalidInput(f"arXiv's record of {arxiv_id} is unusable: {rejected[0].reason}")
    try:
        with store.write() as conn:
            _check_can_list(conn, user, arxiv_id, day, settings)
            queries.insert_submission(conn, paper_id=arxiv_id, day=day, handle=user.handle)
    except sa.exc.IntegrityError as error:  # someone listed it a moment ago
        raise Conflict(f"{arxiv_id} is already on today's list.") from error
    return Submission(paper_id=arxiv_id, title=record.title, listing_date=day)


def _check_can_list(
    conn: sa.Connection, user: User, arxiv_id: str, day: date, settings: Settings
) -> None:
    listed = queries.listing_dates(conn, arxiv_id)
    if listed:
        raise Conflict(f"{arxiv_id} is already listed (on {listed[0].isoformat()}).")
    if queries.paper_visibility(conn, arxiv_id) is False:
        raise Conflict(f"{arxiv_id} was hidden by an admin and cannot be listed.")
    done = queries.submissions_on(conn, user.handle, day)
    if done >= settings.submit_daily_cap:
        raise Conflict(
            f"You have submitted {done} papers today, the daily limit; submit more tomorrow."
        )


def _fetch(settings: Settings, arxiv_id: str) -> PaperRecord | None:
    from paperscope.sources.arxiv_api import fetch_arxiv_paper

    try:
        return fetch_arxiv_paper(settings, arxiv_id)
    except PaperscopeError as error:
        raise Unavailable(
            f"Could not reach arXiv to look up {arxiv_id}; try again later."
        ) from error


def _check_age(record: PaperRecord, arxiv_id: str, day: date, settings: Settings) -> None:
    published = record.published
    if published is None:
        return
    oldest = day - timedelta(days=settings.submit_max_age_days)
    if published.date() < oldest:
        raise Conflict(
            f"{arxiv_id} was published on {published.date().isoformat()}; only papers from the "
            f"last {settings.submit_max_age_days} days can be submitted."
        )
