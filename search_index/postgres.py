"""The scaled search backend: the search index stored in PostgreSQL, shared by every server.

Documents live in ``<schema>.documents``; the index itself is ``<schema>.postings``: for each
``(field, term)`` the Whoosh backend indexes (accented, folded and bigram words of titles,
descriptions and keywords, bigrams of organization titles, facet values) the set of documents
holding it, as a bitmap over small
document numbers (``postgres_sql``). A search reads the bitmaps of its words and evaluates them
exactly as the Whoosh backend does (``whoosh_search.evaluate``: every word must match, facets
count every hit, ranking sums weighted features), so both backends give the same pages, counts
and suggestions. Facet-value bitmaps and sort columns are cached per server and checked against
the index generation at every search (``postgres_cache``): a write is visible to the next search
on every server. Writes update rows, bitmaps and the generation in one transaction.

A table made by an older version (a column missing) is ``outdated``: it is left alone, takes no
documents, and start-up rebuilds it (``replace_all`` drops and makes the tables anew).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from search_index.bitsets import bitset_from_ids, ids_from_bitset
from search_index.documents import SearchDocument, SearchHit, SearchPage, SearchQuery
from search_index.errors import SearchConfigError, SearchUnavailable
from search_index.postgres_cache import PostingsCache, PostingsView
from search_index.postgres_sql import (
    DOCUMENT_COLUMNS,
    LIVE,
    SOURCE_COLUMNS,
    document_from_row,
    document_row,
    from_bytes,
    posting_keys,
    schema_statements,
    to_bytes,
)
from search_index.snippets import highlight_fields
from search_index.text import QueryText
from search_index.whoosh_search import evaluate, query_terms, suggestion

DEFAULT_SCHEMA = "search_index"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
OUTDATED = "the search index was built by an older version: run `opendata index rebuild`"
T = TypeVar("T")


class PostgresIndex:
    """A ``SearchIndex`` stored in PostgreSQL, shared by every server of a deployment."""

    def __init__(self, conninfo: str, schema: str = DEFAULT_SCHEMA) -> None:
        if not _IDENTIFIER.match(schema):
            raise SearchConfigError("the search schema must be a lowercase SQL identifier")
        self._conninfo = conninfo
        self.schema = schema
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._cache = PostingsCache()
        self._run(self._create_schema)

    @classmethod
    def from_url(cls, url: str) -> PostgresIndex:
        """Open ``postgresql://user@host/db?schema=NAME``, creating the schema and table."""
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise SearchConfigError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), DEFAULT_SCHEMA)
        rest = urlencode([(k, v) for k, v in query if k != "schema"])
        return cls(urlunsplit(parts._replace(query=rest)), schema)

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
        return self._conn

    def _run(self, action: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run ``action`` on the shared connection; a broken one is dropped and retried once."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return action(self._connect())
                except psycopg.OperationalError as exc:
                    if self._conn is not None:
                        self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise SearchUnavailable("the search database is unreachable") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _table(self, name: str = "documents") -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    def _create_schema(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            # Serialize concurrent creation by several workers starting at once.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
            if self._is_outdated(conn):
                return  # left as it is: start-up rebuilds it (``replace_all``)
            for statement in schema_statements(self.schema):
                conn.execute(statement)

    def _is_outdated(self, conn: psycopg.Connection[Any]) -> bool:
        """Whether ``documents`` exists without a column this version writes."""
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'documents'",
            (self.schema,),
        ).fetchall()
        columns = {row[0] for row in rows}
        return bool(columns) and not set(DOCUMENT_COLUMNS) <= columns

    def outdated(self) -> bool:
        """True when the table was made by an older version (a column is missing): start-up
        rebuilds it (``replace_all``); until then it takes no documents, and searches that use
        the missing column fail (``SearchUnavailable``).
        """
        return self._run(self._is_outdated)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s || '.write'))", (self.schema,))
            yield

    def _change(
        self, conn: psycopg.Connection[Any], removed: list[str], added: list[SearchDocument]
    ) -> None:
        """Remove documents by id and add ``added`` (replacing any with the same id), in the
        caller's write transaction: rows, postings bitmaps, live set and generation together."""
        row = conn.execute(
            sql.SQL("UPDATE {} SET generation = generation + 1 RETURNING generation").format(
                self._table("state")
            )
        ).fetchone()
        generation = int(_one(row))
        ids = [*removed, *(d.id for d in added)]
        old = conn.execute(
            sql.SQL("DELETE FROM {} WHERE id = ANY(%s) RETURNING docnum, {}").format(
                self._table(), sql.SQL(", ").join(map(sql.Identifier, SOURCE_COLUMNS))
            ),
            (ids,),
        ).fetchall()
        changes: dict[tuple[str, str], list[int]] = {}  # key → [bits to clear, bits to set]
        freed = 0
        for docnum, *source in old:
            freed |= 1 << docnum
            for key in posting_keys(document_from_row(tuple(source))):
                changes.setdefault(key, [0, 0])[0] |= 1 << docnum
        live = from_bytes(self._lock_postings(conn, [LIVE]).get(LIVE, b"")) & ~freed
        reuse = {doc_id: docnum for docnum, doc_id, *_ in old}
        size = live.bit_length()
        holes = ids_from_bitset(~live & ((1 << size) - 1))
        free = iter([*holes, *range(size, size + len(added))])
        rows = []
        for doc in added:
            docnum = reuse.pop(doc.id, None)
            docnum = docnum if docnum is not None else next(free)
            while live >> docnum & 1:  # a reused number taken by an earlier new document
                docnum = next(free)
            live |= 1 << docnum
            rows.append(document_row(doc, docnum, generation))
            for key in posting_keys(doc):
                changes.setdefault(key, [0, 0])[1] |= 1 << docnum
        self._copy(conn, "documents", DOCUMENT_COLUMNS, rows)
        stored = self._lock_postings(conn, list(changes))
        updates = [(*LIVE, to_bytes(live), generation)]
        for key, (clear, add) in changes.items():
            bits = (from_bytes(stored.get(key, b"")) & ~clear) | add
            updates.append((*key, to_bytes(bits), generation))
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (field, term, bits, generation) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (field, term) DO UPDATE "
                    "SET bits = EXCLUDED.bits, generation = EXCLUDED.generation"
                ).format(self._table("postings")),
                updates,
            )

    def _lock_postings(
        self, conn: psycopg.Connection[Any], keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], bytes]:
        rows = conn.execute(
            sql.SQL(
                "SELECT p.field, p.term, p.bits FROM {} p "
                "JOIN unnest(%s::text[], %s::text[]) AS k(field, term) USING (field, term) "
                "FOR UPDATE OF p"
            ).format(self._table("postings")),
            ([k[0] for k in keys], [k[1] for k in keys]),
        ).fetchall()
        return {(field, term): bytes(bits) for field, term, bits in rows}

    def _copy(
        self,
        conn: psycopg.Connection[Any],
        table: str,
        columns: Iterable[str],
        rows: Iterable[tuple[Any, ...]],
    ) -> None:
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(self._table(table), names)
        with conn.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def upsert(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id in one transaction (the last of a repeated id wins)."""
        docs = list({d.id: d for d in documents}.values())

        def write(conn: psycopg.Connection[Any]) -> None:
            with self._writing(conn):
                self._change(conn, [], docs)

        try:
            self._run(write)
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable) as exc:
            raise SearchUnavailable(OUTDATED) from exc

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        wanted = list(ids)

        def write(conn: psycopg.Connection[Any]) -> None:
            with self._writing(conn):
                self._change(conn, wanted, [])

        self._run(write)

    def replace_all(self, documents: Iterable[SearchDocument]) -> int:
        """Replace every document in one transaction; readers see the old set until commit.

        The tables are dropped and made anew first (with a new epoch, so every server's cache
        starts afresh), so a damaged schema (a dropped column, table or index) is repaired
        too; readers wait for the commit, never see a half.
        """

        def write(conn: psycopg.Connection[Any]) -> int:
            with self._writing(conn):
                for name in ("documents", "postings", "state", "terms"):
                    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table(name)))
                for statement in schema_statements(self.schema):
                    conn.execute(statement)
                members: dict[tuple[str, str], list[int]] = {}
                count = 0

                def rows() -> Iterator[tuple[Any, ...]]:
                    nonlocal count
                    for doc in {d.id: d for d in documents}.values():
                        for key in posting_keys(doc):
                            members.setdefault(key, []).append(count)
                        yield document_row(doc, count, 1)
                        count += 1

                self._copy(conn, "documents", DOCUMENT_COLUMNS, rows())
                members[LIVE] = list(range(count))
                conn.execute(sql.SQL("DELETE FROM {}").format(self._table("postings")))
                postings = (
                    (*key, to_bytes(bitset_from_ids(ids)), 1) for key, ids in members.items()
                )
                columns = ("field", "term", "bits", "generation")
                self._copy(conn, "postings", columns, postings)
                conn.execute(sql.SQL("UPDATE {} SET generation = 1").format(self._table("state")))
            conn.execute(sql.SQL("ANALYZE {}").format(self._table()))
            conn.execute(sql.SQL("ANALYZE {}").format(self._table("postings")))
            return count

        return self._run(write)

    def drop(self) -> None:
        """Drop the index's schema with everything in it (tests and benchmarks clean up)."""
        statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
        self._run(lambda conn: conn.execute(statement))

    def size_bytes(self) -> int:
        """Return the bytes the index's tables and their indexes use."""
        statement = sql.SQL(
            "SELECT pg_total_relation_size(%s::regclass) + pg_total_relation_size(%s::regclass)"
        )
        names = (f'"{self.schema}".documents', f'"{self.schema}".postings')
        return int(self._run(lambda conn: _one(conn.execute(statement, names).fetchone())))

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """Return how many documents the index holds."""
        query = sql.SQL("SELECT count(*) FROM {}").format(self._table())
        return int(self._run(lambda conn: _one(conn.execute(query).fetchone())))

    def ping(self) -> None:
        """Run a real query (words, ranking, a page); raise ``SearchUnavailable`` on failure."""
        probe = SearchQuery(text="dữ liệu thành phố", limit=1, facets=(), highlight=True)
        try:
            self._run(lambda conn: self._search(conn, probe))
        except psycopg.Error as exc:
            raise SearchUnavailable(f"the search index cannot be read: {exc}") from exc

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits matching every word of ``query.text``, with facet counts."""
        try:
            return self._run(lambda conn: self._search(conn, query))
        except psycopg.Error as exc:  # a damaged schema: ``replace_all`` repairs it
            raise SearchUnavailable(f"the search index cannot be read: {exc}") from exc

    def _search(self, conn: psycopg.Connection[Any], query: SearchQuery) -> SearchPage:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            view = PostingsView(conn, self._table, self._cache)
            view.prefetch(query_terms(QueryText(query.text), query.match))
            text, total, facets, scored = evaluate(view, query)
            stored = self._stored(conn, [docnum for docnum, _ in scored])
            hits = tuple(_hit(stored[d], score, text, query.highlight) for d, score in scored)
            return SearchPage(
                total=total, hits=hits, facets=facets, suggestion=suggestion(view, text)
            )

    def _stored(self, conn: psycopg.Connection[Any], docnums: list[int]) -> dict[int, Any]:
        """Return the stored fields of a page of documents by document number."""
        if not docnums:
            return {}
        rows = conn.execute(
            sql.SQL(
                "SELECT docnum, id, name, title_vi, title_en, description_vi, description_en "
                "FROM {} WHERE docnum = ANY(%s)"
            ).format(self._table()),
            (docnums,),
        ).fetchall()
        return {row[0]: row[1:] for row in rows}


def _one(row: tuple[Any, ...] | None) -> Any:
    if row is None:
        raise SearchUnavailable("the search database returned no row")
    return row[0]


def _hit(row: tuple[Any, ...], score: float, text: QueryText, highlight: bool) -> SearchHit:
    doc_id, name, title_vi, title_en, desc_vi, desc_en = row
    snippets: dict[str, str] = {}
    if highlight and text:
        snippets = highlight_fields(
            {"title": (title_vi, title_en), "description": (desc_vi, desc_en)}, set(text.folded)
        )
    return SearchHit(
        id=doc_id, name=name, score=round(score, 4), highlights=snippets, title=title_vi
    )
