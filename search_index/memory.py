"""Search a few documents held in memory exactly as the index backends do.

``MemoryState`` answers the questions ``whoosh_search.evaluate`` asks (term and facet-value
document sets, columns, orders, stored fields) from ``SearchDocument``s built on the spot, with
the very terms both backends index (``postgres_sql.posting_keys``). The CKAN API uses it for the
unpublished datasets a member may list (they are never in the index), so a query matches them
as it matches published ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from search_index.bitsets import Bitset, bitset_range
from search_index.documents import SearchDocument, SearchQuery
from search_index.postgres_sql import posting_keys
from search_index.whoosh_fields import document_fields
from search_index.whoosh_search import evaluate

MAX_MEMORY_DOCUMENTS = 500


class MemoryState:
    """The searchable view of a list of documents (document number = position)."""

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        if len(documents) > MAX_MEMORY_DOCUMENTS:
            raise ValueError(f"at most {MAX_MEMORY_DOCUMENTS} documents are searched in memory")
        self.memo: dict[str, Any] = {}
        self.size = len(documents)
        self.live: Bitset = bitset_range(0, self.size)
        self._fields = [document_fields(doc) for doc in documents]
        self._postings: dict[tuple[str, str], Bitset] = {}
        for docnum, doc in enumerate(documents):
            for key in posting_keys(doc):
                self._postings[key] = self._postings.get(key, 0) | (1 << docnum)

    def term_bits(self, field: str, term: str) -> Bitset:
        """Return the documents whose ``field`` holds ``term``."""
        return self._postings.get((field, term), 0)

    def facet_bits(self, field: str) -> dict[str, Bitset]:
        """Return ``{value: documents holding it}`` for a facet field."""
        return {term: bits for (name, term), bits in self._postings.items() if name == field}

    def column(self, name: str) -> list[Any]:
        """Return the per-document values of a sort column."""
        return [fields[name] for fields in self._fields]

    def order(self, name: str, key: Callable[[int], Any]) -> Sequence[int]:
        """Return every document number sorted by ``key``."""
        return sorted(range(self.size), key=key)

    def stored(self, docnum: int) -> dict[str, Any]:
        """Return a document's fields (``id`` among them)."""
        return self._fields[docnum]


def matching_ids(documents: Sequence[SearchDocument], query: SearchQuery) -> list[str]:
    """Return the ids of ``documents`` that ``query`` matches (its ``match``, words and
    filters), every one of them in the query's order (its offset and limit are ignored)."""
    if not documents:
        return []
    state = MemoryState(documents)
    whole = dataclasses.replace(query, offset=0, limit=len(documents), facets=())
    _text, _total, _facets, scored = evaluate(state, whole)
    return [str(state.stored(docnum)["id"]) for docnum, _score in scored]
