"""Compose mails from Jinja templates (pure functions: no store, no clock, no network).

``compose_digest`` turns a subscription and its papers, each with the reason it is included,
into a ``Digest(subject, html, text)``; ``compose_confirmation`` does the same for the
double opt-in mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from paperscope.digests.model import Subscription

TEMPLATES = Path(__file__).parent / "templates"
EXCERPT_CHARS = 280


@dataclass(frozen=True, slots=True)
class DigestPaper:
    """What a digest shows of a paper."""

    id: str
    title: str
    authors: Sequence[str] = ()
    abstract: str = ""
    arxiv_id: str | None = None
    code_url: str | None = None
    stars: int | None = None


@dataclass(frozen=True, slots=True)
class DigestItem:
    """A paper and why this subscription gets it ('Trending: 42 upvotes')."""

    paper: DigestPaper
    reason: str


@dataclass(frozen=True, slots=True)
class Digest:
    """A composed mail: subject line, HTML part, plain-text part."""

    subject: str
    html: str
    text: str
    paper_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class LinkTokens:
    """The signed tokens a digest's links carry."""

    unsubscribe: str
    manage: str


@cache
def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of an abstract, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def author_line(authors: Sequence[str], shown: int = 4) -> str:
    if len(authors) <= shown:
        return ", ".join(authors)
    return ", ".join(authors[:shown]) + f" and {len(authors) - shown} more"


def subject_line(subscription: Subscription, count: int, period: str) -> str:
    noun = "paper" if count == 1 else "papers"
    what = {
        "trending": f"{count} trending {noun}",
        "search": f'{count} new {noun} matching "{subscription.query}"',
        "author": f"{count} new {noun} by {subscription.author}",
        "category": f"{count} new {noun} in {subscription.category}",
    }[subscription.kind]
    when = f"week {period}" if subscription.frequency == "weekly" else period
    # ASCII punctuation: the subject then needs no encoded words (unless the query does).
    return f"{what} - {when}"


@lru_cache(maxsize=8192)
def _item_blocks(paper: DigestPaper, reason: str, base: str) -> tuple[str, str]:
    """One paper's HTML and text blocks. The same paper with the same reason goes to many
    subscribers of a period, so its blocks are rendered once (the function is pure)."""
    item = {
        "title": " ".join(paper.title.split()),
        "authors": author_line(list(paper.authors)),
        "excerpt": excerpt(paper.abstract),
        "reason": reason,
        "paper_url": f"{base}/papers/{paper.id}",
        "arxiv_url": f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None,
        "code_url": paper.code_url,
    }
    return (
        _environment(True).get_template("_item.html").render(item=item),
        _environment(False).get_template("_item.txt").render(item=item),
    )


def compose_digest(
    subscription: Subscription,
    papers_with_reasons: Sequence[DigestItem],
    base_url: str,
    *,
    tokens: LinkTokens,
    period: str,
    site_name: str = "paperscope",
) -> Digest:
    """The digest for one subscription and period (pure)."""
    base = base_url.rstrip("/")
    blocks = [_item_blocks(item.paper, item.reason, base) for item in papers_with_reasons]
    context = {
        "site_name": site_name,
        "subscription": subscription,
        "description": subscription.describe(),
        "period": period,
        "site_url": base,
        "unsubscribe_url": f"{base}/u/{tokens.unsubscribe}",
        "manage_url": f"{base}/subscriptions/manage/{tokens.manage}",
    }
    return Digest(
        subject=subject_line(subscription, len(blocks), period),
        html=_environment(True)
        .get_template("digest.html")
        .render(context, items=[Markup(html) for html, _ in blocks]),
        text=_environment(False)
        .get_template("digest.txt")
        .render(context, items=[text.rstrip("\n") + "\n" for _, text in blocks]),
        paper_ids=tuple(item.paper.id for item in papers_with_reasons),
    )


def compose_confirmation(
    subscription: Subscription, base_url: str, *, confirm_token: str, site_name: str = "paperscope"
) -> Digest:
    """The double opt-in mail: one link that confirms the subscription (pure)."""
    base = base_url.rstrip("/")
    context = {
        "site_name": site_name,
        "description": subscription.describe(),
        "subscription": subscription,
        "confirm_url": f"{base}/subscriptions/confirm/{confirm_token}",
        "site_url": base,
    }
    return Digest(
        subject=f"Confirm your {site_name} subscription",
        html=_environment(True).get_template("confirm.html").render(context),
        text=_environment(False).get_template("confirm.txt").render(context),
    )
