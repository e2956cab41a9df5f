"""File sources: the Kaggle snapshot, generic JSON Lines and the HF daily archive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from paperscope.models import PaperRecord, Rejected
from paperscope.sources import registry
from paperscope.sources.hf_daily import HFDailyFile
from paperscope.sources.jsonl import JsonLinesFile
from paperscope.sources.kaggle import KaggleSnapshot
from support import SHARED_DATA

KAGGLE_SAMPLE = SHARED_DATA / "arxiv_kaggle_sample" / "arxiv-metadata-oai-snapshot.first200.jsonl"


def split(items):
    records = [i for i in items if isinstance(i, PaperRecord)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    return records, rejected


def test_the_real_kaggle_sample_parses_completely():
    records, rejected = split(list(KaggleSnapshot(KAGGLE_SAMPLE).records()))
    assert (len(records), rejected) == (200, [])
    first = records[0]
    assert first.arxiv_id == "0704.0001"
    assert first.authors[:2] == ["C. Balázs", "E. L. Berger"]
    assert first.categories == ["hep-ph"]
    assert first.version == 2 and first.published.year == 2007
    assert first.published < first.updated


def test_kaggle_category_filter_keeps_only_that_archive():
    records, _ = split(list(KaggleSnapshot(KAGGLE_SAMPLE, category="math").records()))
    assert records and all(any(c.startswith("math") for c in r.categories) for r in records)


def test_corrupted_lines_are_rejected_with_their_line_numbers(tmp_path: Path):
    lines = KAGGLE_SAMPLE.read_bytes().splitlines()[:6]
    lines[1] = lines[1][:80]  # cut mid-object
    lines[4] = b'{"id": "0704.0005", "title": "Bad \xff byte", "versions": []}'
    path = tmp_path / "snapshot.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    records, rejected = split(list(KaggleSnapshot(path).records()))
    assert len(records) == 4
    assert [r.origin for r in rejected] == ["snapshot.jsonl:2", "snapshot.jsonl:5"]
    assert rejected[0].reason.startswith("bad JSON")
    assert rejected[1].reason.startswith("not UTF-8")


def test_an_impossible_date_names_the_field(tmp_path: Path):
    item = json.loads(KAGGLE_SAMPLE.read_text().splitlines()[0])
    item["update_date"] = "2008-02-30"
    path = tmp_path / "bad-date.jsonl"
    path.write_text(json.dumps(item) + "\n")
    _, rejected = split(list(KaggleSnapshot(path).records()))
    assert rejected[0].origin == "bad-date.jsonl:1"
    assert "'update_date'" in rejected[0].reason and "2008-02-30" in rejected[0].reason


def test_a_truncated_gzip_keeps_every_line_before_the_damage(tmp_path: Path):
    whole = gzip.compress(KAGGLE_SAMPLE.read_bytes())
    path = tmp_path / "snapshot.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    records, rejected = split(list(KaggleSnapshot(path).records()))
    assert 20 < len(records) < 200
    assert len(rejected) == 1 and "unreadable file" in rejected[0].reason


def test_the_hf_archive_gives_listings_with_positions_and_code():
    items = list(HFDailyFile(SHARED_DATA / "hf_daily_papers" / "papers.jsonl.gz").records())
    records, rejected = split(items)
    assert (len(records), rejected) == (9881, [])
    first_day = [r for r in records if str(r.listing.listing_date) == "2024-05-27"]
    assert [r.listing.position for r in first_day] == list(range(len(first_day)))
    with_stars = [r for r in records if r.github_stars is not None]
    assert with_stars and all(r.code_urls for r in with_stars if r.github_stars)


def test_seed_page_records_have_no_id_but_a_title_abstract_and_code():
    records, rejected = split(
        list(JsonLinesFile(SHARED_DATA / "seed_page" / "papers.jsonl").records())
    )
    assert (len(records), rejected) == (79, [])
    assert all(r.arxiv_id is None and r.title and r.abstract for r in records)


def test_every_builtin_source_is_registered_by_name():
    assert {"kaggle", "jsonl", "hf-daily-file"} <= set(registry())


def test_parse_one_turns_any_parser_error_into_that_records_rejection():
    from paperscope.sources.fields import FieldError, parse_one

    def parser(value):
        if value == "field":
            raise FieldError("title", "missing or empty")
        return {"n": 1}[value]

    assert parse_one("f:1", parser, "n") == 1
    assert parse_one("f:2", parser, "field") == Rejected("f:2", "field 'title': missing or empty")
    assert parse_one("f:3", parser, "other") == Rejected(
        "f:3", "unreadable record (KeyError: 'other')"
    )
