"""Evaluate a ``query_tree`` on a backend's bitsets, and order hits by several sort keys.

``state`` is a Whoosh ``ReaderState`` or the PostgreSQL backend's ``PostingsView``: both answer
``term_bits``, ``facet_bits``, ``column``, ``stored``, ``order``, ``live`` and ``memo``, so the
same tree gives the same documents on both. Lookups built from columns (``name``, ``id``, dense
sort ranks) are kept in ``state.memo``, which lives for one index generation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from search_index.bitsets import Bitset, bitset_from_ids, ids_from_bitset
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
from search_index.text import QueryText, nfc
from search_index.whoosh_fields import epoch_milliseconds

# Folded word fields and bigram (phrase) fields of each ``Words`` field.
_WORD_FIELDS = {"text": ("title_f", "desc_f", "kw_f"), "title": ("title_f",)}
_PHRASE_FIELDS = {"text": ("title_bi", "desc_bi", "kw_bi"), "title": ("title_bi",)}
# Sort keys: name → the column holding its values ("id" is read from the stored fields).
SORT_COLUMNS = {
    "modified": "modified_ms",
    "created": "created_ms",
    "title": "title_sort",
    "name": "name_key",
    "popularity": "popularity",
    "id": "id",
}


def match_bits(state: Any, node: QueryNode) -> Bitset:
    """Return the live documents ``node`` matches."""
    if isinstance(node, Everything):
        return int(state.live)
    if isinstance(node, And):
        bits = int(state.live)
        for child in node.children:
            if not bits:
                break
            bits &= match_bits(state, child)
        return bits
    if isinstance(node, Or):
        bits = 0
        for child in node.children:
            bits |= match_bits(state, child)
        return bits
    if isinstance(node, Not):
        return int(state.live) & ~match_bits(state, node.child)
    if isinstance(node, Words):
        return _words_bits(state, node)
    if isinstance(node, Exact):
        return _exact_bits(state, node.field, node.value)
    if isinstance(node, Present):
        bits = 0
        for members in state.facet_bits(node.field).values():
            bits |= members
        return bits & int(state.live)
    return _range_bits(state, node)


def tree_terms(node: QueryNode) -> list[tuple[str, str]]:
    """Return the ``(field, term)`` postings evaluating ``node`` reads (to fetch them at once)."""
    if isinstance(node, (And, Or)):
        return [key for child in node.children for key in tree_terms(child)]
    if isinstance(node, Not):
        return tree_terms(node.child)
    if not isinstance(node, Words):
        return []
    words = QueryText(node.text)
    keys = [(field, word) for word in words.folded for field in _WORD_FIELDS[node.field]]
    if node.phrase:
        keys += [(field, pair) for pair in words.phrases for field in _PHRASE_FIELDS[node.field]]
    return keys


def _words_bits(state: Any, node: Words) -> Bitset:
    words = QueryText(node.text)
    bits = int(state.live)
    for word in words.folded:
        found = 0
        for field in _WORD_FIELDS[node.field]:
            found |= state.term_bits(field, word)
        bits &= found
    if node.phrase and words.phrases:
        together = 0
        for field in _PHRASE_FIELDS[node.field]:
            pairs = bits
            for pair in words.phrases:
                pairs &= state.term_bits(field, pair)
            together |= pairs
        bits &= together
    return bits


def _exact_bits(state: Any, field: str, value: str) -> Bitset:
    if field in ("name", "id"):
        return bitset_from_ids(_lookup(state, field).get(value, []))
    return int(state.facet_bits(field).get(nfc(value), 0))


def _values(state: Any, name: str) -> Callable[[int], Any]:
    """Return a document number → value reader of a sort key or lookup field."""
    if name == "id":
        return lambda d: state.stored(d)["id"]
    column = state.column(SORT_COLUMNS.get(name, name))
    return lambda d: column[d]


def _lookup(state: Any, name: str) -> dict[str, list[int]]:
    """Return ``{value: document numbers}`` of a field, once per index generation."""
    key = f"lookup:{name}"
    found: dict[str, list[int]] | None = state.memo.get(key)
    if found is None:
        value_of = _values(state, name)
        found = {}
        for docnum in ids_from_bitset(int(state.live)):
            found.setdefault(str(value_of(docnum)), []).append(docnum)
        state.memo[key] = found
    return found


def _range_bits(state: Any, node: DateRange) -> Bitset:
    low = epoch_milliseconds(node.low) if node.low is not None else None
    high = epoch_milliseconds(node.high) if node.high is not None else None
    column = state.column(SORT_COLUMNS[node.field])
    inside: list[int] = []
    for docnum in ids_from_bitset(int(state.live)):
        value = column[docnum]
        if value is None:
            continue
        if low is not None and (value < low or (value == low and not node.include_low)):
            continue
        if high is not None and (value > high or (value == high and not node.include_high)):
            continue
        inside.append(docnum)
    return bitset_from_ids(inside)


def _dense_ranks(state: Any, name: str) -> list[int]:
    """Return each document's rank by the sort key ``name`` (equal values, equal ranks)."""
    key = f"ranks:{name}"
    found: list[int] | None = state.memo.get(key)
    if found is None:
        value_of = _values(state, name)
        live = ids_from_bitset(int(state.live))
        values = {d: value_of(d) for d in live}
        distinct = sorted({v for v in values.values() if v is not None})
        rank = {v: i for i, v in enumerate(distinct)}
        found = [0] * (max(live, default=-1) + 1)
        for docnum, value in values.items():
            found[docnum] = rank.get(value, -1)
        state.memo[key] = found
    return found


def keyed_order(state: Any, keys: tuple[tuple[str, bool], ...]) -> tuple[str, Callable[[int], Any]]:
    """Return an order's cache name and key for sort ``keys`` (``(name, descending)`` pairs);
    ties after every key fall back to the document number."""
    ranks = [(_dense_ranks(state, name), descending) for name, descending in keys]
    name = "keys:" + ",".join(f"{n}{'-' if d else '+'}" for n, d in keys)

    def key(docnum: int) -> tuple[int, ...]:
        parts = []
        for values, descending in ranks:
            rank = values[docnum] if docnum < len(values) else 0
            parts.append(-rank if descending else rank)
        parts.append(docnum)
        return tuple(parts)

    return name, key
