"""Built tables of the SQLite datastore: swapped in at a load, or staged for a later one.

A load builds ``<resource>__load_<token>`` and swaps it in within its transaction. A table
staged while a submission waits for review (issue 24) is built the same way as
``<resource>__stage_<token>`` and committed with a row of ``_datastore_staged`` naming it
and its key; the approval's load then only swaps it in (``take_staged`` + ``swap_in``).
A staged table is no resource's table: ``search`` finds no metadata row for it and the SQL
child's authorizer allows only the tables named in ``_datastore_meta``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from datasets.datastore.base import DatastoreField, Superseded
from datasets.datastore.casting import quote_ident

META = "_datastore_meta"
STAGED = "_datastore_staged"
STAGED_DEFINITION = (
    f"CREATE TABLE IF NOT EXISTS {STAGED} (resource_id TEXT PRIMARY KEY, key TEXT NOT NULL, "
    "table_name TEXT NOT NULL, fts_name TEXT, row_count INTEGER NOT NULL, "
    "fields TEXT NOT NULL, staged_at REAL NOT NULL)"
)


@dataclass(frozen=True)
class Built:
    """A table built from a CSV and not yet the resource's: its name, its full-text table
    (None without text columns), its columns and its row count."""

    table: str
    fts: str | None
    fields: tuple[DatastoreField, ...]
    count: int


def _fields_json(fields: tuple[DatastoreField, ...]) -> str:
    return json.dumps([{"name": f.name, "type": f.type} for f in fields])


def check_order(conn: sqlite3.Connection, resource_id: str, order: int | None) -> None:
    """Raise ``Superseded`` when the loaded table comes from a later publication."""
    if order is None:
        return
    row = conn.execute(
        f"SELECT source_order FROM {META} WHERE resource_id = ?", (resource_id,)
    ).fetchone()
    if row is not None and row[0] is not None and row[0] > order:
        raise Superseded(f"resource {resource_id} already holds a newer version")


def swap_in(conn: sqlite3.Connection, resource_id: str, built: Built, order: int | None) -> None:
    """Make ``built`` the resource's table (in the caller's write transaction)."""
    conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id)}")
    conn.execute(f"DROP TABLE IF EXISTS {quote_ident(resource_id + '__fts')}")
    conn.execute(f"ALTER TABLE {quote_ident(built.table)} RENAME TO {quote_ident(resource_id)}")
    if built.fts is not None:
        conn.execute(
            f"ALTER TABLE {quote_ident(built.fts)} RENAME TO {quote_ident(resource_id + '__fts')}"
        )
    conn.execute(
        f"INSERT OR REPLACE INTO {META} VALUES (?, ?, ?, ?, ?, ?)",
        (
            resource_id,
            built.count,
            _fields_json(built.fields),
            int(built.fts is not None),
            time.time(),
            order,
        ),
    )


def _drop_built(conn: sqlite3.Connection, table: str, fts: str | None) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
    if fts is not None:
        conn.execute(f"DROP TABLE IF EXISTS {quote_ident(fts)}")


def record_staged(conn: sqlite3.Connection, resource_id: str, key: str, built: Built) -> None:
    """Keep ``built`` as the resource's staged table under ``key``, dropping the one staged
    before (in the caller's write transaction)."""
    drop_staged(conn, resource_id, None)
    conn.execute(
        f"INSERT INTO {STAGED} VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            resource_id,
            key,
            built.table,
            built.fts,
            built.count,
            _fields_json(built.fields),
            time.time(),
        ),
    )


def staged_key(conn: sqlite3.Connection, resource_id: str) -> str | None:
    """The key of the resource's staged table, or None."""
    row = conn.execute(f"SELECT key FROM {STAGED} WHERE resource_id = ?", (resource_id,))
    found = row.fetchone()
    return None if found is None else str(found[0])


def take_staged(conn: sqlite3.Connection, resource_id: str, key: str) -> Built | None:
    """The resource's table staged under ``key``, no longer listed as staged; or None."""
    row = conn.execute(
        f"SELECT table_name, fts_name, fields, row_count FROM {STAGED} "
        "WHERE resource_id = ? AND key = ?",
        (resource_id, key),
    ).fetchone()
    if row is None:
        return None
    conn.execute(f"DELETE FROM {STAGED} WHERE resource_id = ?", (resource_id,))
    fields = tuple(DatastoreField(f["name"], f["type"]) for f in json.loads(row[2]))
    return Built(row[0], row[1], fields, int(row[3]))


def drop_staged(conn: sqlite3.Connection, resource_id: str, key: str | None) -> None:
    """Drop the resource's staged table (only if staged under ``key``, unless None)."""
    row = conn.execute(
        f"SELECT table_name, fts_name, key FROM {STAGED} WHERE resource_id = ?", (resource_id,)
    ).fetchone()
    if row is None or (key is not None and row[2] != key):
        return
    _drop_built(conn, row[0], row[1])
    conn.execute(f"DELETE FROM {STAGED} WHERE resource_id = ?", (resource_id,))


def all_staged(conn: sqlite3.Connection) -> dict[str, str]:
    """Every staged table's key, by resource id."""
    return {str(r[0]): str(r[1]) for r in conn.execute(f"SELECT resource_id, key FROM {STAGED}")}
