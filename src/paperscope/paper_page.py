"""One paper as its page shows it: details, counts, listings, code, BibTeX (pure + one read)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from paperscope.catalog import find_paper
from paperscope.feeds import CodeRepo, arxiv_links, repo_name
from paperscope.store import Store
from paperscope.store import feeds as queries
from paperscope.store.papers import as_date, as_utc


@dataclass(slots=True)
class Listing:
    listing_date: date
    position: int
    submitted_by: str | None
    imported_upvotes: int
    imported_comments: int
    organization: str | None


@dataclass(slots=True)
class PaperView:
    """Everything the paper page and ``/api/papers/{id}`` show about one paper."""

    paper_id: str
    arxiv_id: str | None
    version: int | None
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    primary_category: str | None
    published: datetime | None
    updated: datetime | None
    doi: str | None
    journal_ref: str | None
    comments: str | None
    license: str | None
    submitter: str | None
    project_page: str | None
    arxiv_url: str | None
    pdf_url: str | None
    code: list[CodeRepo]
    listings: list[Listing]
    upvotes: int
    imported_upvotes: int
    local_votes: int
    num_comments: int
    bibtex: str

    @property
    def first_listed(self) -> date | None:
        return self.listings[0].listing_date if self.listings else None


def bibtex_entry(
    *,
    paper_id: str,
    arxiv_id: str | None,
    title: str,
    authors: list[str],
    published: datetime | None,
    primary_category: str | None,
    doi: str | None,
) -> str:
    """A BibTeX ``@misc`` entry in the form arXiv itself exports (pure)."""
    year = published.year if published else None
    first = authors[0].split()[-1] if authors else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3), "paper")
    key = re.sub(r"[^A-Za-z0-9]", "", f"{first}{year or ''}{word}").lower() or paper_id
    fields = [
        ("title", _braced(title)),
        ("author", " and ".join(_braced(a) for a in authors)),
        ("year", str(year) if year else None),
        ("eprint", arxiv_id),
        ("archivePrefix", "arXiv" if arxiv_id else None),
        ("primaryClass", primary_category),
        ("doi", doi),
        ("url", f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
    ]
    lines = [f"  {name}={{{value}}}," for name, value in fields if value]
    return "@misc{" + key + ",\n" + "\n".join(lines) + "\n}\n"


def _braced(text: str) -> str:
    """Drop braces that would unbalance the entry; keep LaTeX otherwise."""
    depth = 0
    out = []
    for char in " ".join(text.split()):
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + "}" * depth


def paper_view(paper: dict[str, Any], engagement: dict[str, int]) -> PaperView:
    """The page's view of a stored paper (``store.papers.get_paper``) and its counts (pure)."""
    listings = [
        Listing(
            listing_date=as_date(row["listing_date"]),
            position=int(row["position"] or 0),
            submitted_by=row["submitted_by"],
            imported_upvotes=int(row["imported_upvotes"] or 0),
            imported_comments=int(row["imported_comments"] or 0),
            organization=row["organization"],
        )
        for row in paper.get("listings", [])
    ]
    imported = max((item.imported_upvotes for item in listings), default=0)
    imported_comments = max((item.imported_comments for item in listings), default=0)
    published = as_utc(paper["published"]) if paper.get("published") else None
    updated = as_utc(paper["updated"]) if paper.get("updated") else None
    abs_url, pdf_url = arxiv_links(paper.get("arxiv_id"))
    repos = sorted(paper.get("code_repos", []), key=lambda r: r["host"] != "github")
    authors = list(paper.get("authors") or [])
    return PaperView(
        paper_id=paper["id"],
        arxiv_id=paper.get("arxiv_id"),
        version=paper.get("version"),
        title=paper["title"],
        authors=authors,
        abstract=paper.get("abstract") or "",
        categories=list(paper.get("categories") or []),
        primary_category=paper.get("primary_category"),
        published=published,
        updated=updated,
        doi=paper.get("doi"),
        journal_ref=paper.get("journal_ref"),
        comments=paper.get("comments"),
        license=paper.get("license"),
        submitter=paper.get("submitter"),
        project_page=paper.get("project_page"),
        arxiv_url=abs_url,
        pdf_url=pdf_url,
        code=[CodeRepo(r["url"], r["host"], r["stars"], repo_name(r["url"])) for r in repos],
        listings=listings,
        upvotes=imported + engagement["votes"],
        imported_upvotes=imported,
        local_votes=engagement["votes"],
        num_comments=imported_comments + engagement["comments"],
        bibtex=bibtex_entry(
            paper_id=paper["id"],
            arxiv_id=paper.get("arxiv_id"),
            title=paper["title"],
            authors=authors,
            published=published,
            primary_category=paper.get("primary_category"),
            doi=paper.get("doi"),
        ),
    )


def load_paper(store: Store, reference: str) -> PaperView | None:
    """A visible paper by id, arXiv id or arXiv URL; None when unknown or hidden."""
    paper = find_paper(store, reference)
    if paper is None or paper.get("hidden"):
        return None
    with store.read() as conn:
        counts = queries.engagement(conn, paper["id"])
    return paper_view(paper, counts)


def load_papers(store: Store, paper_ids: list[str]) -> list[PaperView]:
    """Views of these papers in the given order, skipping unknown and hidden ones."""
    with store.read() as conn:
        found = queries.visible_papers(conn, paper_ids)
    return [
        paper_view(
            found[paper_id],
            {
                "votes": found[paper_id]["local_votes"],
                "comments": found[paper_id]["local_comments"],
            },
        )
        for paper_id in paper_ids
        if paper_id in found
    ]
