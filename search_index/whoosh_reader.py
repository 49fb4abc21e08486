"""One generation of a Whoosh index, held in memory as document bitsets.

A ``ReaderState`` wraps the Whoosh reader of one index generation and answers the questions a
search asks (which documents hold this term, this facet value, in which order do documents
sort) with bitsets of global document numbers. Postings are read from Whoosh once per segment
and kept in a ``SegmentCache``: segments are immutable, so a new generation only reads the
segments a commit added, and readers see new documents as soon as the commit lands.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from search_index.bitsets import Bitset, bitset_from_ids, bitset_range
from search_index.documents import SearchHit

_TERM_CACHE_SIZE = 4096
# A document's hit without a score (``SearchHit``: id, name, Vietnamese title), kept per
# segment for at most this many documents (least recently used go first): reading a
# document's stored fields from Whoosh (zlib and pickle) costs ~20 µs, a page of 1,000 hits
# 20 ms.
_HIT_CACHE_SIZE = 20_000
# Facet merges ending at a segment of at least this many documents are kept across generations.
_MERGE_KEPT_FROM = 1000


class SegmentCache:
    """Bitsets, columns and orders of one immutable segment, in segment-local numbers."""

    def __init__(self) -> None:
        self.terms: OrderedDict[tuple[str, str], Bitset] = OrderedDict()
        self.facets: dict[str, dict[str, Bitset]] = {}
        self.columns: dict[str, list[Any]] = {}
        self.orders: dict[str, array[int]] = {}
        # Per facet field: the values' bitsets merged over this segment and every segment
        # before it, with their (segment id, offset) list; kept while that list is unchanged.
        self.merged: dict[str, tuple[tuple[tuple[str, int], ...], dict[str, Bitset]]] = {}
        # Per sort column: its values over this segment and every one before it, likewise.
        self.joined: dict[str, tuple[tuple[str, ...], list[Any]]] = {}
        # Per document (segment-local number): its hit with score 0, read once (shared: its
        # ``highlights`` is empty and never changed).
        self.hits: OrderedDict[int, SearchHit] = OrderedDict()


class _MergedOrder:
    """The segments' orders merged by the same key, walked lazily each time it is iterated
    (equal keys keep document-number order, as one stable sort of every document would)."""

    def __init__(self, parts: list[tuple[int, array[int]]], key: Callable[[int], Any]) -> None:
        self._parts = parts
        self._key = key

    def __iter__(self) -> Iterator[int]:
        streams = [map(offset.__add__, local) for offset, local in self._parts]
        if len(streams) == 1:
            return streams[0]
        return heapq.merge(*streams, key=self._key)


def _read_ids(segment_reader: Any, field: str, term: str) -> list[int]:
    """Return the segment-local document numbers of ``term`` (deleted ones included)."""
    if (field, term) not in segment_reader:
        return []
    return list(segment_reader.postings(field, term).all_ids())


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``method`` under the state's lock: Whoosh readers and the caches are not shared-safe.

    Each call is short (one term, one facet, one stored document), so concurrent searches
    interleave call by call instead of waiting for whole searches.
    """

    @functools.wraps(method)
    def run(self: ReaderState, *args: Any) -> Any:
        with self.guard:
            return method(self, *args)

    return run


