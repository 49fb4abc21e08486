"""The embedded datastore: one typed table per resource in its own SQLite file.

The file is never the portal's database, so ``search_sql`` (read-only, with an
authorizer) cannot reach the portal's tables even by name.

Indexes: every non-text column and every text column whose values average at most
``FREE_TEXT_MIN_LENGTH`` characters gets a B-tree index. Those are the columns people
filter on exactly (codes, categories, district names, dates, amounts) and sort by; an
index on ``col`` also orders by rowid, so it serves the keyset seek of every page.
Longer text is free text: exact-match filters on it are rare, its index would be large,
and ``q`` reaches it through the FTS5 table instead.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from datasets.datastore.aggregating import (
    aggregate_result,
    facet_result,
    plan_aggregate,
    plan_facets,
)
from datasets.datastore.base import (
    SQL_MAX_BYTES,
    AggregateQuery,
    BadQuery,
    DatastoreField,
    DatastoreInfo,
    DatastoreQuery,
    DatastoreResult,
    Facet,
    FacetQuery,
    LoadFailed,
    SqlNotAllowed,
    SqlTimeout,
    SqlTooLarge,
    UnknownResource,
)
from datasets.datastore.casting import (
    check_resource_id,
    fields_from_table_schema,
    quote_ident,
)
from datasets.datastore.querying import (
    Dialect,
    check_select,
    next_cursor_for,
    plan_search,
)
from datasets.datastore.results import fields_from_json, fields_of_values, record_names
from datasets.datastore.sqlite_load import (
    FREE_TEXT_MIN_LENGTH as FREE_TEXT_MIN_LENGTH,
)
from datasets.datastore.sqlite_load import LOAD_CACHE_KIB, build_table
from datasets.datastore.sqlite_reads import booleans, bounded, run_sql_child, stream
from datasets.datastore.sqlite_stage import (
    META,
    STAGED_DEFINITION,
    Built,
    all_staged,
    check_order,
    drop_staged,
    record_staged,
    staged_key,
    swap_in,
    take_staged,
)
from datasets.datastore.typed_reader import PARALLEL_MIN_BYTES, typed_batches
from datasets.public_cache import BoundedCache

_DIALECT = Dialect(param="?", explicit_nulls=False, percent_escape=False)
_META = META
_T = TypeVar("_T")
_MAX_SQL_VALUE_BYTES = 10_000_000  # no single string or blob a query builds may exceed this
_CHILD_GRACE_S = 1.0  # startup, and the child's own timer answers first; the kill is the backstop
_COUNTS_KEPT = 4096  # filtered totals remembered per datastore file (see ``search``)


class SqliteDatastore:
    """Datastore in its own SQLite file (WAL mode: readers never wait for a load)."""

    def __init__(
        self,
        path: Path,
        *,
        batch_size: int = 2_000,
        parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    ) -> None:
        """Open (creating when absent) the datastore file at ``path``.

        A CSV of ``parallel_min_bytes`` or more is cast by a child process while this one
        writes (``typed_reader``).
        """
        self._path = path
        self._batch_size = batch_size
        self._parallel = parallel_min_bytes
        self._local = threading.local()
        # A filtered total costs a scan of every match; a table never changes once loaded
        # (a load makes a new one), so each total is counted once per loaded table.
        self._counts: BoundedCache[tuple[Any, ...], int] = BoundedCache(_COUNTS_KEPT)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {_META} (resource_id TEXT PRIMARY KEY, "
                "row_count INTEGER NOT NULL, fields TEXT NOT NULL, "
                "text_search INTEGER NOT NULL, loaded_at REAL NOT NULL, source_order INTEGER)"
            )
            conn.execute(STAGED_DEFINITION)
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({_META})")}
            if "source_order" not in columns:  # a datastore file made before load ordering
                conn.execute(f"ALTER TABLE {_META} ADD COLUMN source_order INTEGER")
        finally:
            conn.close()

    def _connect(self, timeout: float = 60.0) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, timeout=timeout, isolation_level=None)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA mmap_size = 1073741824")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect(timeout=10.0)
            conn.execute("PRAGMA query_only = 1")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's cached read connection (others close with their thread)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @staticmethod
    def _meta(conn: sqlite3.Connection, resource_id: str) -> tuple[DatastoreInfo, bool]:
        info, has_text, _loaded = SqliteDatastore._loaded_meta(conn, resource_id)
        return info, has_text

    @staticmethod
    def _loaded_meta(
        conn: sqlite3.Connection, resource_id: str
    ) -> tuple[DatastoreInfo, bool, tuple[Any, ...]]:
        """``_meta`` and the load that made the table: its time and size, new with each load.

        ``loaded_at`` is ``time.time()`` when a load commits; a load holds the write lock far
        longer than that clock's resolution, so two loads never share it.
        """
        check_resource_id(resource_id)
        row = conn.execute(
            f"SELECT row_count, fields, text_search, loaded_at FROM {_META} WHERE resource_id = ?",
            (resource_id,),
        ).fetchone()
        if row is None:
            raise UnknownResource(f"resource {resource_id} is not in the datastore")
        fields = fields_from_json(row[1])
        return DatastoreInfo(row[0], fields), bool(row[2]), (resource_id, row[3], row[0])

    def load(
        self,
        resource_id: str,
        csv_path: Path,
        table_schema: Mapping[str, Any],
        *,
        order: int | None = None,
    ) -> DatastoreInfo:
        """Load the CSV into a new table, index it, then swap it in (see ``Datastore``).

        The whole load holds the write lock (BEGIN IMMEDIATE), so loads of one file are
        serialized and the order check below sees the last committed table. Nothing of
        the new table is committed before the swap: a load killed midway leaves the
        published table answering. How the load is fast: ``sqlite_load``.
        """
        check_resource_id(resource_id)

        def body(conn: sqlite3.Connection) -> DatastoreInfo:
            check_order(conn, resource_id, order)
            built = self._build(conn, resource_id, csv_path, table_schema, "load")
            swap_in(conn, resource_id, built, order)
            return DatastoreInfo(built.count, built.fields)

        return self._write(body)

    def stage(
        self, resource_id: str, csv_path: Path, table_schema: Mapping[str, Any], *, key: str
    ) -> DatastoreInfo:
        """Build the resource's table for a later ``load_staged`` (see ``Datastore``)."""
        check_resource_id(resource_id)

        def body(conn: sqlite3.Connection) -> DatastoreInfo:
            built = self._build(conn, resource_id, csv_path, table_schema, "stage")
            record_staged(conn, resource_id, key, built)
            return DatastoreInfo(built.count, built.fields)

        return self._write(body)

    def load_staged(
        self, resource_id: str, key: str, *, order: int | None = None
    ) -> DatastoreInfo | None:
        """Swap in the table staged under ``key`` (see ``Datastore``).

        It takes the write lock even when nothing is staged yet: a staging still running
        holds it, and its table is swapped in once it commits (rather than the file loaded
        again behind it).
        """
        check_resource_id(resource_id)

        def body(conn: sqlite3.Connection) -> DatastoreInfo | None:
            check_order(conn, resource_id, order)
            built = take_staged(conn, resource_id, key)
            if built is None:  # dropped or staged again since
                return None
            swap_in(conn, resource_id, built, order)
            return DatastoreInfo(built.count, built.fields)

        return self._write(body)

    def staged(self) -> dict[str, str]:
        """The key of each resource's staged table, by resource id."""
        return all_staged(self._reader())

    def drop_staged(self, resource_id: str, key: str) -> None:
        """Remove the resource's staged table if still staged under ``key``."""
        check_resource_id(resource_id)
        if staged_key(self._reader(), resource_id) == key:
            self._write(lambda conn: drop_staged(conn, resource_id, key))

    def _build(
        self,
        conn: sqlite3.Connection,
        resource_id: str,
        csv_path: Path,
        table_schema: Mapping[str, Any],
        kind: str,
    ) -> Built:
        """Build ``<resource>__<kind>_<token>`` from the CSV in ``conn``'s transaction."""
        fields = fields_from_table_schema(table_schema)
        lengths: dict[str, list[int]] = {}
        batches = typed_batches(
            csv_path, table_schema, self._batch_size, lengths, parallel_min_bytes=self._parallel
        )
        token = secrets.token_hex(4)
        fts = f"{resource_id}__fts_{token}" if any(f.type == "text" for f in fields) else None
        table = f"{resource_id}__{kind}_{token}"
        try:
            count = build_table(conn, table, fts, fields, batches, token, lengths)
        finally:
            batches.close()  # stops the child reader of a load that failed midway
        return Built(table, fts, fields, count)

    def _write(self, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``body`` in one write transaction (BEGIN IMMEDIATE) on a loading connection;
        an SQLite error rolls it back and is raised as ``LoadFailed``."""
        conn = self._connect()
        try:
            conn.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
            conn.execute("BEGIN IMMEDIATE")
            result = body(conn)
            conn.execute("COMMIT")
            return result
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise LoadFailed(f"the datastore could not store the table: {exc}") from exc
            raise
        finally:
            conn.close()

    def drop(self, resource_id: str) -> None:
        """Remove the resource's table, its full-text table and its cached count."""
        check_resource_id(resource_id)
        if not self._has_any(resource_id):
            # Nothing to drop (the common case of a prune): no write lock, no commit to disk.
            return
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id)}")
            conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id + '__fts')}")
            conn.execute(f"DELETE FROM {_META} WHERE resource_id = ?", (resource_id,))
            conn.execute("COMMIT")
        finally:
            conn.close()

    def info(self, resource_id: str) -> DatastoreInfo:
        """Return the cached row count and the columns; raise ``UnknownResource``."""
        return self._meta(self._reader(), resource_id)[0]

    def _has_any(self, resource_id: str) -> bool:
        """Whether the resource has a table, a full-text table or a cached count."""
        reader = self._reader()
        found = (
            reader.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                (resource_id, resource_id + "__fts"),
            ).fetchone()
            or reader.execute(
                f"SELECT 1 FROM {_META} WHERE resource_id = ?", (resource_id,)
            ).fetchone()
        )
        return found is not None

    def _text_match(self, resource_id: str, has_text: bool) -> Callable[[list[str]], Any]:
        fts = quote_ident(resource_id + "__fts")

        def match(words: list[str]) -> tuple[str, Any]:
            if not has_text:
                return "1 = ?", 0
            # Each word is a quoted FTS5 string: no query syntax gets through.
            return f"_id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)", " ".join(
                f'"{w}"' for w in words
            )

        return match

    def fields_for(self, resource_id: str, query: DatastoreQuery) -> tuple[DatastoreField, ...]:
        """Return the columns ``search`` and ``iter_rows`` answer for ``query``."""
        info, has_text = self._meta(self._reader(), resource_id)
        table = quote_ident(resource_id)
        return plan_search(
            table, info.fields, query, _DIALECT, self._text_match(resource_id, has_text)
        ).fields

    def search(self, resource_id: str, query: DatastoreQuery) -> DatastoreResult:
        """Return one keyset-paginated page of matching rows (see ``Datastore.search``)."""
        conn = self._reader()
        conn.execute("BEGIN")  # one snapshot for the schema, the page and the count
        try:
            info, has_text, loaded = self._loaded_meta(conn, resource_id)
            plan = plan_search(
                quote_ident(resource_id),
                info.fields,
                query,
                _DIALECT,
                self._text_match(resource_id, has_text),
            )
            try:
                rows = conn.execute(plan.sql, plan.params).fetchall()
                total: int | None = None
                if query.include_total:
                    if query.filtered:
                        total = self._count(conn, loaded, plan.count_sql, plan.count_params)
                    else:
                        total = info.row_count
            except sqlite3.OperationalError as exc:
                raise BadQuery(f"query failed: {exc}") from exc
        finally:
            conn.execute("COMMIT")
        page = rows[: query.limit]
        k = plan.key_count
        bools = [i for i, f in enumerate(plan.fields) if f.type == "boolean"]
        names = [f.name for f in plan.fields]
        if bools:
            records = [dict(zip(names, booleans(row[k:], bools), strict=True)) for row in page]
        else:  # most tables: each row straight into its record
            records = [dict(zip(names, row[k:], strict=True)) for row in page]
        cursor = None
        if len(rows) > query.limit and page:
            cursor = next_cursor_for(plan, query, page[-1][:k], len(page))
        return DatastoreResult(plan.fields, records, total, cursor)

    def _count(
        self, conn: sqlite3.Connection, loaded: tuple[Any, ...], sql: str, params: list[Any]
    ) -> int:
        """The total of a filtered page: counted once per loaded table and query."""
        key = (*loaded, sql, *((type(value).__name__, value) for value in params))
        return self._counts.get_or_build(key, lambda: int(conn.execute(sql, params).fetchone()[0]))

    def iter_rows(self, resource_id: str, query: DatastoreQuery) -> Iterator[tuple[Any, ...]]:
        """Stream every matching row as a tuple (see ``Datastore.iter_rows``)."""
        conn = self._connect(timeout=10.0)
        try:
            info, has_text = self._meta(conn, resource_id)
            plan = plan_search(
                quote_ident(resource_id),
                info.fields,
                query,
                _DIALECT,
                self._text_match(resource_id, has_text),
                paged=False,
            )
            cursor = conn.execute(plan.sql, plan.params)
        except BaseException:
            conn.close()
            raise
        bools = [i for i, f in enumerate(plan.fields) if f.type == "boolean"]
        return stream(conn, cursor, plan.key_count, bools)

    def aggregate(
        self, resource_id: str, query: AggregateQuery, *, paged: bool = True
    ) -> DatastoreResult:
        """Return groups of matching rows within ``query.timeout_ms`` (see ``Datastore``)."""
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            info, has_text = self._meta(conn, resource_id)
            text_match = self._text_match(resource_id, has_text)
            table = quote_ident(resource_id)
            plan = plan_aggregate(table, info.fields, query, _DIALECT, text_match, paged=paged)
            (rows,) = bounded(conn, [(plan.sql, plan.params)], query.timeout_ms)
        finally:
            conn.execute("COMMIT")
        return aggregate_result(plan, rows, query, paged=paged)

    def facets(self, resource_id: str, query: FacetQuery) -> list[Facet]:
        """Return each facet column's most frequent values (see ``Datastore.facets``)."""
        conn = self._reader()
        conn.execute("BEGIN")  # every facet counts the same snapshot
        try:
            info, has_text = self._meta(conn, resource_id)
            text_match = self._text_match(resource_id, has_text)
            planned = plan_facets(
                quote_ident(resource_id), info.fields, query, _DIALECT, text_match
            )
            answers = bounded(conn, [(sql, params) for _, sql, params in planned], query.timeout_ms)
        finally:
            conn.execute("COMMIT")
        return [
            facet_result(f, rows, query) for (f, _, _), rows in zip(planned, answers, strict=True)
        ]

    def search_sql(
        self, sql: str, *, timeout_ms: int, max_rows: int, max_bytes: int = SQL_MAX_BYTES
    ) -> DatastoreResult:
        """Run one SELECT in a child process on a read-only, authorizer-guarded connection.

        The child (``sqlite_sql_child``) is killed at the deadline: SQLite cannot interrupt
        one long function call in-process, a process can always be stopped.
        """
        check_select(sql)
        request = {
            "uri": self._path.resolve().as_uri() + "?mode=ro",
            "sql": sql,
            "timeout_ms": timeout_ms,
            "max_rows": max_rows,
            "max_bytes": max_bytes,
            "max_value_bytes": min(_MAX_SQL_VALUE_BYTES, max_bytes),
        }
        answer = run_sql_child(request, timeout_ms / 1000 + _CHILD_GRACE_S, max_bytes)
        if answer is None:
            raise SqlTimeout(f"the query ran longer than {timeout_ms} ms")
        kind = answer.get("error")
        if kind == "timeout":
            raise SqlTimeout(f"the query ran longer than {timeout_ms} ms")
        if kind == "not_allowed":
            raise SqlNotAllowed(answer["message"])
        if kind == "too_large":
            raise SqlTooLarge(max_bytes)
        if kind is not None:
            raise BadQuery(f"SQL error: {answer.get('message', kind)}")
        names = record_names(answer["names"])
        records = [dict(zip(names, row, strict=True)) for row in answer["rows"]]
        return DatastoreResult(
            fields_of_values(names, records), records, None, None, truncated=answer["truncated"]
        )
