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

import json
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

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
    Superseded,
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
from datasets.datastore.sqlite_load import (
    LOAD_CACHE_KIB,
    create_indexes,
    insert_rows,
)
from datasets.datastore.typed_reader import PARALLEL_MIN_BYTES, typed_batches
from datasets.public_cache import BoundedCache

_DIALECT = Dialect(param="?", explicit_nulls=False, percent_escape=False)
_META = "_datastore_meta"
_MAX_SQL_VALUE_BYTES = 10_000_000  # no single string or blob a query builds may exceed this
_CHILD = Path(__file__).with_name("sqlite_sql_child.py")
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
        fields = fields_from_table_schema(table_schema)
        lengths: dict[str, list[int]] = {}
        batches = typed_batches(
            csv_path, table_schema, self._batch_size, lengths, parallel_min_bytes=self._parallel
        )
        token = secrets.token_hex(4)
        new_table = f"{resource_id}__load_{token}"
        new_fts = f"{resource_id}__fts_{token}"
        text_cols = [f.name for f in fields if f.type == "text"]
        conn = self._connect()
        try:
            conn.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
            conn.execute("BEGIN IMMEDIATE")
            _check_order(conn, resource_id, order)
            count = insert_rows(conn, new_table, fields, batches, new_fts if text_cols else None)
            create_indexes(conn, new_table, fields, token, lengths)
            conn.execute("PRAGMA analysis_limit = 1000")
            conn.execute(f"ANALYZE {quote_ident(new_table)}")
            conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id)}")
            conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id + '__fts')}")
            conn.execute(
                f"ALTER TABLE {quote_ident(new_table)} RENAME TO {quote_ident(resource_id)}"
            )
            if text_cols:
                conn.execute(
                    f"ALTER TABLE {quote_ident(new_fts)} "
                    f"RENAME TO {quote_ident(resource_id + '__fts')}"
                )
            conn.execute(
                f"INSERT OR REPLACE INTO {_META} VALUES (?, ?, ?, ?, ?, ?)",
                (
                    resource_id,
                    count,
                    json.dumps([{"name": f.name, "type": f.type} for f in fields]),
                    int(bool(text_cols)),
                    time.time(),
                    order,
                ),
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise LoadFailed(f"the datastore could not store the table: {exc}") from exc
            raise
        finally:
            batches.close()  # stops the child reader of a load that failed midway
            conn.close()
        return DatastoreInfo(count, fields)

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
            records = [dict(zip(names, _booleans(row[k:], bools), strict=True)) for row in page]
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
        return _stream(conn, cursor, plan.key_count, bools)

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
            (rows,) = _bounded(conn, [(plan.sql, plan.params)], query.timeout_ms)
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
            answers = _bounded(
                conn, [(sql, params) for _, sql, params in planned], query.timeout_ms
            )
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
        answer = _run_child(request, timeout_ms / 1000 + _CHILD_GRACE_S, max_bytes)
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


def _run_child(request: dict[str, Any], timeout_s: float, max_bytes: int) -> Any:
    """Run the SQL child with ``request``; None when it had to be killed at the deadline."""
    with subprocess.Popen(  # noqa: S603 -- our own script; the SQL goes in on stdin
        [sys.executable, "-I", "-S", str(_CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as child:
        try:
            out, _ = child.communicate(json.dumps(request).encode(), timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return None
    if child.returncode != 0 or len(out) > max_bytes * 2 + 65536:
        raise BadQuery("SQL error: the query could not be run")
    return json.loads(out)


def _bounded(
    conn: sqlite3.Connection, statements: list[tuple[str, list[Any]]], timeout_ms: int
) -> list[list[Any]]:
    """Run the statements, stopped (``SqlTimeout``) once ``timeout_ms`` have passed in all.

    The SQL is ours (built-in aggregates, no user function), so SQLite's progress handler,
    called every few thousand steps of its virtual machine, is enough to stop it in time.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 1_000)
    try:
        return [conn.execute(sql, params).fetchall() for sql, params in statements]
    except sqlite3.OperationalError as exc:
        if time.monotonic() > deadline:
            raise SqlTimeout(f"the query ran longer than {timeout_ms} ms") from exc
        raise BadQuery(f"query failed: {exc}") from exc
    finally:
        conn.set_progress_handler(None, 0)


def _check_order(conn: sqlite3.Connection, resource_id: str, order: int | None) -> None:
    """Raise ``Superseded`` when the loaded table comes from a later publication."""
    if order is None:
        return
    row = conn.execute(
        f"SELECT source_order FROM {_META} WHERE resource_id = ?", (resource_id,)
    ).fetchone()
    if row is not None and row[0] is not None and row[0] > order:
        raise Superseded(f"resource {resource_id} already holds a newer version")


def _booleans(values: tuple[Any, ...], bools: list[int]) -> list[Any]:
    """``values`` with the columns at ``bools`` as ``True``/``False`` (SQLite stores 1/0)."""
    out = list(values)
    for i in bools:
        if out[i] is not None:
            out[i] = bool(out[i])
    return out


def _stream(
    conn: sqlite3.Connection, cursor: sqlite3.Cursor, skip: int, bools: list[int]
) -> Iterator[tuple[Any, ...]]:
    try:
        while batch := cursor.fetchmany(2000):
            for row in batch:
                if bools:
                    values = list(row[skip:])
                    for i in bools:
                        if values[i] is not None:
                            values[i] = bool(values[i])
                    yield tuple(values)
                else:
                    yield row[skip:]
    finally:
        conn.close()
