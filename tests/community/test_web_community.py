"""The accounts and community pages, in-process over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from community_data import recent_entry
from webclient import Visitor

from factories import ingest_list, listed, record
from paperscope.web.app import create_app


@pytest.fixture
def app(community_settings):
    application = create_app(community_settings)
    ingest_list(
        application.state.store,
        [
            record(
                arxiv_id="2401.00001",
                title="Graphs Considered Helpful",
                listing=listed("2024-01-03", upvotes=7),
            ),
            record(
                arxiv_id="2401.00002",
                title="Trees Considered Harmful",
                listing=listed("2024-01-03", upvotes=2, position=1),
            ),
        ],
    )
    yield application
    application.state.store.dispose()


def test_sign_up_log_out_and_log_in_again(app):
    ada = Visitor(app)
    ada.sign_up("ada")
    assert 'href="/account">ada</a>' in ada.get("/").text
    assert ada.post("/logout").headers["location"] == "/"
    assert 'href="/account">ada</a>' not in ada.get("/").text

    ada.get("/login")
    wrong = ada.post("/login", {"email": "ada@example.org", "password": "not it at all"})
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    ok = ada.post(
        "/login",
        {"email": "ADA@example.org", "password": "correct horse battery", "next": "/trending"},
    )
    assert (ok.status_code, ok.headers["location"]) == (303, "/trending")
    assert ada.get("/account.json").json() == {
        "handle": "ada",
        "email": "ada@example.org",
        "isAdmin": False,
        "subscriptions": [],
    }


def test_session_cookie_is_signed_httponly_and_lax(app):
    ada = Visitor(app)
    cookie = ada.sign_up("ada").headers["set-cookie"]
    assert cookie.startswith("ps_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http here
    # A tampered cookie is ignored (and cleared), not trusted.
    value = ada.client.cookies.get("ps_session")
    ada.client.cookies.set("ps_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    page = ada.get("/")
    assert 'href="/account">ada</a>' not in page.text
    assert "ps_session=;" in page.headers.get("set-cookie", "")


def test_cookies_are_secure_when_the_site_is_https(community_settings):
    app = create_app(community_settings.model_copy(update={"base_url": "https://papers.example"}))
    assert "Secure" in Visitor(app).get("/").headers["set-cookie"]  # base_url says https
    visitor = Visitor(app, base_url="https://testserver")  # a browser only returns them on https
    assert "Secure" in visitor.sign_up("ada").headers["set-cookie"]
    app.state.store.dispose()


def test_a_taken_handle_is_refused_on_the_form_with_the_input_kept(app):
    Visitor(app).sign_up("ada")
    bob = Visitor(app)
    bob.get("/signup")
    again = bob.post(
        "/signup", {"email": "bob@example.org", "handle": "ada", "password": "long enough pw"}
    )
    assert again.status_code == 409
    assert "The handle ada is taken" in again.text
    assert 'value="bob@example.org"' in again.text


def test_upvote_without_javascript_redirects_back_and_counts(app):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/papers/date/2024-01-03")
    done = ada.post("/papers/2401.00002/vote", {"next": "/papers/date/2024-01-03"})
    assert (done.status_code, done.headers["location"]) == (303, "/papers/date/2024-01-03")
    page = ada.get("/papers/2401.00002")
    assert 'aria-pressed="true"' in page.text and "▲ 3" in page.text
    assert ada.post("/papers/2401.00002/vote", {"next": "/"}).status_code == 303
    assert 'aria-pressed="false"' in ada.get("/papers/2401.00002").text


def test_upvote_with_htmx_swaps_in_the_new_button_and_count(app):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/")
    fragment = ada.htmx("/papers/2401.00001/vote", {"next": "/"})
    assert fragment.status_code == 200
    assert 'aria-pressed="true"' in fragment.text and "▲ 8" in fragment.text
    assert "<html" not in fragment.text
    api = ada.client.get("/api/papers/2401.00001").json()
    assert api["upvotes"] == 8


def test_a_visitor_who_votes_is_sent_to_log_in_and_back(app):
    visitor = Visitor(app)
    visitor.get("/papers/date/2024-01-03")
    plain = visitor.post(
        "/papers/2401.00001/vote",
        {"next": "/papers/date/2024-01-03"},
        headers={"referer": "http://testserver/papers/date/2024-01-03"},
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == "/login?next=/papers/date/2024-01-03"
    htmx = visitor.htmx("/papers/2401.00001/vote")
    assert htmx.headers["HX-Redirect"].startswith("/login?next=")


def test_comment_edit_delete_and_admin_hide(app, store):
    ada, bob, root = Visitor(app), Visitor(app), Visitor(app)
    ada.sign_up("ada")
    bob.sign_up("bob")
    root.sign_up("root")
    from paperscope.community.accounts import set_admin

    set_admin(app.state.store, email="root@example.org", is_admin=True)

    ada.get("/papers/2401.00001")
    posted = ada.post("/papers/2401.00001/comments", {"body": "Lovely *graphs*."})
    assert posted.headers["location"] == "/papers/2401.00001#comment-1"
    page = bob.get("/papers/2401.00001")
    assert "<em>graphs</em>" in page.text and "Comments <small>(1)</small>" in page.text
    assert "/comments/1/edit" not in page.text  # not bob's to edit

    assert bob.post("/comments/1/edit", {"body": "vandalism"}).status_code == 403
    assert bob.post("/comments/1/delete").status_code == 403
    ada.get("/comments/1/edit")
    assert ada.post("/comments/1/edit", {"body": "Lovely **graphs**."}).status_code == 303
    assert "<strong>graphs</strong>" in bob.get("/papers/2401.00001").text
    assert "· edited" in bob.get("/papers/2401.00001").text

    assert bob.post("/comments/1/hide").status_code == 403
    root.get("/papers/2401.00001")
    assert root.post("/comments/1/hide", {"hidden": "true"}).status_code == 303
    assert "Lovely" not in bob.get("/papers/2401.00001").text
    assert "hidden by an admin" in root.get("/papers/2401.00001").text
    assert bob.client.get("/api/papers/2401.00001/comments").json() == []

    root.post("/comments/1/hide", {"hidden": "false"})
    ada.get("/papers/2401.00001")
    assert ada.post("/comments/1/delete").status_code == 303
    assert "Lovely" not in root.get("/papers/2401.00001").text


def test_comment_with_htmx_returns_the_thread_and_errors_keep_it(app):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/papers/2401.00001")
    thread = ada.htmx("/papers/2401.00001/comments", {"body": "First!"})
    assert thread.status_code == 200 and 'id="comment-thread"' in thread.text
    assert "<p>First!</p>" in thread.text
    empty = ada.htmx("/papers/2401.00001/comments", {"body": "  "})
    assert empty.status_code == 422 and "Write something before posting." in empty.text


def test_submit_lists_the_paper_today_and_refuses_what_it_should(app, arxiv):
    arxiv.add(recent_entry("2611.01234", title="Fresh Results on Sparse Attention"))
    arxiv.add(recent_entry("2601.00001", days_ago=60))
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/submit")
    done = ada.post("/submit", {"arxiv": "arXiv:2611.01234"})
    assert (done.status_code, done.headers["location"]) == (303, "/papers/2611.01234?submitted=1")
    home = ada.get("/")
    assert "Fresh Results on Sparse Attention" in home.text and "submitted by ada" in home.text

    again = ada.post("/submit", {"arxiv": "https://arxiv.org/abs/2611.01234"})
    assert again.status_code == 409 and "2611.01234 is already listed" in again.text
    unknown = ada.post("/submit", {"arxiv": "2611.99999"})
    assert unknown.status_code == 404 and "arXiv has no paper 2611.99999" in unknown.text
    old = ada.post("/submit", {"arxiv": "2601.00001"})
    assert old.status_code == 409 and "only papers from the last 14 days" in old.text


def test_login_attempts_are_rate_limited_with_a_clear_429(community_settings):
    app = create_app(community_settings.model_copy(update={"rate_limit_login": "2/minute"}))
    visitor = Visitor(app)
    visitor.get("/login")
    for _ in range(2):
        assert (
            visitor.post("/login", {"email": "x@example.org", "password": "p" * 9}).status_code
            == 401
        )
    limited = visitor.post("/login", {"email": "x@example.org", "password": "p" * 9})
    assert limited.status_code == 429
    assert "Too many log-in attempts: the limit is 2 per minute." in limited.text
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    app.state.store.dispose()


def test_votes_are_rate_limited_with_a_429_for_htmx_too(community_settings):
    app = create_app(community_settings.model_copy(update={"rate_limit_vote": "1/hour"}))
    ingest_list(app.state.store, [record(arxiv_id="2401.00001", listing=listed("2024-01-03"))])
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/")
    assert ada.htmx("/papers/2401.00001/vote").status_code == 200
    limited = ada.htmx("/papers/2401.00001/vote")
    assert limited.status_code == 429 and "Too many votes" in limited.text
    app.state.store.dispose()


def test_change_password_then_delete_account(app):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/")
    ada.post("/papers/2401.00001/vote", {"next": "/"})
    ada.post("/papers/2401.00001/comments", {"body": "mine"})
    ada.get("/account")
    bad = ada.post(
        "/account/password", {"current_password": "nope nope", "new_password": "another one"}
    )
    assert bad.status_code == 403 and "The current password is wrong." in bad.text
    changed = ada.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "another one"},
    )
    assert changed.headers["location"] == "/account?changed=1"
    assert "Your password was changed." in ada.get("/account?changed=1").text

    deleted = ada.post("/account/delete", {"password": "another one"})
    assert deleted.status_code == 200 and "Your account was deleted" in deleted.text
    assert 'href="/account">ada</a>' not in ada.get("/").text
    ada.get("/login")
    assert (
        ada.post("/login", {"email": "ada@example.org", "password": "another one"}).status_code
        == 401
    )
    page = ada.get("/papers/2401.00001")
    assert "mine" not in page.text and "▲ 8" in page.text  # the vote stays, anonymous


def test_admin_hides_a_paper_from_the_daily_list(app):
    root = Visitor(app)
    root.sign_up("root")
    from paperscope.community.accounts import set_admin

    set_admin(app.state.store, email="root@example.org", is_admin=True)
    page = root.get("/papers/2401.00002")
    assert "Hide this paper (admin)" in page.text
    assert root.post("/admin/papers/2401.00002/hide", {"hidden": "true"}).status_code == 303
    app.state.feed_cache = type(app.state.feed_cache)(0)
    assert "Trees Considered Harmful" not in root.get("/papers/date/2024-01-03").text


def test_users_add_admin_from_the_command_line(cli_env, store):
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "paperscope",
            "users",
            "add",
            "root@example.org",
            "--admin",
            "--handle",
            "root",
            "--password-stdin",
        ],
        input="a long admin password\n",
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "created root <root@example.org> (admin)" in done.stderr
    listed_users = subprocess.run(
        [sys.executable, "-m", "paperscope", "users", "list"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert re.search(r"\troot\troot@example.org\tadmin", listed_users.stdout)
    missing = subprocess.run(
        [sys.executable, "-m", "paperscope", "users", "remove-admin", "nobody@example.org"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        missing.returncode == 1 and "No account has the email nobody@example.org" in missing.stderr
    )


def test_old_style_ids_with_a_slash_can_be_voted_on_and_commented(app):
    ingest_list(
        app.state.store,
        [record(arxiv_id="quant-ph/0602109", title="Old Style", listing=listed("2024-01-04"))],
    )
    ada = Visitor(app)
    ada.sign_up("ada")
    page = ada.get("/papers/quant-ph/0602109")
    assert 'action="/papers/quant-ph/0602109/vote"' in page.text
    voted = ada.htmx("/papers/quant-ph/0602109/vote", {"next": "/papers/quant-ph/0602109"})
    assert voted.status_code == 200 and 'aria-pressed="true"' in voted.text
    posted = ada.post("/papers/quant-ph/0602109/comments", {"body": "Classic."})
    assert posted.headers["location"] == "/papers/quant-ph/0602109#comment-1"
    assert "Classic." in ada.get("/papers/quant-ph/0602109").text
