"""Parts of the PostgreSQL datastore: its schema and reader role, the folding table of its
full-text column, and the readers of ``search_sql`` and exports."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg import sql as pg_sql

from datasets.datastore import postgres_stage as staging
from datasets.datastore.base import SqlTooLarge
from datasets.datastore.casting import fold_text
from datasets.datastore.results import json_ready


def _fold_table() -> tuple[str, str]:
    """Letters whose folded form is one ASCII letter, for SQL ``translate()``."""
    ranges = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    pairs = [(chr(c), fold_text(chr(c))) for c in ranges]
    pairs = [(a, b) for a, b in pairs if len(b) == 1 and b.isascii() and b.isalpha()]
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


FOLD_FROM, FOLD_TO = _fold_table()


def setup_schema(
    url: str, schema: str, reader_role: str, q: Callable[[str], str], password: Any
) -> None:
    """Create the schema, the metadata tables and the reader role when absent.

    Roles are cluster-wide: several processes (web workers, the job worker, test
    databases) may grant to the same role at once, and PostgreSQL answers one of
    them "tuple concurrently updated". The statements are idempotent: retry.
    """
    for attempt in range(5):
        try:
            _setup_once(url, schema, reader_role, q, password)
            return
        except psycopg.errors.InternalError_ as exc:
            if "concurrently" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))


def _setup_once(
    url: str, schema_name: str, reader_role: str, q: Callable[[str], str], password: Any
) -> None:
    role = pg_sql.Identifier(reader_role)
    schema = pg_sql.Identifier(schema_name)
    with psycopg.connect(url) as conn:
        conn.execute(pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        conn.execute(staging.staged_definition(q), [])
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {q('_datastore_meta')} ("
            "resource_id text PRIMARY KEY, row_count bigint NOT NULL, "
            "fields jsonb NOT NULL, text_search boolean NOT NULL, "
            "loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(  # a datastore made before load ordering
            f"ALTER TABLE {q('_datastore_meta')} ADD COLUMN IF NOT EXISTS source_order bigint"
        )
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [reader_role]).fetchone()
        if not exists:
            conn.execute(pg_sql.SQL("CREATE ROLE {} LOGIN").format(role))
        if password:
            conn.execute(
                pg_sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, pg_sql.Literal(password))
            )
        conn.execute(
            pg_sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role)
        )
        conn.execute(pg_sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))


def fetch_capped(
    cursor: psycopg.ServerCursor[Any], max_rows: int, max_bytes: int
) -> tuple[list[list[Any]], bool]:
    """Fetch at most ``max_rows`` JSON-ready rows; raise ``SqlTooLarge`` past ``max_bytes``.

    Batches grow with the room left: the first row comes alone, then as many rows as the
    average row size so far says fit, so no batch brings much more than the cap.
    """
    rows: list[list[Any]] = []
    size = 0
    batch = 1
    while True:
        fetched = cursor.fetchmany(min(batch, max_rows + 1 - len(rows)))
        if not fetched:
            return rows, False
        for row in fetched:
            if len(rows) == max_rows:
                return rows, True
            values = [json_ready(v) for v in row]
            size += len(json.dumps(values, ensure_ascii=False, default=str).encode()) + 1
            if size > max_bytes:
                raise SqlTooLarge(max_bytes)
            rows.append(values)
        average = max(size // len(rows), 1)
        batch = max(1, min(1000, (max_bytes - size) // average))


def stream(
    conn: psycopg.Connection[Any], cursor: psycopg.ServerCursor[Any], skip: int
) -> Iterator[tuple[Any, ...]]:
    try:
        for row in cursor:
            yield tuple(json_ready(v) for v in row[skip:])
    finally:
        conn.close()
