"""Search backends behind the ``SearchIndex`` interface.

``open_search_index(url)`` picks the backend from the URL scheme: ``whoosh:///path`` (the
embedded default) or ``postgresql://...`` (full text in PostgreSQL, for several servers).
"""

from __future__ import annotations

from collections.abc import Callable

from search_index.base import SearchIndex
from search_index.documents import (
    FACET_FIELDS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    QueryTooLong,
    SearchDocument,
    SearchHit,
    SearchPage,
    SearchQuery,
    SortOrder,
    shorten_query_text,
)
from search_index.errors import (
    SearchConfigError,
    SearchError,
    SearchQueryError,
    SearchUnavailable,
)
from search_index.memory import MAX_MEMORY_DOCUMENTS, matching_ids
from search_index.postgres import PostgresIndex
from search_index.query_tree import (
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    Or,
    Present,
    QueryNode,
    Words,
)
from search_index.text import vn_fold, vn_slug
from search_index.whoosh import WhooshIndex

__all__ = [
    "FACET_FIELDS",
    "MAX_MEMORY_DOCUMENTS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "And",
    "DateRange",
    "Everything",
    "Exact",
    "Not",
    "Or",
    "PostgresIndex",
    "Present",
    "QueryNode",
    "QueryTooLong",
    "SearchConfigError",
    "SearchDocument",
    "SearchError",
    "SearchHit",
    "SearchIndex",
    "SearchPage",
    "SearchQuery",
    "SearchQueryError",
    "SearchUnavailable",
    "SortOrder",
    "WhooshIndex",
    "Words",
    "matching_ids",
    "open_search_index",
    "shorten_query_text",
    "vn_fold",
    "vn_slug",
]

_SEARCH_BACKENDS: dict[str, Callable[[str], SearchIndex]] = {
    "whoosh": WhooshIndex.from_url,  # embedded default
    "postgresql": PostgresIndex.from_url,  # scaled alternative
}


def open_search_index(url: str) -> SearchIndex:
    """Open the search index at ``url``, choosing the backend from its scheme.

    Raises ``SearchConfigError`` naming the scheme (never the URL, which may hold a password)
    when no backend handles it, and ``SearchUnavailable`` when the index cannot be opened.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    factory = _SEARCH_BACKENDS.get(scheme)
    if factory is None:
        known = ", ".join(sorted(_SEARCH_BACKENDS))
        raise SearchConfigError(f"unsupported search backend {scheme!r}; use one of: {known}")
    return factory(url)
