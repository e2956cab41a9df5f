"""Text clean-up and code-link extraction, as pure functions."""

from __future__ import annotations

import re

from paperscope.models import CodeLink

_CODE_URL = re.compile(
    r"https?://(?:www\.)?(github\.com|gitlab\.com|huggingface\.co)/"
    r"((?:(?:datasets|spaces)/)?[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+)",
    re.IGNORECASE,
)
_BARE_GITHUB = re.compile(
    r"(?<![\w/.])(github\.com|gitlab\.com)/([A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+)",
    re.IGNORECASE,
)
# First path parts on huggingface.co that are not a model, dataset or space.
_HF_NOT_CODE = {"papers", "docs", "blog", "learn", "api", "collections", "organizations", "posts"}
_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "huggingface.co": "huggingface"}


def clean_text(value: str) -> str:
    """Join arXiv's hard line breaks and indentation into single spaces."""
    return " ".join(value.split())


def code_links(*texts: str | None) -> list[CodeLink]:
    """GitHub, GitLab and Hugging Face repository links found in the texts, normalized, in order.

    ``SVDD{https://github.com/masa-ue/SVDD}`` gives ``https://github.com/masa-ue/SVDD``;
    trailing punctuation, ``.git`` and deeper paths (``/tree/main``) are dropped.
    """
    found: dict[str, CodeLink] = {}
    for text in texts:
        if not text:
            continue
        lowered = text.lower()
        if "github" not in lowered and "gitlab" not in lowered and "huggingface" not in lowered:
            continue  # the common case, and far cheaper than the patterns below
        for pattern in (_CODE_URL, _BARE_GITHUB):
            for match in pattern.finditer(text):
                link = _normalize(match.group(1).lower(), match.group(2))
                if link and link.key not in found:
                    found[link.key] = link
    return list(found.values())


def normalize_code_url(url: str) -> CodeLink | None:
    """A code URL a source gives explicitly (HF ``githubRepo``), normalized like found ones."""
    links = code_links(url if "://" in url else f"https://{url}")
    return links[0] if links else None


def _normalize(host: str, path: str) -> CodeLink | None:
    parts = path.split("/")
    if host == "huggingface.co":
        if parts[0].lower() in _HF_NOT_CODE:
            return None
        parts = parts[:3] if parts[0].lower() in {"datasets", "spaces"} else parts[:2]
    else:
        parts = parts[:2]
    name = parts[-1].rstrip(".,;:)]}'\"")
    if name.lower().endswith(".git"):
        name = name[:-4]
    name = name.rstrip(".")
    if not name:
        return None
    parts[-1] = name
    return CodeLink(url=f"https://{host}/{'/'.join(parts)}", host=_HOSTS[host])
