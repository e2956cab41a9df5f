"""A member uses the real site in chromium: sign up, log in, upvote (with and without
JavaScript), comment, and submit a paper by arXiv id (fetched from a local fake arXiv)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fake_arxiv import ArxivEntry
from screens import PHONE, SCREENSHOTS

PASSWORD = "correct horse battery"


def sign_up(page, handle: str) -> None:
    page.get_by_role("link", name="Sign up").first.click()
    page.wait_for_url(re.compile(r"/signup"))
    page.get_by_label("Email").fill(f"{handle}@example.org")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector(f".user-area >> text={handle}")


def count_of(area) -> int:
    return int(re.sub(r"\D", "", area.locator(".upvotes").inner_text()))


def test_sign_up_log_out_and_log_in_again(page_factory):
    page = page_factory()
    page.goto("/trending")
    sign_up(page, "ada")
    assert page.url.endswith("/trending")  # back where the visitor started
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector(".user-area >> text=Log in")

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Log in").click()
    assert page.locator(".form-error").inner_text() == "Wrong email or password."
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".user-area >> text=ada")
    assert page.console_errors == []


def test_upvote_with_javascript_swaps_the_button_in_place(page_factory):
    page = page_factory()
    page.goto("/")
    sign_up(page, "bob")
    page.locator("article.card .card-title a").first.click()
    page.wait_for_url(re.compile(r"/papers/"))
    area = page.locator(".paper-links .card-votes")
    before = count_of(area)
    url = page.url

    area.locator(".vote-button").click()
    page.wait_for_selector('.paper-links .vote-button[aria-pressed="true"]')
    assert count_of(area) == before + 1
    assert page.url == url  # htmx: no navigation
    page.reload()
    assert area.locator(".vote-button").get_attribute("aria-pressed") == "true"
    assert count_of(area) == before + 1

    area.locator(".vote-button").click()
    page.wait_for_selector('.paper-links .vote-button[aria-pressed="false"]')
    assert count_of(area) == before
    assert page.console_errors == []


def test_upvote_without_javascript_posts_a_form_and_comes_back(page_factory):
    page = page_factory(PHONE, java_script_enabled=False)
    page.goto("/")
    sign_up(page, "cyd")
    # The member's header (submit, handle, log out) still fits a phone's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SCREENSHOTS / "home-phone-member.png"))
    href = page.locator("article.card .card-title a").first.get_attribute("href")
    page.goto(href)
    before = count_of(page.locator(".paper-links .card-votes"))
    page.locator(".paper-links .vote-button").click()
    page.wait_for_load_state()
    assert page.url.endswith(href)
    area = page.locator(".paper-links .card-votes")
    assert area.locator(".vote-button").get_attribute("aria-pressed") == "true"
    assert count_of(area) == before + 1


def test_a_visitor_who_upvotes_is_asked_to_log_in_then_sent_back(page_factory):
    page = page_factory()
    page.goto("/")
    href = page.locator("article.card .card-title a").first.get_attribute("href")
    page.goto(href)
    page.locator(".paper-links .vote-button").click()
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Sign up").last.click()
    page.get_by_label("Email").fill("dan@example.org")
    page.get_by_label("Handle").fill("dan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))


def test_comment_edit_and_delete(page_factory):
    page = page_factory()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/")
    sign_up(page, "eve")
    page.locator("article.card .card-title a").nth(1).click()
    page.wait_for_url(re.compile(r"/papers/"))
    url = page.url

    page.get_by_label("Add a comment").fill("Nice **result**. <script>alert(1)</script>")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator("li.comment").filter(has_text="Nice")
    comment.wait_for()
    assert comment.locator(".comment-body strong").inner_text() == "result"
    assert "<script>alert(1)</script>" in comment.locator(".comment-body").inner_text()
    assert page.url == url and dialogs == []
    # A fixed time in the picture, so the committed screenshot does not change on every run.
    comment.locator(".comment-meta time").evaluate("e => { e.textContent = 'Nov 29, 2026 09:00' }")
    page.locator("#comments").screenshot(path=str(SCREENSHOTS / "comments-desktop.png"))

    comment.get_by_role("link", name="Edit").click()
    page.get_by_label("Comment").fill("Nice *result*, on reflection.")
    page.get_by_role("button", name="Save").click()
    edited = page.locator("li.comment").filter(has_text="on reflection")
    assert edited.locator(".comment-body em").inner_text() == "result"
    assert "edited" in edited.locator(".comment-meta").inner_text()

    edited.get_by_role("button", name="Delete").click()
    page.wait_for_load_state()
    assert page.locator("li.comment").filter(has_text="on reflection").count() == 0
    assert page.console_errors == [] and dialogs == []


def test_submit_a_paper_by_arxiv_id(page_factory, site):
    site.arxiv.add(
        ArxivEntry(
            arxiv_id="2611.04321",
            title="Retrieval Heads Explain Long-Context Factuality",
            abstract="We find the heads that retrieve, and show what they explain.",
            published=datetime.now(UTC) - timedelta(days=1),
        )
    )
    site.arxiv.add(
        ArxivEntry(
            arxiv_id="2601.00007",
            title="An Older Paper",
            abstract="Too old to list.",
            published=datetime.now(UTC) - timedelta(days=90),
        )
    )
    page = page_factory()
    page.goto("/")
    sign_up(page, "fay")
    page.get_by_role("link", name="Submit").click()
    box = page.get_by_label("arXiv id or link")

    box.fill("2601.00007")
    page.get_by_role("button", name="Submit").click()
    assert "only papers from the last 14 days" in page.locator(".form-error").inner_text()
    page.get_by_label("arXiv id or link").fill("2611.99999")
    page.get_by_role("button", name="Submit").click()
    assert "arXiv has no paper 2611.99999" in page.locator(".form-error").inner_text()

    page.get_by_label("arXiv id or link").fill("https://arxiv.org/abs/2611.04321v1")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/papers/2611\.04321"))
    assert "Retrieval Heads Explain" in page.locator("h1").first.inner_text()

    page.goto("/")
    card = page.locator("article.card").filter(has_text="Retrieval Heads Explain")
    assert "submitted by fay" in card.inner_text()

    page.get_by_role("link", name="Submit").click()
    page.get_by_label("arXiv id or link").fill("2611.04321")
    page.get_by_role("button", name="Submit").click()
    assert "already listed" in page.locator(".form-error").inner_text()
    assert page.console_errors == []
