"""Run one read-only SQL query on the datastore file in a child process (``search_sql``).

Started as ``python -I -S <this file>`` by ``SqliteDatastore.search_sql``: it imports only the
standard library, reads its request as JSON on stdin and writes one JSON answer on stdout:
``{"names": [...], "rows": [[...], ...], "truncated": bool}`` or ``{"error": kind, "message"}``.

Why a process: SQLite checks its progress handler (and ``interrupt()``) between virtual-machine
steps, never inside one function call, so one ``instr()`` or ``LIKE`` over long generated strings
runs as long as it likes in-process. The parent kills this process at the deadline, which stops
anything; the child also runs at a lower priority and under an address-space limit, and stops
collecting rows once their JSON would exceed the byte cap, so the web worker's memory never
holds more than the cap.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import Any

META = "_datastore_meta"
ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
ADDRESS_SPACE_BYTES = 1024 * 1024 * 1024  # a backstop: the child can never grow past 1 GiB


def _authorizer(
    allowed: set[str], forbidden: set[str]
) -> Callable[[int, str | None, str | None, Any, Any], int]:
    def authorize(action: int, arg1: str | None, _arg2: Any, db: str | None, _src: Any) -> int:
        if action in ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action != sqlite3.SQLITE_READ:
            return sqlite3.SQLITE_DENY
        # Real tables are read from "main" and only datastore tables are allowed there. A
        # common table expression is read with no database name, and so is a table none of
        # whose columns is read (``count(*)``): no other table of the file (a staged table,
        # the lists of tables) may be named that way.
        if db == "main" and arg1 in allowed:
            return sqlite3.SQLITE_OK
        if db is None and (arg1 or "").lower() not in forbidden:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY

    return authorize


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value


def _fail(kind: str, message: str) -> dict[str, Any]:
    return {"error": kind, "message": message}


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Answer one request: ``uri``, ``sql``, ``timeout_ms``, ``max_rows``, ``max_bytes``."""
    conn = sqlite3.connect(request["uri"], uri=True, isolation_level=None)
    try:
        allowed = {r[0] for r in conn.execute(f"SELECT resource_id FROM {META}")}
        tables = {str(r[0]).lower() for r in conn.execute("SELECT name FROM sqlite_schema")}
        forbidden = tables - {name.lower() for name in allowed}
        forbidden |= {"sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master"}
        conn.execute("PRAGMA query_only = 1")
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(request["max_value_bytes"]))
        conn.set_authorizer(_authorizer(allowed, forbidden))
        deadline = time.monotonic() + request["timeout_ms"] / 1000
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
        max_rows, max_bytes = int(request["max_rows"]), int(request["max_bytes"])
        try:
            cursor = conn.execute(request["sql"])
            names = [d[0] for d in cursor.description or ()]
            rows: list[list[Any]] = []
            size = 0
            truncated = False
            for row in cursor:
                if len(rows) == max_rows:
                    truncated = True
                    break
                values = [_json_value(v) for v in row]
                size += len(json.dumps(values, ensure_ascii=False).encode()) + 1
                if size > max_bytes:
                    return _fail("too_large", str(max_bytes))
                rows.append(values)
        except (sqlite3.Warning, sqlite3.ProgrammingError):
            return _fail("not_allowed", "only a single SELECT statement is allowed")
        except MemoryError:
            return _fail("too_large", str(max_bytes))
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "interrupted" in message:
                return _fail("timeout", message)
            if "authoriz" in message or "prohibited" in message:
                return _fail("not_allowed", "the query may only read datastore tables")
            if "too big" in message or "out of memory" in message:
                return _fail("too_large", str(max_bytes))
            return _fail("bad_query", message)
        return {"names": names, "rows": rows, "truncated": truncated}
    finally:
        conn.close()


def main() -> None:
    """Read the request on stdin, answer on stdout."""
    os.nice(10)  # the web workers come first
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    answer = run(json.loads(sys.stdin.read()))
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
