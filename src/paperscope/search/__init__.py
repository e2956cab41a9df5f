"""Search: query parsing, hybrid lexical + semantic retrieval, similar papers.

The web pages, the API, the digests and the CLI call ``SearchService.search`` and
``SearchService.similar``; ``parse_query`` and ``reciprocal_rank_fusion`` are pure.
"""

from paperscope.search.fusion import reciprocal_rank_fusion
from paperscope.search.query import MAX_QUERY_CHARS, ParsedQuery, parse_query
from paperscope.search.service import SearchService
from paperscope.search.types import MODES, SearchFilters, SearchHit, SearchMode, SearchResults

__all__ = [
    "MAX_QUERY_CHARS",
    "MODES",
    "ParsedQuery",
    "SearchFilters",
    "SearchHit",
    "SearchMode",
    "SearchResults",
    "SearchService",
    "parse_query",
    "reciprocal_rank_fusion",
]
