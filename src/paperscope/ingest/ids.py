"""Canonical paper ids: arXiv ids without version, and a stable derived id for the rest."""

from __future__ import annotations

import hashlib
import re
import unicodedata

NEW_STYLE = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
OLD_STYLE = re.compile(r"^([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
# Pages that name one arXiv paper: arXiv's own, and Hugging Face's paper pages.
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/"
    r"|(?:www\.)?huggingface\.co/papers/)",
    re.IGNORECASE,
)
_URL_TAIL = re.compile(r"[?#].*$")
_ARXIV_PREFIX = re.compile(r"^(?:oai:arxiv\.org:|arxiv:)", re.IGNORECASE)
DERIVED_PREFIX = "ps-"


class IdError(ValueError):
    pass


def parse_arxiv_id(raw: str) -> tuple[str, int | None]:
    """``(canonical id, version)`` from any way a source writes an arXiv id.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2405.15738v2.pdf")
    ('2405.15738', 2)
    >>> parse_arxiv_id("arXiv:quant-ph/0602109")
    ('quant-ph/0602109', None)
    >>> parse_arxiv_id("https://huggingface.co/papers/2608.19880#community")
    ('2608.19880', None)
    """
    value, is_url = _URL_PREFIX.subn("", raw.strip())
    if is_url:
        value = _URL_TAIL.sub("", value)  # a page's ?query or #fragment
    value = _ARXIV_PREFIX.sub("", value).strip().rstrip("/")
    if value.lower().endswith(".pdf"):
        value = value[:-4]
    for pattern in (NEW_STYLE, OLD_STYLE):
        match = pattern.match(value)
        if match:
            version = int(match.group(2)) if match.group(2) else None
            return match.group(1), version
    raise IdError(f"not an arXiv id: {raw!r}")


def looks_like_arxiv_id(raw: str) -> bool:
    try:
        parse_arxiv_id(raw)
    except IdError:
        return False
    return True


def title_key(title: str) -> str:
    """A title folded for matching: NFKC, lower case, letters and digits only, single spaces."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", folded))[:255]


def derived_id(title: str) -> str:
    """A stable id for a paper that carries none, from its folded title."""
    digest = hashlib.sha1(title_key(title).encode("utf-8")).hexdigest()
    return f"{DERIVED_PREFIX}{digest[:16]}"
