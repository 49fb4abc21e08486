"""Errors raised by the search backends."""

from __future__ import annotations


class SearchError(Exception):
    """Base class of every search error."""


class SearchUnavailable(SearchError):
    """The index cannot be read or written (missing files, database down)."""


class SearchQueryError(SearchError):
    """The search parameters are invalid; the message is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SearchConfigError(SearchError):
    """The search URL names an unknown backend or is malformed."""
