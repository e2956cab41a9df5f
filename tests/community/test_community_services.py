"""Community services on SQLite and PostgreSQL: accounts, rate limits, votes, comments, submit."""

from __future__ import annotations

import pytest
from community_data import PASSWORD, recent_entry

from factories import ingest_list, listed, record
from paperscope.community import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    RateLimited,
    accounts,
    comments,
    ratelimit,
    submit,
    votes,
)
from paperscope.store import community as community_queries


def test_sign_up_then_log_in_with_the_same_email_in_any_case(store):
    user = accounts.sign_up(store, email="Ada@Example.org", handle="ada", password=PASSWORD)
    again = accounts.authenticate(store, email=" ada@example.ORG ", password=PASSWORD)
    assert again.id == user.id and again.handle == "ada" and again.email == "ada@example.org"


@pytest.mark.parametrize(
    ("email", "handle", "password", "message"),
    [
        ("not-an-email", "ada", PASSWORD, "valid email"),
        ("ada@example.org", "<script>alert(1)</script>", PASSWORD, "handle is 2 to 32"),
        ("ada@example.org", "deleted-7", PASSWORD, "handle is 2 to 32"),
        ("ada@example.org", "ada", "short", "at least 8"),
    ],
)
def test_sign_up_refuses_bad_input_saying_what_is_wrong(store, email, handle, password, message):
    with pytest.raises(InvalidInput, match=message):
        accounts.sign_up(store, email=email, handle=handle, password=password)


def test_a_taken_email_or_handle_is_refused(store, make_user):
    make_user("ada")
    with pytest.raises(Conflict, match="email exists"):
        accounts.sign_up(store, email="ada@example.org", handle="other", password=PASSWORD)
    with pytest.raises(Conflict, match="handle ADA is taken"):
        accounts.sign_up(store, email="new@example.org", handle="ADA", password=PASSWORD)


def test_a_wrong_password_or_unknown_email_gives_the_same_refusal(store, make_user):
    make_user("ada")
    with pytest.raises(NotAllowed, match="Wrong email or password"):
        accounts.authenticate(store, email="ada@example.org", password="wrong password")
    with pytest.raises(NotAllowed, match="Wrong email or password"):
        accounts.authenticate(store, email="nobody@example.org", password=PASSWORD)


def test_changing_the_password_ends_old_sessions(store, make_user):
    user = make_user("ada")
    assert accounts.session_user(store, user.id, user.session_fingerprint) == user
    with pytest.raises(NotAllowed):
        accounts.change_password(store, user, current="wrong", new="a new password")
    fresh = accounts.change_password(store, user, current=PASSWORD, new="a new password")
    assert accounts.session_user(store, user.id, user.session_fingerprint) is None
    assert accounts.session_user(store, user.id, fresh.session_fingerprint) is not None
    accounts.authenticate(store, email="ada@example.org", password="a new password")


