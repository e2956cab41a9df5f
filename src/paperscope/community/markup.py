"""Comment text to safe HTML: a small Markdown subset, never raw HTML, links marked nofollow.

Two layers: markdown-it-py with HTML disabled (so ``<script>`` stays text and ``javascript:``
links are not made into links), then nh3 keeps only the tags and URL schemes listed here.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "br",
    "hr",
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener noreferrer"
MAX_COMMENT = 5000


@cache
def _markdown() -> MarkdownIt:
    # Images are off: a remote image in a comment would let its author track every reader.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])


def render_comment(body: str) -> str:
    """The HTML of a comment body (pure). Safe to insert unescaped into a page."""
    html = _markdown().render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
    )
