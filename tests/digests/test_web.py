"""The subscription pages and API over HTTP, and the issue's end-to-end check: subscribe with
the form, the confirmation mail reaches the SMTP server, its link confirms, ``paperscope digest
run --now`` delivers one digest with the RFC 8058 headers, a second run sends nothing, and the
one-click POST unsubscribes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from digests.helpers import link
from digests.smtp_server import SmtpServer
from paperscope.config import Settings
from paperscope.web.app import create_app
from support import run_cli


@pytest.fixture
def client(mail_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(mail_settings), base_url="https://papers.example.org") as client:
        yield client


def csrf(client: TestClient, path: str = "/subscriptions") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def path_of(url: str) -> str:
    return urlsplit(url).path


def subscribers(env: dict[str, str]) -> list[dict[str, object]]:
    return json.loads(run_cli(env, "subscribers", "list", "--json").stdout)  # type: ignore[no-any-return]


# Lists arriving every day, or lists that stopped months ago (the demo corpus ends in 2026-08):
# a new subscriber's first digest is the newest list's trending papers either way.
@pytest.mark.parametrize("papers", ["recent_corpus", "corpus"])
def test_subscribe_confirm_digest_and_one_click_unsubscribe_end_to_end(
    client: TestClient,
    smtp: SmtpServer,
    mail_env: dict[str, str],
    papers: str,
    request: pytest.FixtureRequest,
) -> None:
    request.getfixturevalue(papers)
    home = client.get("/")
    assert "Get trending papers in your email inbox!" in home.text
    assert '<script src="/static/subscribe-box.js" defer></script>' in home.text
    token = csrf(client, "/")
    answer = client.post(
        "/subscriptions",
        data={
            "csrf_token": token,
            "email": "reader@example.org",
            "kind": "trending",
            "frequency": "daily",
            "timezone": "Europe/Berlin",
            "hour": "7",
        },
    )
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    [confirmation] = smtp.to("reader@example.org")
    assert [s["status"] for s in subscribers(mail_env)] == ["pending"]

    confirm_url = link(confirmation, r"https://papers\.example\.org/subscriptions/confirm/\S+")
    confirmed = client.get(path_of(confirm_url))
    assert confirmed.status_code == 200 and "Subscription confirmed" in confirmed.text
    assert [(s["email"], s["kind"], s["status"]) for s in subscribers(mail_env)] == [
        ("reader@example.org", "trending", "active")
    ]

    smtp.clear()
    run_cli(mail_env, "digest", "run", "--now")
    [digest] = smtp.to("reader@example.org")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<(https://[^>]+/u/[^>]+)>", digest["List-Unsubscribe"])
    assert unsubscribe and "mailto:" in digest["List-Unsubscribe"]
    assert digest["List-Id"] and digest["Message-ID"] and digest["Date"]
    assert "Robot Learning from Video" in digest.get_body(("plain",)).get_content()

    run_cli(mail_env, "digest", "run", "--now")
    assert len(smtp.to("reader@example.org")) == 1  # a second run sends nothing

    # The mail client's one-click POST (RFC 8058): no cookies, no CSRF token, empty answer.
    fresh = TestClient(client.app, base_url="https://papers.example.org")
    for _ in range(2):  # idempotent
        done = fresh.post(
            path_of(unsubscribe.group(1)),
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (done.status_code, done.content) == (200, b"")
    assert [s["status"] for s in subscribers(mail_env)] == ["unsubscribed"]
    run_cli(mail_env, "digest", "run", "--now")
    assert len(smtp.to("reader@example.org")) == 1


def test_unsubscribe_page_needs_a_click_and_can_be_undone(
    client: TestClient, smtp: SmtpServer, mail_env: dict[str, str], recent_corpus: list[str]
) -> None:
    client.post("/subscriptions", data={"csrf_token": csrf(client), "email": "u@example.org"})
    client.get(path_of(link(smtp.to("u@example.org")[0], r"\S+/subscriptions/confirm/\S+")))
    run_cli(mail_env, "digest", "run", "--now")
    digest = smtp.to("u@example.org")[-1]
    footer = link(digest, r"https://papers\.example\.org/u/\S+")
    page = client.get(path_of(footer))  # what a link scanner does
    assert page.status_code == 200 and "Unsubscribe?" in page.text
    assert [s["status"] for s in subscribers(mail_env)] == ["active"]
    token = path_of(footer).rsplit("/", 1)[1]
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    extra = {"csrf_token": form_token.group(1)} if form_token else {}
    gone = client.post(f"/subscriptions/unsubscribe/{token}", data=extra)
    assert "You are unsubscribed" in gone.text
    assert [s["status"] for s in subscribers(mail_env)] == ["unsubscribed"]
    back = client.post(f"/subscriptions/resubscribe/{token}", data=extra)
    assert "Unsubscribe?" in back.text
    assert [s["status"] for s in subscribers(mail_env)] == ["active"]


def test_manage_page_changes_and_deletes_everything(
    client: TestClient, smtp: SmtpServer, mail_env: dict[str, str], recent_corpus: list[str]
) -> None:
    client.post("/subscriptions", data={"csrf_token": csrf(client), "email": "m@example.org"})
    client.get(path_of(link(smtp.to("m@example.org")[0], r"\S+/subscriptions/confirm/\S+")))
    run_cli(mail_env, "digest", "run", "--now")
    manage = path_of(link(smtp.to("m@example.org")[-1], r"\S+/subscriptions/manage/\S+"))
    page = client.get(manage)
    assert "Manage your subscription" in page.text
    token = csrf(client, manage)
    saved = client.post(
        manage,
        data={
            "csrf_token": token,
            "kind": "author",
            "author": "Ada Lovelace",
            "frequency": "weekly",
            "timezone": "Asia/Tokyo",
            "hour": "9",
        },
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    [row] = subscribers(mail_env)
    assert (row["kind"], row["author"], row["frequency"], row["timezone"], row["hour"]) == (
        "author",
        "Ada Lovelace",
        "weekly",
        "Asia/Tokyo",
        9,
    )
    bad = client.post(manage, data={"csrf_token": token, "timezone": "Nowhere/City"})
    assert bad.status_code == 422 and "timezone" in bad.text
    deleted = client.post(f"{manage}/delete", data={"csrf_token": token})
    assert "Deleted" in deleted.text
    assert subscribers(mail_env) == []
    assert client.get(manage).status_code == 404


def test_json_api_same_rules_and_same_answer(
    client: TestClient, smtp: SmtpServer, mail_settings: Settings
) -> None:
    body = {"email": "api@example.org", "kind": "search", "query": "diffusion", "hour": 6}
    first = client.post("/api/subscriptions", json=body)
    assert first.status_code == 202 and first.json()["status"] == "pending"
    [mail] = smtp.to("api@example.org")
    assert "papers matching “diffusion”" in mail.get_body(("plain",)).get_content()
    again = client.post("/api/subscriptions", json=body)
    unknown = client.post("/api/subscriptions", json={**body, "email": "other@example.org"})
    assert first.json() == again.json() == unknown.json()
    assert (
        client.post("/api/subscriptions", json={"email": "x@y.org", "kind": "search"}).status_code
        == 422
    )
    assert (
        client.post(
            "/api/subscriptions", json={"email": "x@y.org", "timezone": "Bad/Zone"}
        ).status_code
        == 422
    )
    assert client.post("/u/not-a-token").status_code == 400
    assert client.get("/subscriptions/confirm/forged").status_code == 400


def test_signed_in_user_subscribes_and_sees_their_subscriptions(
    client: TestClient, smtp: SmtpServer
) -> None:
    signup = client.post(
        "/signup",
        data={
            "csrf_token": csrf(client, "/signup"),
            "email": "member@example.org",
            "handle": "member",
            "password": "a long enough password 123",
        },
        follow_redirects=False,
    )
    assert signup.status_code in (302, 303), signup.text
    page = client.get("/subscriptions")
    assert 'value="member@example.org"' in page.text  # the account's address, prefilled
    client.post(
        "/subscriptions",
        data={
            "csrf_token": csrf(client),
            "email": "member@example.org",
            "kind": "author",
            "author": "Grace Hopper",
        },
    )
    assert len(smtp.to("member@example.org")) == 1  # still double opt-in
    mine = client.get("/subscriptions")
    assert "Your subscriptions" in mine.text and "papers by Grace Hopper" in mine.text
    manage = re.search(r'href="(/subscriptions/manage/[^"]+)"', mine.text)
    assert manage and client.get(manage.group(1)).status_code == 200
    # Someone else, not signed in, sees no list.
    assert "Your subscriptions" not in TestClient(client.app).get("/subscriptions").text


def test_account_settings_list_the_accounts_subscriptions_and_subscribe(
    client: TestClient, smtp: SmtpServer
) -> None:
    # Someone subscribes member@example.org without an account, before the account exists.
    anonymous = TestClient(client.app, base_url="https://papers.example.org")
    anonymous.post(
        "/subscriptions",
        data={
            "csrf_token": csrf(anonymous),
            "email": "member@example.org",
            "kind": "author",
            "author": "Alan Turing",
        },
    )
    client.post(
        "/signup",
        data={
            "csrf_token": csrf(client, "/signup"),
            "email": "member@example.org",
            "handle": "member",
            "password": "a long enough password 123",
        },
    )
    page = client.get("/account")
    assert "Email subscriptions" in page.text and "no subscription while signed in" in page.text
    assert "Alan Turing" not in page.text  # not made from this account: not shown
    assert client.get("/account.json").json()["subscriptions"] == []
    form = re.search(r'<form method="post" action="/subscriptions".*?</form>', page.text, re.S)
    assert form and 'value="member@example.org"' in form.group(0)
    assert 'href="/subscriptions"' in page.text  # every other kind of alert

    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0))
    assert token
    answer = client.post(
        "/subscriptions",
        data={
            "csrf_token": token.group(1),
            "email": "member@example.org",
            "kind": "trending",
            "frequency": "weekly",
            "timezone": "Europe/Berlin",
            "hour": "7",
        },
    )
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    confirmation = smtp.to("member@example.org")[-1]
    assert "weekly trending papers" in confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    page = client.get("/account")
    assert "weekly trending papers to member@example.org (pending)" in page.text
    [mine] = client.get("/account.json").json()["subscriptions"]
    assert (mine["kind"], mine["frequency"], mine["status"]) == ("trending", "weekly", "pending")
    client.get(path_of(link(confirmation, r"\S+/subscriptions/confirm/\S+")))
    assert "weekly trending papers to member@example.org (active)" in client.get("/account").text
    manage = client.get(mine["manageUrl"])
    assert manage.status_code == 200 and "Manage your subscription" in manage.text
