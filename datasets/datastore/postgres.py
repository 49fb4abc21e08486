"""The scaled datastore: one typed table per resource in its own PostgreSQL schema.

Loading streams rows through ``COPY``. ``search_sql`` connects as the login role
``<schema>_reader``, which holds USAGE on the schema and SELECT on its resource tables
and nothing else, inside a read-only transaction with ``statement_timeout``. It connects
as that role (rather than ``SET ROLE``) because a query could otherwise switch back to
the portal's role with ``set_config('role', ...)``.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from datasets.datastore import aggregating
from datasets.datastore import postgres_stage as staging
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
    Superseded,
    UnknownResource,
)
from datasets.datastore.casting import (
    check_resource_id,
    fields_from_table_schema,
    quote_ident,
)
from datasets.datastore.postgres_setup import FOLD_FROM, FOLD_TO, fetch_capped, setup_schema, stream
from datasets.datastore.querying import Dialect, check_select, next_cursor_for, plan_search
from datasets.datastore.results import fields_of_values, json_ready, record_names
from datasets.datastore.typed_reader import PARALLEL_MIN_BYTES, typed_batches

FREE_TEXT_MIN_LENGTH = 40  # same rule as the SQLite datastore: see its module docstring
_DIALECT = Dialect(
    param="%s", explicit_nulls=True, percent_escape=True, like="ILIKE", real="double precision"
)
# Text compares by code point (COLLATE "C"), as in SQLite: both backends sort alike.
_COLUMN_TYPES = {
    "text": 'text COLLATE "C"',
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp",
}
_Conn = psycopg.Connection[Any]
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,40}")
_NOT_ALLOWED = {"42501", "25006", "0A000"}  # insufficient privilege, read-only, unsupported


def _plain_url(url: str) -> str:
    # "postgresql+psycopg://..." (SQLAlchemy's spelling) -> libpq's "postgresql://..."
    return re.sub(r"\A[a-z]+\+[a-z0-9]+://", "postgresql://", url)


class PostgresDatastore:
    """Datastore in the schema ``schema`` of a PostgreSQL database."""

    def __init__(
        self,
        url: str,
        schema: str = "datastore",
        *,
        reader_url: str | None = None,
        parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    ):
        """Connect, creating the schema, the metadata table and the reader role when absent.

        ``reader_url`` defaults to ``url`` with the user ``<schema>_reader`` and the same
        password, which this constructor gives the role. A CSV of ``parallel_min_bytes`` or
        more is cast by a child process while this one copies (``typed_reader``).
        """
        self._parallel = parallel_min_bytes
        if not _SCHEMA.fullmatch(schema):
            raise ValueError("the datastore schema must be a lower-case SQL name")
        self._url = _plain_url(url)
        self._schema = schema
        self._reader_role = f"{schema}_reader"
        params = conninfo_to_dict(self._url)
        params["user"] = self._reader_role
        self._reader_url = reader_url or make_conninfo("", **params)
        self._local = threading.local()
        setup_schema(self._url, schema, self._reader_role, self._q, params.get("password"))

    def _q(self, name: str) -> str:
        return _DIALECT.ident(self._schema) + "." + _DIALECT.ident(name)

    def _reader(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = psycopg.connect(self._url)
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's cached connection."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _meta(self, conn: psycopg.Connection[Any], resource_id: str) -> tuple[DatastoreInfo, bool]:
        check_resource_id(resource_id)
        row = conn.execute(
            f"SELECT row_count, fields, text_search FROM {self._q('_datastore_meta')} "
            "WHERE resource_id = %s",
            [resource_id],
        ).fetchone()
        if row is None:
            raise UnknownResource(f"resource {resource_id} is not in the datastore")
        fields = tuple(DatastoreField(f["name"], f["type"]) for f in row[1])
        return DatastoreInfo(int(row[0]), fields), bool(row[2])

    def load(
        self,
        resource_id: str,
        csv_path: Path,
        table_schema: Mapping[str, Any],
        *,
        order: int | None = None,
    ) -> DatastoreInfo:
        """COPY the CSV into a new table, index it, and swap it in within one transaction."""
        check_resource_id(resource_id)

        def finish(conn: _Conn, table: str, built: DatastoreInfo, fts: bool) -> None:
            self._swap(conn, self._q(table), resource_id, built.fields, built.row_count, fts, order)

        return self._build(resource_id, csv_path, table_schema, "load", finish)

    def stage(
        self, resource_id: str, csv_path: Path, table_schema: Mapping[str, Any], *, key: str
    ) -> DatastoreInfo:
        """Build the resource's table for a later ``load_staged`` (see ``Datastore``)."""
        check_resource_id(resource_id)

        def finish(conn: _Conn, table: str, built: DatastoreInfo, fts: bool) -> None:
            staging.record_staged(
                conn, self._q, resource_id, key, table, built.fields, built.row_count, fts
            )

        return self._build(resource_id, csv_path, table_schema, "stage", finish)

    def load_staged(
        self, resource_id: str, key: str, *, order: int | None = None
    ) -> DatastoreInfo | None:
        """Swap in the table staged under ``key`` (see ``Datastore``)."""
        check_resource_id(resource_id)
        try:
            with psycopg.connect(self._url) as conn:
                taken = staging.take_staged(conn, self._q, resource_id, key)
                if taken is None:
                    return None
                table, fields, count, fts = taken
                self._swap(conn, self._q(table), resource_id, fields, count, fts, order)
        except psycopg.Error as exc:
            raise LoadFailed(f"the datastore could not store the table: {exc}") from exc
        return DatastoreInfo(count, fields)

    def staged(self) -> dict[str, str]:
        """The key of each resource's staged table, by resource id."""
        conn = self._reader()
        with conn.transaction():
            return staging.all_staged(conn, self._q)

    def drop_staged(self, resource_id: str, key: str) -> None:
        """Remove the resource's staged table if still staged under ``key``."""
        check_resource_id(resource_id)
        with psycopg.connect(self._url) as conn:
            staging.drop_staged(conn, self._q, resource_id, key)

    def _build(
        self,
        resource_id: str,
        csv_path: Path,
        table_schema: Mapping[str, Any],
        kind: str,
        finish: Callable[[_Conn, str, DatastoreInfo, bool], None],
    ) -> DatastoreInfo:
        """COPY the CSV into ``<resource>__<kind>_<token>`` and index it, then ``finish``
        (swap or stage) in the same transaction."""
        fields = fields_from_table_schema(table_schema)
        batches = typed_batches(csv_path, table_schema, 2_000, parallel_min_bytes=self._parallel)
        table = f"{resource_id}__{kind}_{secrets.token_hex(4)}"
        new = self._q(table)
        text_cols = [quote_ident(f.name) for f in fields if f.type == "text"]
        try:
            with psycopg.connect(self._url) as conn:
                columns = ", ".join(
                    f"{quote_ident(f.name)} {_COLUMN_TYPES[f.type]}" for f in fields
                )
                full_text = ""
                if text_cols:
                    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in text_cols)
                    full_text = (
                        ", _full_text tsvector GENERATED ALWAYS AS (to_tsvector('simple', "
                        f"translate({joined}, '{FOLD_FROM}', '{FOLD_TO}'))) STORED"
                    )
                conn.execute(
                    f"CREATE TABLE {new} (_id bigint GENERATED ALWAYS AS IDENTITY "
                    f"PRIMARY KEY, {columns}{full_text})".replace("%", "%%"),
                    [],
                )
                names = ", ".join(quote_ident(f.name) for f in fields)
                count = 0
                with conn.cursor() as cur, cur.copy(f"COPY {new} ({names}) FROM STDIN") as copy:
                    for batch in batches:
                        for row in batch:
                            copy.write_row(row)
                        count += len(batch)
                self._index(conn, new, fields, bool(text_cols))
                finish(conn, table, DatastoreInfo(count, fields), bool(text_cols))
        except psycopg.Error as exc:
            raise LoadFailed(f"the datastore could not store the table: {exc}") from exc
        finally:
            batches.close()  # stops the child reader of a load that failed midway
        return DatastoreInfo(count, fields)

    @staticmethod
    def _index(
        conn: psycopg.Connection[Any], table: str, fields: tuple[DatastoreField, ...], fts: bool
    ) -> None:
        for f in fields:
            col = _DIALECT.ident(f.name)
            if f.type == "text":
                avg = conn.execute(f"SELECT avg(length({col})) FROM {table}", []).fetchone()
                if avg and avg[0] is not None and avg[0] > FREE_TEXT_MIN_LENGTH:
                    continue
            # NULLS FIRST ascending = NULLS LAST descending, the order of every query.
            conn.execute(f"CREATE INDEX ON {table} ({col} NULLS FIRST, _id)", [])
        if fts:
            conn.execute(f"CREATE INDEX ON {table} USING gin (_full_text)", [])
        conn.execute(f"ANALYZE {table}", [])

    def _swap(  # the caller's transaction; ``new`` is qualified
        self,
        conn: psycopg.Connection[Any],
        new: str,
        resource_id: str,
        fields: tuple[DatastoreField, ...],
        count: int,
        fts: bool,
        order: int | None,
    ) -> None:
        # Loads of one resource swap one at a time (until this transaction ends), and
        # one from an earlier publication than the loaded table is discarded.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"datastore:{resource_id}"])
        row = conn.execute(
            f"SELECT source_order FROM {self._q('_datastore_meta')} WHERE resource_id = %s",
            [resource_id],
        ).fetchone()
        if order is not None and row is not None and row[0] is not None and row[0] > order:
            raise Superseded(f"resource {resource_id} already holds a newer version")
        conn.execute(f"DROP TABLE IF EXISTS {self._q(resource_id)}", [])
        conn.execute(f"ALTER TABLE {new} RENAME TO {_DIALECT.ident(resource_id)}", [])
        conn.execute(
            pg_sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
                pg_sql.Identifier(self._schema),
                pg_sql.Identifier(resource_id),
                pg_sql.Identifier(self._reader_role),
            )
        )
        conn.execute(
            f"INSERT INTO {self._q('_datastore_meta')} AS m VALUES (%s, %s, %s, %s, now(), %s) "
            "ON CONFLICT (resource_id) DO UPDATE SET row_count = excluded.row_count, "
            "fields = excluded.fields, text_search = excluded.text_search, loaded_at = now(), "
            "source_order = excluded.source_order",
            [
                resource_id,
                count,
                Jsonb([{"name": f.name, "type": f.type} for f in fields]),
                fts,
                order,
            ],
        )

    def drop(self, resource_id: str) -> None:
        """Remove the resource's table and its cached count."""
        check_resource_id(resource_id)
        with psycopg.connect(self._url) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {self._q(resource_id)}", [])
            conn.execute(
                f"DELETE FROM {self._q('_datastore_meta')} WHERE resource_id = %s", [resource_id]
            )

    def info(self, resource_id: str) -> DatastoreInfo:
        """Return the cached row count and the columns; raise ``UnknownResource``."""
        conn = self._reader()
        with conn.transaction():
            return self._meta(conn, resource_id)[0]

    @staticmethod
    def _text_match(has_text: bool) -> Callable[[list[str]], tuple[str, Any]]:
        def match(words: list[str]) -> tuple[str, Any]:
            if not has_text:
                return "1 = %s", 0
            return "_full_text @@ plainto_tsquery('simple', %s)", " ".join(words)

        return match

    def fields_for(self, resource_id: str, query: DatastoreQuery) -> tuple[DatastoreField, ...]:
        """Return the columns ``search`` and ``iter_rows`` answer for ``query``."""
        conn = self._reader()
        with conn.transaction():
            info, has_text = self._meta(conn, resource_id)
        table = self._q(resource_id)
        return plan_search(table, info.fields, query, _DIALECT, self._text_match(has_text)).fields

    def search(self, resource_id: str, query: DatastoreQuery) -> DatastoreResult:
        """Return one keyset-paginated page of matching rows (see ``Datastore.search``)."""
        conn = self._reader()
        try:
            with conn.transaction():  # one snapshot for the schema, the page and the count
                info, has_text = self._meta(conn, resource_id)
                plan = plan_search(
                    self._q(resource_id), info.fields, query, _DIALECT, self._text_match(has_text)
                )
                rows = conn.execute(plan.sql, plan.params).fetchall()
                total: int | None = None
                if query.include_total:
                    if query.filtered:
                        counted = conn.execute(plan.count_sql, plan.count_params).fetchone()
                        total = int(counted[0]) if counted else 0
                    else:
                        total = info.row_count
        except psycopg.errors.DataError as exc:
            raise BadQuery("a filter or cursor value does not fit its column") from exc
        page = rows[: query.limit]
        k = plan.key_count
        names = [f.name for f in plan.fields]
        records = [{n: json_ready(v) for n, v in zip(names, row[k:], strict=True)} for row in page]
        cursor = None
        if len(rows) > query.limit and page:
            last_key = [json_ready(v) for v in page[-1][:k]]
            cursor = next_cursor_for(plan, query, last_key, len(page))
        return DatastoreResult(plan.fields, records, total, cursor)

    def iter_rows(self, resource_id: str, query: DatastoreQuery) -> Iterator[tuple[Any, ...]]:
        """Stream every matching row through a server-side cursor (bounded memory)."""
        conn = psycopg.connect(self._url)
        try:
            conn.read_only = True
            info, has_text = self._meta(conn, resource_id)
            plan = plan_search(
                self._q(resource_id),
                info.fields,
                query,
                _DIALECT,
                self._text_match(has_text),
                paged=False,
            )
            cursor = conn.cursor(name="datastore_export")
            cursor.itersize = 2000
            cursor.execute(plan.sql, plan.params)
        except BaseException:
            conn.close()
            raise
        return stream(conn, cursor, plan.key_count)

    def aggregate(
        self, resource_id: str, query: AggregateQuery, *, paged: bool = True
    ) -> DatastoreResult:
        """Return groups of matching rows within ``query.timeout_ms`` (see ``Datastore``)."""

        def run(conn: psycopg.Connection[Any], info: DatastoreInfo, has_text: bool) -> Any:
            plan = aggregating.plan_aggregate(
                self._q(resource_id), info.fields, query, _DIALECT, self._text_match(has_text),
                paged=paged,
            )  # fmt: skip
            return plan, conn.execute(plan.sql, plan.params).fetchall()

        plan, rows = self._bounded(resource_id, query.timeout_ms, run)
        return aggregating.aggregate_result(plan, rows, query, paged=paged)

    def facets(self, resource_id: str, query: FacetQuery) -> list[Facet]:
        """Return each facet column's most frequent values (see ``Datastore.facets``)."""

        def run(conn: psycopg.Connection[Any], info: DatastoreInfo, has_text: bool) -> Any:
            planned = aggregating.plan_facets(
                self._q(resource_id), info.fields, query, _DIALECT, self._text_match(has_text)
            )
            return [aggregating.facet_result(f, conn.execute(sql, params).fetchall(), query)
                    for f, sql, params in planned]  # fmt: skip

        return cast(list[Facet], self._bounded(resource_id, query.timeout_ms, run))

    def _bounded(
        self,
        resource_id: str,
        timeout_ms: int,
        run: Callable[[psycopg.Connection[Any], DatastoreInfo, bool], Any],
    ) -> Any:
        """Call ``run`` in one snapshot under ``statement_timeout`` (``SqlTimeout`` past it)."""
        conn = self._reader()
        try:
            with conn.transaction():
                info, has_text = self._meta(conn, resource_id)
                conn.execute(
                    pg_sql.SQL("SET LOCAL statement_timeout = {}").format(
                        pg_sql.Literal(int(timeout_ms))
                    )
                )
                return run(conn, info, has_text)
        except pg_errors.QueryCanceled as exc:
            raise SqlTimeout(f"the query ran longer than {timeout_ms} ms") from exc
        except psycopg.errors.DataError as exc:
            raise BadQuery("a filter value does not fit its column") from exc

    def search_sql(
        self, sql: str, *, timeout_ms: int, max_rows: int, max_bytes: int = SQL_MAX_BYTES
    ) -> DatastoreResult:
        """Run one SELECT as the reader role in a read-only, time-limited transaction."""
        check_select(sql)
        try:
            with psycopg.connect(self._reader_url) as conn:
                conn.read_only = True
                with conn.transaction():
                    conn.execute(
                        pg_sql.SQL("SET LOCAL statement_timeout = {}").format(
                            pg_sql.Literal(int(timeout_ms))
                        )
                    )
                    conn.execute(
                        pg_sql.SQL("SET LOCAL search_path = {}").format(
                            pg_sql.Identifier(self._schema)
                        )
                    )
                    # A named cursor is DECLARE ... CURSOR FOR <query>: one SELECT only,
                    # and no more than max_rows + 1 rows ever reach this process.
                    cursor = conn.cursor(name="datastore_sql")
                    cursor.execute(sql)
                    rows, truncated = fetch_capped(cursor, max_rows, max_bytes)
                    names = record_names([d.name for d in cursor.description or ()])
        except pg_errors.QueryCanceled as exc:
            raise SqlTimeout(f"the query ran longer than {timeout_ms} ms") from exc
        except psycopg.Error as exc:
            if exc.sqlstate in _NOT_ALLOWED or "multiple commands" in str(exc):
                raise SqlNotAllowed("the query may only read datastore tables") from exc
            detail = exc.diag.message_primary or "invalid query"
            raise BadQuery(f"SQL error: {detail}") from exc
        records = [dict(zip(names, row, strict=True)) for row in rows]
        return DatastoreResult(
            fields_of_values(names, records), records, None, None, truncated=truncated
        )
