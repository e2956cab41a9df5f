"""An id-less paper and its arXiv twin end up as one paper, whatever order they arrive in."""

from __future__ import annotations

from factories import ingest_list, listed, record
from paperscope.catalog import find_paper, store_stats
from paperscope.community.accounts import add_user
from paperscope.community.comments import add_comment, list_comments
from paperscope.community.votes import paper_counts, toggle_vote
from paperscope.index.sync import LexicalSync
from paperscope.ingest.ids import derived_id

TITLE = "Deep Nets: A Survey"
SEED = derived_id(TITLE)


def seed(**fields):
    values = {
        "arxiv_id": None,
        "title": "Deep nets - a survey",
        "abstract": "Code at https://github.com/a/Deep-Nets.",
        "authors": [],
    }
    return record(**(values | fields))


def arxiv(**fields):
    return record(**({"arxiv_id": "2401.00009", "title": TITLE, "abstract": ""} | fields))


def the_one_paper(store) -> dict:
    assert store_stats(store)["papers"] == 1
    assert find_paper(store, SEED) is None
    paper = find_paper(store, "2401.00009")
    assert paper["title"] == TITLE  # the id-less record only fills gaps
    assert paper["abstract"] == "Code at https://github.com/a/Deep-Nets."
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    return paper


def test_a_stored_id_less_paper_folds_into_its_arxiv_twin(store):
    ingest_list(store, [seed(listing=listed("2024-05-27", upvotes=4))])
    assert find_paper(store, SEED)["arxiv_id"] is None
    seq_before = store_stats(store)["change_seq"]

    report = ingest_list(
        store,
        [arxiv(code_urls=["https://github.com/a/deep-nets"], listing=listed("2024-05-28"))],
    )
    assert (report.new, report.updated) == (1, 0)
    paper = the_one_paper(store)
    # The repo in the twin's spelling once; both days' listings.
    assert [r["url"] for r in paper["code_repos"]] == ["https://github.com/a/deep-nets"]
    assert [str(x["listing_date"]) for x in paper["listings"]] == ["2024-05-27", "2024-05-28"]
    # One value for the twin, one for the removal: the sequence only grows.
    assert store_stats(store)["change_seq"] == seq_before + 2
    again = ingest_list(store, [seed(), arxiv()])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def test_both_in_one_batch_in_either_order(store):
    ingest_list(store, [seed(), arxiv()])
    the_one_paper(store)


def test_both_in_one_batch_arxiv_first(store):
    ingest_list(store, [arxiv(), seed()])
    the_one_paper(store)


def test_votes_and_comments_follow_the_folded_paper(store, settings):
    ingest_list(store, [seed()])
    ada, _ = add_user(
        store, email="ada@example.org", handle="ada", password="pw-" * 4, is_admin=False
    )
    bob, _ = add_user(
        store, email="bob@example.org", handle="bob", password="pw-" * 4, is_admin=False
    )
    toggle_vote(store, settings, user=ada, paper_id=SEED)
    toggle_vote(store, settings, user=bob, paper_id=SEED)
    add_comment(store, settings, user=ada, paper_id=SEED, body="Seen this one.")
    ingest_list(store, [arxiv()])
    toggle_vote(store, settings, user=bob, paper_id="2401.00009")  # bob takes his vote back
    counts = paper_counts(store, ["2401.00009"], ada)["2401.00009"]
    assert (counts.site_votes, counts.num_comments, counts.voted) == (1, 1, True)
    assert [c.body for c in list_comments(store, "2401.00009")] == ["Seen this one."]


def test_the_index_drops_the_folded_paper(store, data_dir):
    ingest_list(store, [seed()])
    sync = LexicalSync(store, data_dir / "index")
    sync.catch_up()
    assert sync.index.all_ids() == [SEED]
    ingest_list(store, [arxiv()])
    report = LexicalSync(store, data_dir / "index").catch_up()
    assert (report.indexed, report.removed) == (1, 1)
    reopened = LexicalSync(store, data_dir / "index")
    assert reopened.index.all_ids() == ["2401.00009"]
    assert reopened.status().in_sync