def test_deleting_an_account_removes_personal_data_and_keeps_votes(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001", listing=listed("2024-01-03", upvotes=5))])
    user = make_user("ada")
    votes.toggle_vote(store, settings, user=user, paper_id="2401.00001")
    comments.add_comment(store, settings, user=user, paper_id="2401.00001", body="My opinion")
    accounts.delete_account(store, user, password=PASSWORD)

    assert accounts.session_user(store, user.id, user.session_fingerprint) is None
    with pytest.raises(NotAllowed):
        accounts.authenticate(store, email="ada@example.org", password=PASSWORD)
    with store.read() as conn:
        row = community_queries.get_comment(conn, 1)
    assert row["body"] == "" and row["deleted"]
    assert row["handle"].startswith("deleted-")
    assert comments.list_comments(store, "2401.00001") == []
    counts = votes.paper_counts(store, ["2401.00001"])["2401.00001"]
    assert (counts.upvotes, counts.site_votes, counts.num_comments) == (6, 1, 0)
    # The email and handle are free again.
    make_user("ada")


def test_the_cli_path_promotes_an_existing_account_to_admin(store, make_user):
    make_user("ada")
    user, created = accounts.add_user(
        store, email="ada@example.org", handle=None, password=None, is_admin=True
    )
    assert (created, user.is_admin) == (False, True)
    with pytest.raises(InvalidInput, match="give a password"):
        accounts.add_user(store, email="new@example.org", handle=None, password=None, is_admin=True)


def test_a_rate_limit_refuses_past_its_window_count_and_says_when_to_retry(store):
    for _ in range(3):
        ratelimit.check(store, bucket="login", subject="ip:1", rate="3/minute", now=120.0)
    with pytest.raises(RateLimited) as refused:
        ratelimit.check(store, bucket="login", subject="ip:1", rate="3/minute", now=150.0)
    assert refused.value.retry_after == 30
    assert "limit is 3 per minute" in str(refused.value)
    # Another subject, and the next window, are not affected.
    ratelimit.check(store, bucket="login", subject="ip:2", rate="3/minute", now=150.0)
    ratelimit.check(store, bucket="login", subject="ip:1", rate="3/minute", now=181.0)


def test_an_upvote_toggles_and_counts_add_to_imported_ones(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001", listing=listed("2024-01-03", upvotes=10))])
    ada, bob = make_user("ada"), make_user("bob")
    state = votes.toggle_vote(store, settings, user=ada, paper_id="2401.00001")
    assert (state.upvotes, state.voted) == (11, True)
    state = votes.toggle_vote(store, settings, user=bob, paper_id="2401.00001")
    assert state.upvotes == 12
    state = votes.toggle_vote(store, settings, user=ada, paper_id="2401.00001")
    assert (state.upvotes, state.voted) == (11, False)
    with pytest.raises(NotFound):
        votes.toggle_vote(store, settings, user=ada, paper_id="2499.99999")


def test_votes_are_rate_limited(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001")])
    ada = make_user("ada")
    strict = settings.model_copy(update={"rate_limit_vote": "2/hour"})
    votes.toggle_vote(store, strict, user=ada, paper_id="2401.00001")
    votes.toggle_vote(store, strict, user=ada, paper_id="2401.00001")
    with pytest.raises(RateLimited, match="Too many votes"):
        votes.toggle_vote(store, strict, user=ada, paper_id="2401.00001")


def test_comments_edit_and_delete_own_admin_hides(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001")])
    ada, bob, admin = make_user("ada"), make_user("bob"), make_user("root", admin=True)
    posted = comments.add_comment(
        store, settings, user=ada, paper_id="2401.00001", body="Nice **result**"
    )
    assert "<strong>result</strong>" in posted.html
    with pytest.raises(NotAllowed):
        comments.edit_comment(store, settings, user=bob, comment_id=posted.id, body="vandal")
    edited = comments.edit_comment(store, settings, user=ada, comment_id=posted.id, body="Better")
    assert edited.body == "Better" and edited.edited_at is not None

    with pytest.raises(NotAllowed):
        comments.set_comment_hidden(store, admin=bob, comment_id=posted.id, hidden=True)
    comments.set_comment_hidden(store, admin=admin, comment_id=posted.id, hidden=True)
    assert comments.list_comments(store, "2401.00001", ada) == []
    assert [c.hidden for c in comments.list_comments(store, "2401.00001", admin)] == [True]
    assert votes.paper_counts(store, ["2401.00001"])["2401.00001"].num_comments == 0

    comments.set_comment_hidden(store, admin=admin, comment_id=posted.id, hidden=False)
    with pytest.raises(NotAllowed):
        comments.delete_comment(store, user=bob, comment_id=posted.id)
    comments.delete_comment(store, user=ada, comment_id=posted.id)
    assert comments.list_comments(store, "2401.00001", admin) == []


def test_an_empty_or_huge_comment_is_refused(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001")])
    ada = make_user("ada")
    with pytest.raises(InvalidInput, match="Write something"):
        comments.add_comment(store, settings, user=ada, paper_id="2401.00001", body="   ")
    with pytest.raises(InvalidInput, match="at most 5000"):
        comments.add_comment(store, settings, user=ada, paper_id="2401.00001", body="x" * 5001)


def test_an_admin_hides_a_paper_and_nobody_can_vote_on_it(store, settings, make_user):
    ingest_list(store, [record(arxiv_id="2401.00001")])
    ada, admin = make_user("ada"), make_user("root", admin=True)
    with pytest.raises(NotAllowed):
        comments.set_paper_hidden(store, admin=ada, paper_id="2401.00001", hidden=True)
    comments.set_paper_hidden(store, admin=admin, paper_id="2401.00001", hidden=True)
    with pytest.raises(NotFound):
        votes.toggle_vote(store, settings, user=ada, paper_id="2401.00001")
    with store.read() as conn:
        assert community_queries.paper_visibility(conn, "2401.00001") is False


def test_submitting_a_recent_paper_lists_it_today(store, community_settings, arxiv, make_user):
    arxiv.add(recent_entry("2611.01234"))
    ada = make_user("ada")
    done = submit.submit_paper(
        store, community_settings, user=ada, text="https://arxiv.org/abs/2611.01234v1"
    )
    assert done.paper_id == "2611.01234" and done.title == "Sparse Attention for Long Documents"
    with store.read() as conn:
        assert community_queries.listing_dates(conn, "2611.01234") == [done.listing_date]
        assert community_queries.submissions_on(conn, "ada", done.listing_date) == 1
    assert arxiv.queries[0]["id_list"] == "2611.01234"
    with pytest.raises(Conflict, match="already listed"):
        submit.submit_paper(store, community_settings, user=ada, text="2611.01234")


def test_submit_refuses_unknown_old_and_malformed_ids(store, community_settings, arxiv, make_user):
    arxiv.add(recent_entry("2601.00001", days_ago=40))
    ada = make_user("ada")
    with pytest.raises(NotFound, match="arXiv has no paper 2611.09999"):
        submit.submit_paper(store, community_settings, user=ada, text="2611.09999")
    with pytest.raises(Conflict, match="only papers from the last 14 days"):
        submit.submit_paper(store, community_settings, user=ada, text="2601.00001")
    with pytest.raises(InvalidInput, match="not an arXiv id"):
        submit.submit_paper(store, community_settings, user=ada, text="<script>alert(1)</script>")


def test_submit_has_a_daily_cap_per_user(store, community_settings, arxiv, make_user):
    capped = community_settings.model_copy(update={"submit_daily_cap": 2})
    for n in range(3):
        arxiv.add(recent_entry(f"2611.0000{n}"))
    ada, bob = make_user("ada"), make_user("bob")
    submit.submit_paper(store, capped, user=ada, text="2611.00000")
    submit.submit_paper(store, capped, user=ada, text="2611.00001")
    with pytest.raises(Conflict, match="daily limit"):
        submit.submit_paper(store, capped, user=ada, text="2611.00002")
    submit.submit_paper(store, capped, user=bob, text="2611.00002")


def test_submit_says_so_when_arxiv_cannot_be_reached(store, community_settings, make_user):
    from paperscope.community import Unavailable

    offline = community_settings.model_copy(update={"arxiv_api_url": "http://127.0.0.1:9/api"})
    with pytest.raises(Unavailable, match="Could not reach arXiv"):
        submit.submit_paper(store, offline, user=make_user("ada"), text="2611.01234")


def test_a_rate_limit_holds_across_server_processes_sharing_the_store(store, store_url):
    from paperscope.store import open_store

    other = open_store(store_url)  # a second engine, as a second worker process has
    try:
        for worker in (store, other, store):
            ratelimit.check(worker, bucket="vote", subject="user:1", rate="3/hour", now=10.0)
        with pytest.raises(RateLimited):
            ratelimit.check(other, bucket="vote", subject="user:1", rate="3/hour", now=11.0)
    finally:
        other.dispose()
