"""A typed boolean query over the index's fields, evaluated the same way by every backend.

Callers (the CKAN API parses Solr syntax into it) build a tree of these nodes and put it in
``SearchQuery.match``; ``query_match.match_bits`` evaluates it on the bitsets both backends
answer with, so Whoosh and PostgreSQL give the same hits.

Leaves:

* ``Words(field, text, phrase)``: every word of ``text`` (folded, so ``hoa`` finds ``Hòa``) in
  ``text`` (title, description, tags and themes) or ``title``; a ``phrase`` also needs each
  adjacent pair of words side by side in one field.
* ``Exact(field, value)``: a whole value of ``name``, ``id`` or a facet field.
* ``Present(field)``: any value of a facet field.
* ``DateRange(field, low, high, ...)``: ``modified`` or ``created`` within bounds.
* ``Everything()``.

Branches: ``And``, ``Or`` (an empty ``Or`` matches nothing) and ``Not``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from search_index.documents import FACET_FIELDS

WORD_FIELDS_OF_QUERY = ("text", "title")
EXACT_FIELDS = ("name", "id", *FACET_FIELDS)
DATE_FIELDS = ("modified", "created")


@dataclass(frozen=True)
class Everything:
    """Every live document."""


@dataclass(frozen=True)
class Words:
    """Every word of ``text`` in ``field`` (``text`` or ``title``), side by side if ``phrase``."""

    field: str
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Exact:
    """Documents whose ``field`` (``name``, ``id`` or a facet field) has exactly ``value``."""

    field: str
    value: str


@dataclass(frozen=True)
class Present:
    """Documents with any value in the facet ``field``."""

    field: str


@dataclass(frozen=True)
class DateRange:
    """Documents whose ``field`` (``modified``/``created``) lies within the bounds (None: open)."""

    field: str
    low: datetime | None
    high: datetime | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    """Live documents that ``child`` does not match."""

    child: QueryNode


@dataclass(frozen=True)
class And:
    """Documents every child matches (no children: every document)."""

    children: tuple[QueryNode, ...]


@dataclass(frozen=True)
class Or:
    """Documents any child matches (no children: none)."""

    children: tuple[QueryNode, ...]


QueryNode = Everything | Words | Exact | Present | DateRange | Not | And | Or


def positive_words(node: QueryNode) -> list[str]:
    """Return the texts of the ``Words`` leaves not under a ``Not`` (what ranking weighs)."""
    if isinstance(node, Words):
        return [node.text]
    if isinstance(node, (And, Or)):
        return [text for child in node.children for text in positive_words(child)]
    return []
