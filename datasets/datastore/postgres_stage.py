"""Staged tables of the PostgreSQL datastore (issue 24): built while a submission waits for
review, swapped in by the approval's load.

A staged table ``<resource>__stage_<token>`` is committed with a row of ``_datastore_staged``
naming it and its key. The reader role of ``search_sql`` holds no grant on it (the swap
grants SELECT on the resource's table only) and ``search`` reads only tables with a row in
``_datastore_meta``, so no reader reaches it before the swap. Every change to the staged
table of a resource holds the resource's transaction-scoped advisory lock, as the swap does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from datasets.datastore.base import DatastoreField

STAGED = "_datastore_staged"


def staged_definition(q: Callable[[str], str]) -> str:
    """The CREATE statement of the staged-tables list (``q`` qualifies a name)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {q(STAGED)} (resource_id text PRIMARY KEY, "
        "key text NOT NULL, table_name text NOT NULL, fields jsonb NOT NULL, "
        "row_count bigint NOT NULL, text_search boolean NOT NULL, "
        "staged_at timestamptz NOT NULL DEFAULT now())"
    )


def lock(conn: psycopg.Connection[Any], resource_id: str) -> None:
    """The resource's advisory lock, until the transaction ends (the swap takes it too)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"datastore:{resource_id}"])


def record_staged(
    conn: psycopg.Connection[Any],
    q: Callable[[str], str],
    resource_id: str,
    key: str,
    table: str,
    fields: tuple[DatastoreField, ...],
    count: int,
    text_search: bool,
) -> None:
    """Keep ``table`` (unqualified) as the resource's staged table, dropping the one before."""
    drop_staged(conn, q, resource_id, None)
    conn.execute(
        f"INSERT INTO {q(STAGED)} (resource_id, key, table_name, fields, row_count, "
        "text_search) VALUES (%s, %s, %s, %s, %s, %s)",
        [
            resource_id,
            key,
            table,
            Jsonb([{"name": f.name, "type": f.type} for f in fields]),
            count,
            text_search,
        ],
    )


def take_staged(
    conn: psycopg.Connection[Any], q: Callable[[str], str], resource_id: str, key: str
) -> tuple[str, tuple[DatastoreField, ...], int, bool] | None:
    """The resource's table staged under ``key`` (name, fields, rows, full text), no longer
    listed as staged; or None."""
    lock(conn, resource_id)
    row = conn.execute(
        f"DELETE FROM {q(STAGED)} WHERE resource_id = %s AND key = %s "
        "RETURNING table_name, fields, row_count, text_search",
        [resource_id, key],
    ).fetchone()
    if row is None:
        return None
    fields = tuple(DatastoreField(f["name"], f["type"]) for f in row[1])
    return str(row[0]), fields, int(row[2]), bool(row[3])


def drop_staged(
    conn: psycopg.Connection[Any], q: Callable[[str], str], resource_id: str, key: str | None
) -> None:
    """Drop the resource's staged table (only if staged under ``key``, unless None)."""
    lock(conn, resource_id)
    row = conn.execute(
        f"DELETE FROM {q(STAGED)} WHERE resource_id = %s AND (%s::text IS NULL OR key = %s) "
        "RETURNING table_name",
        [resource_id, key, key],
    ).fetchone()
    if row is not None:
        conn.execute(f"DROP TABLE IF EXISTS {q(str(row[0]))}", [])


def all_staged(conn: psycopg.Connection[Any], q: Callable[[str], str]) -> dict[str, str]:
    """Every staged table's key, by resource id."""
    rows = conn.execute(f"SELECT resource_id, key FROM {q(STAGED)}", []).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}
