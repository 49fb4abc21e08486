"""A server's cache of the PostgreSQL postings, checked against the index generation.

Each search opens a repeatable-read transaction and first reads ``state`` (epoch, generation)
with the live-document bitmap. A new epoch (the index was rebuilt) empties the cache; a new
generation evicts only the postings and document columns written since the cached one. So a
write made through any server is visible to the next search on every server, and a search reads
only the postings its words need (a few kilobytes each) plus whatever changed.

``PostingsView`` answers the questions ``whoosh_search.evaluate`` asks (term and facet-value
document sets, sort columns, orders, lexicons) for one search.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from search_index.bitsets import ids_from_bitset
from search_index.postgres_sql import LIVE, from_bytes

_TERM_CACHE_SIZE = 4096
# Sort columns kept per document number: name → SQL expression (as ``whoosh_fields`` stores).
_COLUMNS: dict[str, str] = {
    "modified": "floor(extract(epoch FROM modified))::bigint",
    "created_ms": "floor(extract(epoch FROM created) * 1000)::bigint",
    "modified_ms": "floor(extract(epoch FROM modified) * 1000)::bigint",
    "name_key": "name",
    "popularity": "popularity",
    "title_words": "title_words",
    "title_sort": "title_sort",
    "id": "id",
}


class PostingsCache:
    """What one server keeps between searches, valid for one ``(epoch, generation)``."""

    def __init__(self) -> None:
        self.reset("")

    def reset(self, epoch: str) -> None:
        """Forget everything (the index was rebuilt); remember ``epoch``."""
        self.epoch = epoch
        self.generation = -1
        self.terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.facets: dict[str, dict[str, int]] = {}
        self.columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        self.orders: dict[str, list[int]] = {}
        self.memo: dict[str, Any] = {}


class PostingsView:
    """One search's consistent view of the index (inside a repeatable-read transaction)."""

    def __init__(
        self, conn: psycopg.Connection[Any], table: Callable[[str], sql.Composed], cache: Any
    ) -> None:
        self._conn = conn
        self._table = table
        self._cache: PostingsCache = cache
        state = conn.execute(
            sql.SQL(
                "SELECT s.epoch, s.generation, p.bits FROM {} s JOIN {} p "
                "ON p.field = %s AND p.term = %s"
            ).format(table("state"), table("postings")),
            LIVE,
        ).fetchone()
        if state is None:
            raise psycopg.DataError("the search index has no state row")
        epoch, generation, live = state
        self.live: int = from_bytes(live)
        self.size = self.live.bit_length()
        if epoch != cache.epoch:
            cache.reset(epoch)
        if generation != cache.generation:
            self._catch_up(cache.generation)
            cache.generation = generation
        self.memo = cache.memo

    def _catch_up(self, since: int) -> None:
        """Evict what writes after generation ``since`` changed; update the sort columns."""
        cache = self._cache
        if cache.terms or cache.facets:
            changed = self._conn.execute(
                sql.SQL("SELECT field, term FROM {} WHERE generation > %s").format(
                    self._table("postings")
                ),
                (since,),
            ).fetchall()
            for field, term in changed:
                cache.terms.pop((field, term), None)
                cache.facets.pop(field, None)
        names = list(_COLUMNS)
        rows = self._conn.execute(
            sql.SQL("SELECT docnum, {} FROM {} WHERE generation > %s").format(
                sql.SQL(", ").join(sql.SQL(_COLUMNS[n]) for n in names), self._table("documents")
            ),
            (since,),
        ).fetchall()
        top = max((row[0] for row in rows), default=-1) + 1
        for position, name in enumerate(names, start=1):
            column = cache.columns[name]
            if len(column) < top:
                column.extend([None] * (top - len(column)))
            for row in rows:
                column[row[0]] = row[position]
        cache.orders.clear()
        cache.memo.clear()

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Read the postings of ``keys`` the cache lacks, in one statement."""
        missing = sorted({key for key in keys if key not in self._cache.terms})
        if not missing:
            return
        found = dict.fromkeys(missing, 0)
        rows = self._conn.execute(
            sql.SQL(
                "SELECT p.field, p.term, p.bits FROM {} p "
                "JOIN unnest(%s::text[], %s::text[]) AS k(field, term) USING (field, term)"
            ).format(self._table("postings")),
            ([k[0] for k in missing], [k[1] for k in missing]),
        ).fetchall()
        for field, term, bits in rows:
            found[(field, term)] = from_bytes(bits)
        for key, bits in found.items():
            self._remember(key, bits)

    def _remember(self, key: tuple[str, str], bits: int) -> None:
        terms = self._cache.terms
        terms[key] = bits
        if len(terms) > _TERM_CACHE_SIZE:
            terms.popitem(last=False)

    def term_bits(self, field: str, term: str) -> int:
        """Return the documents whose ``field`` holds ``term``."""
        key = (field, term)
        bits = self._cache.terms.get(key)
        if bits is None:
            self.prefetch([key])
            bits = self._cache.terms[key]
        else:
            self._cache.terms.move_to_end(key)
        return bits

    def is_known_term(self, fields: Sequence[str], term: str) -> bool:
        """Return True when any of ``fields`` holds ``term`` in some document."""
        self.prefetch((field, term) for field in fields)
        return any(self.term_bits(field, term) for field in fields)

    def facet_bits(self, field: str) -> dict[str, int]:
        """Return ``{value: documents holding it}`` for every value of a facet field."""
        found = self._cache.facets.get(field)
        if found is None:
            rows = self._conn.execute(
                sql.SQL("SELECT term, bits FROM {} WHERE field = %s AND bits <> ''").format(
                    self._table("postings")
                ),
                (field,),
            ).fetchall()
            found = {term: from_bytes(bits) for term, bits in rows}
            self._cache.facets[field] = found
        return found

    def lexicon(self, field: str) -> list[tuple[str, int]]:
        """Return ``(term, document frequency)`` for every term of ``field``."""
        rows = self._conn.execute(
            sql.SQL(
                "SELECT term, bit_count(bits)::integer FROM {} WHERE field = %s AND bits <> ''"
            ).format(self._table("postings")),
            (field,),
        ).fetchall()
        return [(term, count) for term, count in rows]

    def column(self, name: str) -> list[Any]:
        """Return the per-document values of a sort column, indexed by document number."""
        return self._cache.columns[name]

    def order(self, name: str, key: Callable[[int], Any]) -> Sequence[int]:
        """Return every live document number sorted by ``key``, once per generation."""
        found = self._cache.orders.get(name)
        if found is None:
            found = sorted(ids_from_bitset(self.live), key=key)
            self._cache.orders[name] = found
        return found

    def stored(self, docnum: int) -> dict[str, Any]:
        """Return the stored id of a document (what ordering by id needs)."""
        return {"id": self._cache.columns["id"][docnum]}
