"""Dates a record may carry: from arXiv's opening to a year after now, on any day of the year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factories import listed, record
from paperscope.ingest.normalize import RecordError, normalize

LEAP_DAY = datetime(2028, 2, 29, 12, tzinfo=UTC)


def test_dates_are_checked_on_the_29th_of_february():
    paper = normalize(record(published=LEAP_DAY, listing=listed("2028-02-29")), now=LEAP_DAY)
    assert paper.row["published"] == LEAP_DAY
    soon = normalize(record(updated=LEAP_DAY + timedelta(days=300)), now=LEAP_DAY)
    assert soon.row["updated"] == LEAP_DAY + timedelta(days=300)


def test_a_date_far_in_the_future_or_before_arxiv_is_refused_by_name():
    with pytest.raises(RecordError, match="field 'published': impossible date 2029-04"):
        normalize(record(published=LEAP_DAY + timedelta(days=400)), now=LEAP_DAY)
    with pytest.raises(RecordError, match="field 'updated'"):
        normalize(record(updated=datetime(1990, 12, 31, tzinfo=UTC)), now=LEAP_DAY)
    with pytest.raises(RecordError, match="field 'listing_date'"):
        normalize(record(listing=listed("2030-01-01")), now=LEAP_DAY)