class ReaderState:
    """The searchable view of one index generation, safe to share between threads.

    ``readers`` counts the searches using it and ``retired`` marks it replaced by a newer
    generation (``WhooshIndex`` closes it when both say so).
    """

    def __init__(
        self,
        reader: Any,
        caches: dict[str, SegmentCache],
        guard: threading.RLock | None = None,
        release: Callable[[], None] | None = None,
    ) -> None:
        # States sharing segment readers (``whoosh_readers``) share one guard too.
        self.guard = guard if guard is not None else threading.RLock()
        self._release = release
        self.readers = 0
        self.retired = False
        self.reader = reader
        self.generation: int = reader.generation()
        self.size: int = reader.doc_count_all()
        self.leaves: list[tuple[Any, int, SegmentCache]] = []
        live = bitset_range(0, self.size)
        for segment_reader, offset in reader.leaf_readers():
            segment = segment_reader.segment()
            if segment is None:  # an empty index reads as one segment-less EmptyReader
                continue
            segid = segment.segment_id()
            cache = caches.setdefault(segid, SegmentCache())
            self.leaves.append((segment_reader, offset, cache))
            if segment_reader.has_deletions():
                deleted = [d + offset for d in segment_reader.segment().deleted_docs()]
                live &= ~bitset_from_ids(deleted)
        # Forget segments merged away, so their memory is released.
        keep = {leaf.segment().segment_id() for leaf, _, _ in self.leaves}
        for segid in list(caches):
            if segid not in keep:
                del caches[segid]
        self.live: Bitset = live
        self._terms: OrderedDict[tuple[str, str], Bitset] = OrderedDict()
        self._facets: dict[str, dict[str, Bitset]] = {}
        self._columns: dict[str, list[Any]] = {}
        self._orders: dict[str, _MergedOrder] = {}
        # Structures derived from this generation (vocabularies for suggestions).
        self.memo: dict[str, Any] = {}

    @_guarded
    def close(self) -> None:
        """Release the Whoosh reader's files (or its share of them)."""
        if self._release is not None:
            self._release()
        else:
            self.reader.close()

    @_guarded
    def term_bits(self, field: str, term: str) -> Bitset:
        """Return the live documents whose ``field`` holds ``term``."""
        key = (field, term)
        bits = self._terms.get(key)
        if bits is not None:
            self._terms.move_to_end(key)
            return bits
        bits = 0
        for segment_reader, offset, cache in self.leaves:
            local = cache.terms.get(key)
            if local is None:
                local = bitset_from_ids(_read_ids(segment_reader, field, term))
                cache.terms[key] = local
                if len(cache.terms) > _TERM_CACHE_SIZE:
                    cache.terms.popitem(last=False)
            else:
                cache.terms.move_to_end(key)
            bits |= local << offset
        bits &= self.live
        self._terms[key] = bits
        if len(self._terms) > _TERM_CACHE_SIZE:
            self._terms.popitem(last=False)
        return bits

    @_guarded
    def facet_bits(self, field: str) -> dict[str, Bitset]:
        """Return ``{value: live documents holding it}`` for every value of a facet field."""
        found = self._facets.get(field)
        if found is not None:
            return found
        merged: dict[str, Bitset] = {}
        prefix: tuple[tuple[str, int], ...] = ()
        for segment_reader, offset, cache in self.leaves:
            prefix += ((segment_reader.segment().segment_id(), offset),)
            kept = cache.merged.get(field)
            if kept is not None and kept[0] == prefix:  # unchanged since an earlier commit
                merged = kept[1]
                continue
            local = cache.facets.get(field)
            if local is None:
                local = {}
                # An index built before the field existed has no values for it (until rebuilt).
                terms = segment_reader.lexicon(field) if field in segment_reader.schema else ()
                for raw in terms:
                    value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                    # A term of the lexicon: its postings exist (no lookup first).
                    ids = list(segment_reader.postings(field, value).all_ids())
                    local[value] = bitset_from_ids(ids)
                cache.facets[field] = local
            merged = dict(merged)  # a kept merge is shared: never changed in place
            for value, bits in local.items():
                merged[value] = merged.get(value, 0) | (bits << offset)
            if segment_reader.doc_count_all() >= _MERGE_KEPT_FROM:
                # Commits add small segments after the big ones: the next generation starts
                # from this merge instead of shifting every value of every big segment again.
                cache.merged[field] = (prefix, merged)
        live = self.live
        result = {}
        for value, bits in merged.items():
            bits &= live
            if bits:
                result[value] = bits
        self._facets[field] = result
        return result

    @_guarded
    def column(self, field: str) -> list[Any]:
        """Return the per-document values of a sortable field, indexed by document number
        (shared with other generations: read it, never change it)."""
        found = self._columns.get(field)
        if found is not None:
            return found
        values: list[Any] = []
        prefix: tuple[str, ...] = ()
        for segment_reader, _, cache in self.leaves:
            prefix += (segment_reader.segment().segment_id(),)
            kept = cache.joined.get(field)
            if kept is not None and kept[0] == prefix:  # unchanged since an earlier commit
                values = kept[1]
                continue
            local = cache.columns.get(field)
            if local is None:
                local = list(segment_reader.column_reader(field, translate=True))
                cache.columns[field] = local
            values = values + local  # a kept list is shared: never changed in place
            if segment_reader.doc_count_all() >= _MERGE_KEPT_FROM:
                cache.joined[field] = (prefix, values)
        self._columns[field] = values
        return values

    @_guarded
    def order(self, name: str, key: Callable[[int], Any]) -> Iterable[int]:
        """Return every document number ordered by ``key`` (ties by document number).

        Each segment is sorted once and kept across generations (a key only reads the
        document's own values, and document numbers keep their order within a segment), so
        a commit sorts only the segments it added; the generation's order merges them lazily,
        and callers stop after the first few.
        """
        found = self._orders.get(name)
        if found is None:
            parts = []
            for segment_reader, offset, cache in self.leaves:
                local = cache.orders.get(name)
                if local is None:
                    size = segment_reader.doc_count_all()
                    ordered = sorted(range(offset, offset + size), key=key)
                    local = cache.orders[name] = array("L", [d - offset for d in ordered])
                parts.append((offset, local))
            found = self._orders[name] = _MergedOrder(parts, key)
        return found

    @_guarded
    def doc_count(self) -> int:
        """Return how many live documents this generation holds."""
        return int(self.reader.doc_count())

    @_guarded
    def stored(self, docnum: int) -> dict[str, Any]:
        """Return the stored fields of a document."""
        fields: dict[str, Any] = self.reader.stored_fields(docnum)
        return fields

    @_guarded
    def plain_hits(self, docnums: Sequence[int]) -> list[SearchHit]:
        """Return each document's hit with score 0 and no highlights (kept per segment:
        segments are immutable, so a document's stored fields never change)."""
        starts = [offset for _, offset, _ in self.leaves]
        out = []
        for docnum in docnums:
            segment_reader, offset, cache = self.leaves[bisect.bisect_right(starts, docnum) - 1]
            local = docnum - offset
            found = cache.hits.get(local)
            if found is None:
                stored = segment_reader.stored_fields(local)
                found = cache.hits[local] = SearchHit(
                    id=stored["id"], name=stored["name"], score=0.0, title=stored["title_vi"]
                )
                if len(cache.hits) > _HIT_CACHE_SIZE:
                    cache.hits.popitem(last=False)
            else:
                cache.hits.move_to_end(local)
            out.append(found)
        return out

    def is_known_term(self, fields: Sequence[str], term: str) -> bool:
        """Return True when any of ``fields`` holds ``term`` in some live document."""
        return any(self.term_bits(field, term) for field in fields)

    @_guarded
    def lexicon(self, field: str) -> list[tuple[str, int]]:
        """Return ``(term, document frequency)`` for every term of ``field`` (deleted included)."""
        out: dict[str, int] = {}
        for segment_reader, _, _ in self.leaves:
            for raw, info in segment_reader.iter_field(field):
                term = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                out[term] = out.get(term, 0) + info.doc_frequency()
        return list(out.items())
