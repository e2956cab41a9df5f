"""The lexical index: tantivy (BM25) over titles, abstracts, authors and categories.

Derived from the store and rebuildable from it (see ``paperscope.index.sync``). Queries are
built from a ``ParsedQuery`` clause by clause, never through tantivy's query language, so no
user input can make a query fail.

Ranking: BM25 over ``text`` (title and abstract as one document, the "flat" BM25 that scores
best on SciFact) plus ``title_boost`` times BM25 over the title alone, so a word in the title
counts more than the same word in the abstract. The bonus was chosen on SciFact's train claims
(docs/search.md).
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import tantivy
from tantivy import Document, FieldType, Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

from paperscope.models import PaperscopeError

# Bump when the schema changes: an index with another version is rebuilt from the store.
SCHEMA_VERSION = 2
SNIPPET_CHARS = 240
_WRITER_HEAP = 64_000_000


@dataclass(frozen=True, slots=True)
class IndexedPaper:
    """What the lexical index holds for one paper."""

    id: str
    title: str
    abstract: str
    authors: Sequence[str] = ()
    categories: Sequence[str] = ()
    published: datetime | date | None = None
    has_code: bool = False


@dataclass(frozen=True, slots=True)
class Constraints:
    """Filters and operators that restrict which papers may match (all must hold).

    ``category_groups``: each group is any-of (``cat:cs.CL cat:cs.LG``), every group required.
    ``authors``: every name must appear among the paper's authors (as a phrase).
    """

    since: date | None = None
    until: date | None = None
    category_groups: tuple[tuple[str, ...], ...] = ()
    authors: tuple[str, ...] = ()
    has_code: bool = False
    excluded: tuple[str, ...] = ()

    @property
    def restricts(self) -> bool:
        return bool(
            self.since
            or self.until
            or self.category_groups
            or self.authors
            or self.has_code
            or self.excluded
        )


@dataclass(frozen=True, slots=True)
class LexicalHit:
    paper_id: str
    score: float


def day_number(value: datetime | date | None) -> int:
    """A date as the integer YYYYMMDD (0 when unknown): sortable and range-searchable."""
    if value is None:
        return 0
    return value.year * 10_000 + value.month * 100 + value.day


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    # "text" is title + abstract, ranked as one BM25 document; "title" adds a bonus on top.
    builder.add_text_field("text", tokenizer_name="en_stem")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("authors", tokenizer_name="default")
    builder.add_text_field("categories", tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("day", indexed=True, fast=True)
    builder.add_unsigned_field("has_code", indexed=True)
    return builder.build()


# The same steps as tantivy's built-in "en_stem" and "default" tokenizers, to turn query words
# into the terms the index holds.
_STEMMED = (
    TextAnalyzerBuilder(Tokenizer.simple())
    .filter(Filter.remove_long(40))
    .filter(Filter.lowercase())
    .filter(Filter.stemmer("english"))
    .build()
)
_PLAIN = (
    TextAnalyzerBuilder(Tokenizer.simple())
    .filter(Filter.remove_long(40))
    .filter(Filter.lowercase())
    .build()
)


def category_terms(categories: Iterable[str]) -> list[str]:
    """Index terms for categories: each one lower-cased, plus its archive (``cs.CL`` -> ``cs``)."""
    terms: list[str] = []
    for category in categories:
        value = category.strip().lower()
        for term in (value, value.split(".")[0]):
            if term and term not in terms:
                terms.append(term)
    return terms


class LexicalIndex:
    """A tantivy index in a folder; one writer at a time, any number of readers."""

    def __init__(self, path: Path, *, title_boost: float = 0.25) -> None:
        self.path = path
        self.title_boost = title_boost
        self.schema = _schema()
        path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as error:
            raise PaperscopeError(
                f"the search index at {path} cannot be opened ({error}); "
                "run `paperscope index rebuild`"
            ) from error
        self._writer: tantivy.IndexWriter | None = None

    @classmethod
    def create_empty(cls, path: Path, *, title_boost: float = 0.25) -> LexicalIndex:
        """A fresh, empty index at ``path`` (whatever was there is removed)."""
        if path.exists():
            shutil.rmtree(path)
        return cls(path, title_boost=title_boost)

    # -- writing -------------------------------------------------------------------------

    def _writer_or_open(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
            except ValueError as error:
                raise PaperscopeError(
                    f"the search index at {self.path} is being written by another process"
                ) from error
        return self._writer

    def upsert(self, papers: Iterable[IndexedPaper]) -> int:
        """Replace each paper's document (delete by id, then add): never a duplicate."""
        writer = self._writer_or_open()
        count = 0
        for paper in papers:
            writer.delete_documents("id", paper.id)
            writer.add_document(self._document(paper))
            count += 1
        return count

    def delete(self, paper_ids: Iterable[str]) -> None:
        writer = self._writer_or_open()
        for paper_id in paper_ids:
            writer.delete_documents("id", paper_id)

    def commit(self) -> None:
        """Make the writes durable and visible to new searches."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    def _document(self, paper: IndexedPaper) -> Document:
        doc = Document()
        doc.add_text("id", paper.id)
        doc.add_text("text", f"{paper.title}\n{paper.abstract}")
        doc.add_text("title", paper.title)
        for author in paper.authors:
            doc.add_text("authors", author)
        for term in category_terms(paper.categories):
            doc.add_text("categories", term)
        doc.add_unsigned("day", day_number(paper.published))
        doc.add_unsigned("has_code", int(paper.has_code))
        return doc

    # -- reading -------------------------------------------------------------------------

    def count(self) -> int:
        """Documents in the index (deleted ones excluded)."""
        self.index.reload()
        return int(self.index.searcher().num_docs)

    def all_ids(self) -> list[str]:
        """Every indexed id (duplicates included, if there ever were any)."""
        searcher = self.index.searcher()
        total = searcher.num_docs
        if not total:
            return []
        hits = searcher.search(Query.all_query(), limit=total, count=False).hits
        return [str(searcher.doc(address).get_first("id")) for _score, address in hits]

    def search(
        self,
        terms: Sequence[str],
        phrases: Sequence[str],
        constraints: Constraints,
        *,
        limit: int,
    ) -> tuple[list[LexicalHit], int]:
        """BM25 top ``limit`` for the words and phrases, within the constraints; and the count.

        Words are OR-ed (more shared words rank higher); phrases are required. With no words
        and no phrases, every paper within the constraints matches, newest first.
        """
        text_query = self.text_query(terms, phrases)
        searcher = self.index.searcher()
        if text_query is None:
            query = self._constrained(Query.all_query(), constraints)
            result = searcher.search(query, limit=max(limit, 1), order_by_field="day")
        else:
            query = self._constrained(text_query, constraints)
            result = searcher.search(query, limit=max(limit, 1))
        hits = [
            LexicalHit(str(searcher.doc(address).get_first("id")), float(score))
            for score, address in result.hits
        ]
        return hits[:limit], int(getattr(result, "count", 0) or 0)

    def matching_ids(self, constraints: Constraints, *, limit: int) -> list[str]:
        """Ids of papers within the constraints (used to filter the vector side the same way)."""
        hits, _count = self.search((), (), constraints, limit=limit)
        return [hit.paper_id for hit in hits]

    def count_matching(self, constraints: Constraints) -> int:
        """How many papers are within the constraints (no documents are read)."""
        query = self._constrained(Query.all_query(), constraints)
        return int(getattr(self.index.searcher().search(query, limit=1), "count", 0) or 0)

    def within(self, paper_ids: Sequence[str], constraints: Constraints) -> set[str]:
        """Which of ``paper_ids`` are indexed and within the constraints."""
        if not paper_ids:
            return set()
        ids_query = Query.term_set_query(self.schema, "id", list(paper_ids))
        hits, _count = self._search_query(self._constrained(ids_query, constraints), len(paper_ids))
        return {hit.paper_id for hit in hits}

    def _search_query(self, query: Query, limit: int) -> tuple[list[LexicalHit], int]:
        searcher = self.index.searcher()
        result = searcher.search(query, limit=max(limit, 1))
        hits = [
            LexicalHit(str(searcher.doc(address).get_first("id")), float(score))
            for score, address in result.hits
        ]
        return hits, int(getattr(result, "count", 0) or 0)

    def text_query(self, terms: Sequence[str], phrases: Sequence[str]) -> Query | None:
        """The ranking part of a query: each word over title + abstract with a title bonus,
        OR-ed; each phrase required in the title or the abstract."""
        clauses: list[tuple[Occur, Query]] = []
        # One flat OR of term queries (a word's title bonus beside its title + abstract
        # match) scores the same as a nested OR per word, and is ~40% faster at 200k papers.
        for word in dict.fromkeys(t for term in terms for t in _STEMMED.analyze(term)):
            clauses.extend(self._over_text_fields(word))
        for phrase in phrases:
            words = _STEMMED.analyze(phrase)
            if not words:
                continue
            if len(words) == 1:
                required = Query.boolean_query(self._over_text_fields(words[0]))
                clauses.append((Occur.Must, required))
                continue
            either = Query.boolean_query(
                [
                    (
                        Occur.Should,
                        Query.boost_query(_phrase(self.schema, "title", words), self.title_boost),
                    ),
                    (Occur.Should, _phrase(self.schema, "text", words)),
                ]
            )
            clauses.append((Occur.Must, either))
        if not clauses:
            return None
        return Query.boolean_query(clauses)

    def _over_text_fields(self, word: str) -> list[tuple[Occur, Query]]:
        """A word's clauses: its match in title + abstract, and its title bonus."""
        return [
            (
                Occur.Should,
                Query.boost_query(Query.term_query(self.schema, "title", word), self.title_boost),
            ),
            (Occur.Should, Query.term_query(self.schema, "text", word)),
        ]

    def _constrained(self, query: Query, constraints: Constraints) -> Query:
        if not constraints.restricts:
            return query
        clauses: list[tuple[Occur, Query]] = [(Occur.Must, query)]
        if constraints.since or constraints.until:
            low = day_number(constraints.since) if constraints.since else 1
            high = day_number(constraints.until) if constraints.until else 99_991_231
            clauses.append(
                (
                    Occur.Must,
                    Query.range_query(self.schema, "day", FieldType.Unsigned, low, high),
                )
            )
        for group in constraints.category_groups:
            values = [c.strip().lower() for c in group if c.strip()]
            clauses.append((Occur.Must, Query.term_set_query(self.schema, "categories", values)))
        for author in constraints.authors:
            words = _PLAIN.analyze(author)
            if not words:
                continue
            author_query = (
                Query.term_query(self.schema, "authors", words[0])
                if len(words) == 1
                else _phrase(self.schema, "authors", words)
            )
            clauses.append((Occur.Must, author_query))
        if constraints.has_code:
            # A range, not a term: a Python int term is taken as signed and matches nothing.
            code = Query.range_query(self.schema, "has_code", FieldType.Unsigned, 1, 1)
            clauses.append((Occur.Must, code))
        for excluded in constraints.excluded:
            words = _STEMMED.analyze(excluded)
            if len(words) == 1:
                excluded_word = Query.boolean_query(self._over_text_fields(words[0]))
                clauses.append((Occur.MustNot, excluded_word))
            elif words:
                for field_name in ("text",):
                    phrase = _phrase(self.schema, field_name, words)
                    clauses.append((Occur.MustNot, phrase))
        return Query.boolean_query(clauses)

    def snippet(self, terms: Sequence[str], phrases: Sequence[str], abstract: str) -> str:
        """The abstract's best passage for these words, as safe HTML with ``<b>`` highlights."""
        words = list(
            dict.fromkeys(w for text in (*terms, *phrases) for w in _STEMMED.analyze(text))
        )
        if words:
            query = Query.boolean_query(
                [(Occur.Should, Query.term_query(self.schema, "text", w)) for w in words]
            )
            generator = tantivy.SnippetGenerator.create(
                self.index.searcher(), query, self.schema, "text"
            )
            generator.set_max_num_chars(SNIPPET_CHARS)
            doc = Document()
            doc.add_text("text", abstract)
            snippet = generator.snippet_from_doc(doc)
            if snippet.highlighted():
                return str(snippet.to_html())
        return plain_snippet(abstract)


def _phrase(schema: tantivy.Schema, field_name: str, words: Sequence[str]) -> Query:
    terms: list[str | tuple[int, str]] = list(words)
    return Query.phrase_query(schema, field_name, terms)


def plain_snippet(abstract: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of an abstract, cut at a word and HTML-escaped."""
    text = " ".join(abstract.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return html.escape(text)
