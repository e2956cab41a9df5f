"""A visitor browses the real site in chromium: today's list, other days, search, a paper;
on a desktop and a phone-width screen, in light and dark colour schemes."""

from __future__ import annotations

import re

import pytest
from screens import DESKTOP, PHONE, SCREENSHOTS


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_browse_today_then_step_back_and_forward_a_day(page_factory):
    page = page_factory()
    page.goto("/")
    assert page.locator("h1").first.inner_text().startswith("Daily Papers")
    cards = page.locator("article.card")
    assert cards.count() > 3
    first_day = page.locator("h1 small").inner_text()

    page.get_by_role("link", name="← Previous").first.click()
    page.wait_for_url(re.compile(r"/papers/date/\d{4}-\d{2}-\d{2}$"))
    earlier_day = page.locator("h1 small").inner_text()
    assert earlier_day != first_day
    assert page.locator("article.card").count() > 0

    page.get_by_role("link", name="Next →").first.click()
    page.wait_for_url(re.compile(r"/papers/date/\d{4}-\d{2}-\d{2}$"))
    assert page.locator("h1 small").inner_text() == first_day
    assert page.console_errors == []


def test_search_then_open_a_paper(page_factory):
    page = page_factory()
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search papers")
    box.fill("attention")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=attention"))
    results = page.locator("article.card")
    assert results.count() > 0
    assert page.locator(".snippet mark, .snippet b").count() > 0  # matches are highlighted
    title = results.first.locator(".card-title a").inner_text()

    results.first.locator(".card-title a").click()
    page.wait_for_url(re.compile(r"/papers/"))
    assert page.locator("h1").first.inner_text().strip() != ""
    assert title.split()[0] in page.locator("h1").first.inner_text()
    assert page.locator("#comment-thread").count() == 1
    assert page.console_errors == []


def test_a_pasted_arxiv_id_goes_to_the_paper(page_factory):
    page = page_factory()
    page.goto("/")
    href = page.locator("article.card .card-title a").first.get_attribute("href")
    paper_id = href.removeprefix("/papers/")
    page.get_by_role("searchbox", name="Search papers").fill(f"https://arxiv.org/abs/{paper_id}")
    page.get_by_role("searchbox", name="Search papers").press("Enter")
    page.wait_for_url(re.compile(rf"/papers/{re.escape(paper_id)}$"))


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_pages_fit_the_screen_and_are_saved_as_screenshots(page_factory, name, viewport):
    page = page_factory(viewport)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    paper_href = page.locator("article.card .card-title a").first.get_attribute("href")
    for label, path in (
        ("home", "/"),
        ("paper", paper_href),
        ("search", "/search?q=diffusion+language+models"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert no_horizontal_scroll(page), f"{label} scrolls sideways at {viewport['width']} px"
        page.screenshot(path=str(SCREENSHOTS / f"{label}-{name}.png"))
    assert page.console_errors == []


def test_dark_colour_scheme_is_followed(page_factory):
    light = page_factory(PHONE, color_scheme="light")
    dark = page_factory(PHONE, color_scheme="dark")
    background = "getComputedStyle(document.body).backgroundColor"
    light.goto("/")
    dark.goto("/")
    assert light.evaluate(background) == "rgb(255, 255, 255)"
    red, green, blue = map(int, re.findall(r"\d+", dark.evaluate(background))[:3])
    assert red + green + blue < 120  # a dark background
    dark.wait_for_load_state("networkidle")
    dark.screenshot(path=str(SCREENSHOTS / "home-phone-dark.png"))


def test_phone_menu_and_cards_stay_usable(page_factory):
    page = page_factory(PHONE)
    page.goto("/")
    assert page.get_by_role("searchbox", name="Search papers").is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()
    first_card = page.locator("article.card").first
    box = first_card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    vote = first_card.locator(".vote-button")
    assert vote.is_visible()
