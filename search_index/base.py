"""The ``SearchIndex`` interface every search backend implements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from search_index.documents import SearchDocument, SearchPage, SearchQuery


class SearchIndex(Protocol):
    """A derived, rebuildable index of published datasets (the database is the truth)."""

    def upsert(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id; visible to new searches within a second."""
        ...

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        ...

    def replace_all(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the whole index with ``documents``; return how many were indexed."""
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits matching every word of ``query.text`` with facet counts."""
        ...

    def count(self) -> int:
        """Return how many documents the index holds."""
        ...

    def outdated(self) -> bool:
        """True when the stored index lacks fields this version writes (built by an older
        version): it takes no new documents, and only searches that do not use the missing
        field work, until ``replace_all`` rebuilds it (start-up does)."""
        ...

    def ping(self) -> None:
        """Raise ``SearchUnavailable`` when the index cannot be read."""
        ...
