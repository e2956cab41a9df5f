"""Ingest into the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from factories import ingest_list, listed, record
from paperscope.catalog import find_paper, store_stats
from paperscope.store.papers import get_paper


def test_new_papers_then_a_rerun_changes_nothing(store):
    records = [record(arxiv_id=f"2401.0000{i}", title=f"Paper {i}") for i in range(1, 6)]
    first = ingest_list(store, records)
    assert (first.new, first.updated, first.unchanged) == (5, 0, 0)
    seq_after_first = store_stats(store)["change_seq"]
    again = ingest_list(store, records)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    assert store_stats(store)["change_seq"] == seq_after_first


def test_newest_version_wins_and_an_older_one_never_overwrites(store):
    ingest_list(store, [record(arxiv_id="2401.00001v2", title="Second version")])
    report = ingest_list(store, [record(arxiv_id="2401.00001v1", title="First version")])
    assert report.unchanged == 1
    assert find_paper(store, "2401.00001")["title"] == "Second version"
    report = ingest_list(store, [record(arxiv_id="arXiv:2401.00001v3", title="Third version")])
    assert report.updated == 1
    paper = find_paper(store, "https://arxiv.org/abs/2401.00001")
    assert (paper["title"], paper["version"]) == ("Third version", 3)


def test_each_change_takes_a_higher_sequence_number(store):
    ingest_list(store, [record(arxiv_id="2401.00001"), record(arxiv_id="2401.00002")])
    with store.read() as conn:
        before = get_paper(conn, "2401.00001")["seq"]
    ingest_list(store, [record(arxiv_id="2401.00001", abstract="A better abstract.")])
    with store.read() as conn:
        after = get_paper(conn, "2401.00001")
    assert after["seq"] > before
    assert after["abstract"] == "A better abstract."
    assert after["seq"] == store_stats(store)["change_seq"]


def test_a_paper_without_an_id_gets_a_stable_derived_one(store):
    report = ingest_list(store, [record(arxiv_id=None, title="Untitled Work On Graphs")])
    assert report.new == 1
    again = ingest_list(store, [record(arxiv_id=None, title="untitled work on graphs")])
    assert again.new == 0
    assert store_stats(store)["papers"] == 1


def test_an_id_less_record_merges_into_the_stored_paper_with_the_same_title(store):
    ingest_list(store, [record(arxiv_id="2401.00009", title="Deep Nets: A Survey", abstract="")])
    report = ingest_list(
        store,
        [
            record(
                arxiv_id=None,
                title="Deep nets - a survey",
                abstract="Code at https://github.com/a/deep-nets.",
            )
        ],
    )
    assert (report.new, report.updated) == (0, 1)
    paper = find_paper(store, "2401.00009")
    assert paper["title"] == "Deep Nets: A Survey"  # the id-less record only fills gaps
    assert paper["abstract"] == "Code at https://github.com/a/deep-nets."
    assert [r["url"] for r in paper["code_repos"]] == ["https://github.com/a/deep-nets"]
    assert store_stats(store)["papers"] == 1


def test_listings_are_kept_per_day_and_updated_in_place(store):
    first = record(listing=listed("2024-05-27", upvotes=3, submitted_by="akhaliq"))
    second = record(listing=listed("2024-05-28", upvotes=1))
    report = ingest_list(store, [first, second])
    assert report.listings == 2
    bumped = record(listing=listed("2024-05-27", upvotes=30, submitted_by="akhaliq"))
    report = ingest_list(store, [bumped])
    assert report.listings == 0
    paper = find_paper(store, "2401.00001")
    assert [(str(x["listing_date"]), x["imported_upvotes"]) for x in paper["listings"]] == [
        ("2024-05-27", 30),
        ("2024-05-28", 1),
    ]
    stats = store_stats(store)
    assert (stats["listings"], stats["listing_days"]) == (2, 2)


def test_code_links_come_from_abstract_comments_and_the_source(store):
    ingest_list(
        store,
        [
            record(
                abstract="See https://github.com/x/abstract-code.",
                comments="Project: https://gitlab.com/y/comment-code",
                code_urls=["https://github.com/z/explicit"],
                github_stars=42,
            )
        ],
    )
    repos = {r["url"]: r["stars"] for r in find_paper(store, "2401.00001")["code_repos"]}
    assert repos == {
        "https://github.com/z/explicit": 42,
        "https://github.com/x/abstract-code": None,
        "https://gitlab.com/y/comment-code": None,
    }


def test_bad_records_are_rejected_with_the_field_and_the_rest_goes_on(store):
    rejected = []
    from paperscope.ingest import ingest_records

    report = ingest_records(
        store,
        [
            record(arxiv_id="2401.00001"),
            record(arxiv_id="2401.00002", title="   ", origin="f.jsonl:2"),
            record(arxiv_id="not-an-id", origin="f.jsonl:3"),
            record(arxiv_id="2401.00004"),
        ],
        rejects=rejected.append,
    )
    assert (report.new, report.rejected) == (2, 2)
    assert [(r.origin, r.reason.split(":")[0]) for r in rejected] == [
        ("f.jsonl:2", "field 'title'"),
        ("f.jsonl:3", "field 'arxiv_id'"),
    ]


def test_sqlite_store_runs_in_wal_mode_with_foreign_keys(store):
    if not store.is_sqlite:
        pytest.skip("SQLite pragmas")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_a_failed_batch_leaves_nothing_half_written(store):
    ingest_list(store, [record(arxiv_id="2401.00001")])
    try:
        with store.write() as conn:
            conn.execute(sa.text("UPDATE papers SET title = 'changed'"))
            raise RuntimeError("killed mid-batch")
    except RuntimeError:
        pass
    assert find_paper(store, "2401.00001")["title"] == "A Study of Things"


def test_what_a_failing_source_delivered_before_its_failure_is_kept(store):
    from paperscope.ingest import ingest_records

    def source():
        for i in range(1, 6):
            yield record(arxiv_id=f"2401.0000{i}")
        raise ConnectionError("arXiv went away")

    with pytest.raises(ConnectionError):
        ingest_records(store, source(), rejects=lambda _: None, batch_size=100)
    assert store_stats(store)["papers"] == 5


def test_a_record_of_an_unexpected_shape_is_rejected_and_the_rest_goes_on(store):
    from paperscope.ingest import ingest_records

    rejected = []
    report = ingest_records(
        store,
        [
            record(arxiv_id="2401.00001"),
            # What a buggy plugin source could yield: an author that is not text.
            record(arxiv_id="2401.00002", authors=[None], origin="plugin:2"),
            record(arxiv_id="2401.00003", version=2**40, origin="plugin:3"),
            record(arxiv_id="2401.00004", primary_category="x" * 65, origin="plugin:4"),
            record(arxiv_id="2401.00005"),
        ],
        rejects=rejected.append,
        batch_size=10,
    )
    assert (report.new, report.rejected) == (2, 3)
    assert [r.origin for r in rejected] == ["plugin:2", "plugin:3", "plugin:4"]
    assert rejected[0].reason.startswith("unreadable record (AttributeError")
    assert rejected[1].reason.startswith("field 'version'")
    assert rejected[2].reason.startswith("field 'primary_category'")
    assert store_stats(store)["papers"] == 2


def test_the_last_stars_of_a_batch_win_and_a_rerun_changes_nothing(store):
    # 2606.11176 is listed twice in the HF corpus, with 12 and then 34 stars.
    repo = ["https://github.com/QinghongLin/data2story-skill"]
    twice = [
        record(code_urls=repo, github_stars=12, listing=listed("2026-06-10")),
        record(code_urls=repo, github_stars=34, listing=listed("2026-06-16")),
    ]
    ingest_list(store, twice)
    for _ in range(2):
        again = ingest_list(store, twice)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
        assert [r["stars"] for r in find_paper(store, "2401.00001")["code_repos"]] == [34]
