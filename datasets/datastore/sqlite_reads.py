"""Reading helpers of the SQLite datastore: the SQL child's runner, time-bounded statements,
booleans (SQLite stores 1/0) and streamed exports."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datasets.datastore.base import BadQuery, SqlTimeout

SQL_CHILD = Path(__file__).with_name("sqlite_sql_child.py")


def run_sql_child(request: dict[str, Any], timeout_s: float, max_bytes: int) -> Any:
    """Run the SQL child with ``request``; None when it had to be killed at the deadline."""
    with subprocess.Popen(  # noqa: S603 -- our own script; the SQL goes in on stdin
        [sys.executable, "-I", "-S", str(SQL_CHILD)],
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


def bounded(
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


def booleans(values: tuple[Any, ...], bools: list[int]) -> list[Any]:
    """``values`` with the columns at ``bools`` as ``True``/``False`` (SQLite stores 1/0)."""
    out = list(values)
    for i in bools:
        if out[i] is not None:
            out[i] = bool(out[i])
    return out


def stream(
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
