"""Loading a CSV into the SQLite datastore: the rows, the B-tree indexes, the full-text index.

Where the time of a load went (1,000,000 rows of 10 columns, cProfile): casting in Python and
``executemany`` a fifth, ``CREATE INDEX`` half, the FTS5 table a quarter, and four full scans
to measure the average length of the text columns. The rows go in by batches in the load's
one transaction and the indexes are built after them, with SQLite's default 2 MB page cache
(with the readers' 64 MiB cache each sort took twice the CPU); the average lengths are counted
while casting. A large file is cast by a child process meanwhile (``typed_reader``), and the
full-text table is filled batch by batch as the rows arrive, in the time this process spent
waiting for the child's next batch (issue 24).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from datasets.datastore.base import DatastoreField
from datasets.datastore.casting import quote_ident

FREE_TEXT_MIN_LENGTH = 40
COLUMN_TYPES = {
    "text": "TEXT",
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "datetime": "TEXT",
}
LOAD_CACHE_KIB = -2000  # SQLite's default page cache, for the loading connections


def fold_sql(column: str) -> str:
    """FTS5's unicode61 tokenizer folds case and tone marks but never đ (see VIETNAMESE.md)."""
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'd')"


def fts_definition(name: str, columns: int) -> str:
    """The CREATE statement of a resource's full-text table of ``columns`` text columns."""
    slots = ", ".join(f"c{i}" for i in range(columns))
    return (
        f"CREATE VIRTUAL TABLE {quote_ident(name)} USING fts5({slots}, "
        "content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2')"
    )


def insert_rows(
    conn: sqlite3.Connection,
    table: str,
    fields: tuple[DatastoreField, ...],
    batches: Iterator[list[tuple[Any, ...]]],
    fts: str | None = None,
) -> int:
    """Create ``table`` and insert every batch; ``_id`` numbers the rows in file order.

    With ``fts``, the full-text table of the text columns is created too and filled batch
    by batch, from the rows just inserted: while a child process casts the next batch
    (``typed_reader``) this process would otherwise wait for it.
    """
    columns = ", ".join(f"{quote_ident(f.name)} {COLUMN_TYPES[f.type]}" for f in fields)
    conn.execute(f"CREATE TABLE {quote_ident(table)} (_id INTEGER PRIMARY KEY, {columns})")
    names = ", ".join(quote_ident(f.name) for f in fields)
    marks = ", ".join("?" * len(fields))
    insert = f"INSERT INTO {quote_ident(table)} ({names}) VALUES ({marks})"
    fill = None
    if fts is not None:
        text_columns = [f.name for f in fields if f.type == "text"]
        conn.execute(fts_definition(fts, len(text_columns)))
        fill = fts_fill(table, fts, text_columns) + " WHERE _id > ?"
    count = 0
    for batch in batches:
        conn.executemany(insert, batch)
        if fill is not None:  # the new table's _id runs 1, 2, ...: this batch's are > count
            conn.execute(fill, (count,))
        count += len(batch)
    return count


def build_table(
    conn: sqlite3.Connection,
    table: str,
    fts: str | None,
    fields: tuple[DatastoreField, ...],
    batches: Iterator[list[tuple[Any, ...]]],
    token: str,
    lengths: Mapping[str, Sequence[int]],
) -> int:
    """Create and fill ``table`` (and ``fts``), index and analyse it; return the row count.

    ``lengths`` is filled by ``batches`` once they are read (``typed_batches``).
    """
    count = insert_rows(conn, table, fields, batches, fts)
    create_indexes(conn, table, fields, token, lengths)
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute(f"ANALYZE {quote_ident(table)}")
    return count


def create_indexes(
    conn: sqlite3.Connection,
    table: str,
    fields: tuple[DatastoreField, ...],
    token: str,
    lengths: Mapping[str, Sequence[int]],
) -> None:
    """Index every column but free text (see the module docstring of ``sqlite``).

    ``lengths`` holds ``[characters, non-empty cells]`` of each text column.
    """
    for i, f in enumerate(fields):
        col = quote_ident(f.name)
        if f.type == "text":
            characters, cells = lengths.get(f.name, (0, 0))
            if cells and characters / cells > FREE_TEXT_MIN_LENGTH:
                continue
        name = quote_ident(f"{table.split('__')[0]}__ix{i}_{token}")
        conn.execute(f"CREATE INDEX {name} ON {quote_ident(table)} ({col})")


def fts_fill(table: str, fts: str, text_columns: Sequence[str]) -> str:
    """The statement filling the full-text table ``fts`` from the rows of ``table``."""
    slots = ", ".join(f"c{i}" for i in range(len(text_columns)))
    folded = ", ".join(fold_sql(quote_ident(c)) for c in text_columns)
    return (
        f"INSERT INTO {quote_ident(fts)} (rowid, {slots}) "
        f"SELECT _id, {folded} FROM {quote_ident(table)}"
    )
