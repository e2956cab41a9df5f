"""Security of the accounts and community pages: XSS payloads come back inert, CSRF is
enforced on every state-changing route, and ``next=`` never redirects off the site."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from community_data import recent_entry
from webclient import Visitor

from factories import ingest_list, listed, record
from paperscope.web.app import create_app
from paperscope.web.auth import safe_next

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
]


@pytest.fixture
def store_url(data_dir):
    """SQLite only: these tests are about the HTTP layer; test_web_community covers both stores."""
    return f"sqlite:///{data_dir / 'paperscope.db'}"


@pytest.fixture
def app(community_settings):
    application = create_app(community_settings)
    ingest_list(
        application.state.store,
        [record(arxiv_id="2401.00001", listing=listed("2024-01-03", upvotes=1))],
    )
    yield application
    application.state.store.dispose()


class _Markup(HTMLParser):
    """Collects the elements a browser would build from a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def assert_inert(html: str) -> None:
    """No payload survives as markup: no inline script, handler, image or javascript: URL."""
    parser = _Markup()
    parser.feed(html)
    assert parser.script_text == []
    for tag, attrs in parser.elements:
        assert tag != "img", attrs
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), (tag, attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_in_a_comment_is_shown_as_text(app, payload):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/papers/2401.00001")
    assert ada.post("/papers/2401.00001/comments", {"body": payload}).status_code == 303
    page = ada.get("/papers/2401.00001")
    assert_inert(page.text)
    assert "alert(1)" in page.text  # shown, as text
    thread = ada.htmx("/papers/2401.00001/comments", {"body": payload})
    assert_inert(thread.text)
    ada.get("/comments/1/edit")
    assert_inert(ada.get("/comments/1/edit").text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_in_sign_up_and_log_in_fields_is_escaped(app, payload):
    visitor = Visitor(app)
    visitor.get("/signup")
    refused = visitor.post(
        "/signup", {"email": payload, "handle": payload, "password": "long enough pw"}
    )
    assert refused.status_code == 422
    assert_inert(refused.text)
    visitor.get("/login")
    refused = visitor.post("/login", {"email": payload, "password": payload})
    assert refused.status_code == 401
    assert_inert(refused.text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_in_the_submit_box_is_escaped(app, payload):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/submit")
    refused = ada.post("/submit", {"arxiv": payload})
    assert refused.status_code == 422 and "not an arXiv id" in refused.text
    assert_inert(refused.text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_in_the_search_box_and_next_links_is_escaped(app, payload):
    visitor = Visitor(app)
    assert_inert(visitor.get("/search", params={"q": payload}).text)
    assert_inert(visitor.get("/login", params={"next": payload}).text)
    assert_inert(visitor.get("/signup", params={"next": "/" + payload}).text)
    assert_inert(visitor.get("/papers/2401.00001", params={"x": payload}).text)


def test_a_submitted_paper_with_markup_in_its_title_is_escaped(app, arxiv):
    arxiv.add(recent_entry("2611.01234", title='<script>alert(1)</script> & "quotes" $x<y$'))
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/submit")
    assert ada.post("/submit", {"arxiv": "2611.01234"}).status_code == 303
    for path in ("/", "/papers/2611.01234"):
        page = ada.get(path)
        assert_inert(page.text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page.text


STATE_CHANGING = [
    ("/signup", {"email": "a@example.org", "handle": "ada", "password": "long enough pw"}),
    ("/login", {"email": "a@example.org", "password": "long enough pw"}),
    ("/logout", {}),
    ("/submit", {"arxiv": "2611.01234"}),
    ("/papers/2401.00001/vote", {"next": "/"}),
    ("/papers/2401.00001/comments", {"body": "hi"}),
    ("/comments/1/edit", {"body": "hi"}),
    ("/comments/1/delete", {}),
    ("/comments/1/hide", {"hidden": "true"}),
    ("/admin/papers/2401.00001/hide", {"hidden": "true"}),
    ("/account/password", {"current_password": "x", "new_password": "long enough pw"}),
    ("/account/delete", {"password": "x"}),
]


@pytest.mark.parametrize(("path", "form"), STATE_CHANGING, ids=[p for p, _ in STATE_CHANGING])
def test_every_form_post_needs_the_csrf_token(app, path, form):
    ada = Visitor(app)
    ada.sign_up("ada")
    ada.get("/")
    client = ada.client
    missing = client.post(path, data=form, follow_redirects=False)
    assert missing.status_code == 403 and "security token" in missing.text
    forged = client.post(path, data={**form, "csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    # A token from another browser does not fit this browser's cookie.
    other = Visitor(app)
    other.get("/")
    stolen = client.post(path, data={**form, "csrf_token": other.token}, follow_redirects=False)
    assert stolen.status_code == 403
    # The right token, but sent by a page on another site.
    cross = client.post(
        path,
        data={**form, "csrf_token": ada.token},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross.status_code == 403
    # The htmx header is checked the same way.
    header = client.post(
        path, data=form, headers={"X-CSRF-Token": "f" * 64}, follow_redirects=False
    )
    assert header.status_code == 403


def test_a_first_visit_post_without_any_cookie_is_refused(app):
    fresh = Visitor(app)
    response = fresh.client.post(
        "/login", data={"email": "a@b.org", "password": "x", "csrf_token": "abc"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "/\t/evil.example",
    ],
)
def test_next_never_leaves_the_site(app, target):
    ada = Visitor(app)
    ada.get("/signup")
    signed = ada.post(
        "/signup",
        {"email": "ada@example.org", "handle": "ada", "password": "long enough pw", "next": target},
    )
    assert signed.headers["location"] == "/"
    ada.post("/logout")
    ada.get("/login")
    logged = ada.post(
        "/login", {"email": "ada@example.org", "password": "long enough pw", "next": target}
    )
    assert logged.headers["location"] == "/"
    voted = ada.post("/papers/2401.00001/vote", {"next": target})
    assert voted.headers["location"] == "/papers/2401.00001"


def test_safe_next_keeps_paths_on_this_site():
    assert safe_next("/papers/2405.15738?x=1#comments") == "/papers/2405.15738?x=1#comments"
    assert safe_next("/search?q=a%2F%2Fb") == "/search?q=a%2F%2Fb"
    assert safe_next(None) == "/" and safe_next("", "/x") == "/x"


@pytest.mark.parametrize(
    "html",
    [
        "<p><img src=x onerror=alert(1)></p>",
        "<script>alert(1)</script>",
        '<a href=" javascript:alert(1)">x</a>',
        '<div onmouseover="alert(1)">x</div>',
    ],
)
def test_the_inertness_check_catches_live_markup(html):
    with pytest.raises(AssertionError):
        assert_inert(html)


def test_api_and_feeds_get_no_csrf_cookie_but_pages_do(app):
    visitor = Visitor(app)
    assert "set-cookie" not in visitor.client.get("/api/papers/2401.00001/comments").headers
    assert "ps_csrf=" in visitor.client.get("/").headers["set-cookie"]


def test_a_proxy_rewriting_host_still_lets_same_site_forms_through(community_settings):
    app = create_app(community_settings.model_copy(update={"base_url": "https://papers.example"}))
    visitor = Visitor(app, base_url="https://internal:8000")
    visitor.get("/signup")
    signed = visitor.post(
        "/signup",
        {"email": "ada@example.org", "handle": "ada", "password": "long enough pw"},
        headers={"origin": "https://papers.example"},
    )
    assert signed.status_code == 303
    app.state.store.dispose()
