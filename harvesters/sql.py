"""SQL sources: one SELECT per dataset (``queries``), run read-only.

SQLite is opened through a ``mode=ro`` URI with ``PRAGMA query_only``; PostgreSQL runs each
query in a ``READ ONLY`` transaction with a ``statement_timeout``, connecting to the
address that passed the private-address check (``hostaddr``), so DNS cannot change it
between check and connect. Statements other than a single SELECT are refused before
anything runs. The configured queries are the approved list: a dataset whose query is
removed from the config is withdrawn. The password, when the source has an ``auth``
credential, comes from the encrypted secret, never from the URL given on the command line.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from harvesters.base import RemoteRecord, RemoteRef, RemoteResource, file_sha256, scratch_file
from harvesters.config import SourceConfig
from harvesters.errors import BadResponse, HarvestError, ResponseTooLarge, SourceUnavailable
from harvesters.http import AddressPolicy, resolve_checked

_SELECT = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_WRITES = re.compile(
    r"\b(insert|update|delete|drop|alter|create|attach|detach|pragma|copy|grant|vacuum|"
    r"truncate|call|do|lock|set|reindex|replace)\b",
    re.IGNORECASE,
)


def check_select(query: str) -> None:
    """Raise ``BadResponse`` unless ``query`` is one SELECT (or WITH ... SELECT) statement."""
    body = query.strip().rstrip(";")
    if not _SELECT.match(body) or ";" in body:
        raise BadResponse("only a single SELECT statement is allowed", code="not_a_select")
    if re.match(r"^\s*with\b", body, re.IGNORECASE) and _WRITES.search(body):
        raise BadResponse("only a single SELECT statement is allowed", code="not_a_select")


class SqlSource:
    """A database (SQLite or PostgreSQL) and one query per dataset."""

    type = "sql"

    def __init__(
        self,
        url: str,
        config: SourceConfig,
        policy: AddressPolicy,
        *,
        secret: str | None = None,
        timeout_ms: int = 30_000,
        max_bytes: int = 50 * 1024 * 1024,
    ) -> None:
        self._url = url
        self._config = config
        self._policy = policy
        self._secret = secret
        self._timeout_ms = timeout_ms
        self._max_bytes = max_bytes
        self._engine: Engine | None = None

    def _open(self) -> Engine:
        if self._engine is not None:
            return self._engine
        url = make_url(self._url)
        if url.drivername.startswith("sqlite"):
            path = url.database or ""
            if not path or path == ":memory:":
                raise BadResponse("a SQLite source needs a file", code="bad_url")
            engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=NullPool)

            @event.listens_for(engine, "connect")
            def _read_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
                dbapi_conn.execute("PRAGMA query_only = 1")

        elif url.drivername.startswith(("postgresql", "postgres")):
            host = url.host or "localhost"
            infos = resolve_checked(host, url.port or 5432, self._policy)
            address = str(infos[0][4][0])
            url = url.set(drivername="postgresql+psycopg")
            if self._secret:
                url = url.set(password=self._secret)
            engine = create_engine(
                url,
                poolclass=NullPool,
                connect_args={"hostaddr": address, "connect_timeout": 10},
            )
        else:
            raise BadResponse("only SQLite and PostgreSQL sources are supported", code="bad_url")
        self._engine = engine
        return engine

    def gather(self) -> Iterator[RemoteRef]:
        """Yield one reference per configured query (the approved list); no stamps."""
        for name in sorted(self._config.queries):
            check_select(self._config.queries[name])
            yield RemoteRef(remote_id=name, stamp="", url="")

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Run the dataset's query read-only and write its rows as CSV."""
        query = self._config.queries.get(ref.remote_id)
        if query is None:
            raise BadResponse("no query for this dataset", code="gone")
        check_select(query)
        dest = scratch_file(scratch, "csv")
        try:
            self._run(query, dest)
        except HarvestError:
            dest.unlink(missing_ok=True)
            raise
        except SQLAlchemyError as exc:
            dest.unlink(missing_ok=True)
            orig = type(getattr(exc, "orig", exc)).__name__
            if "OperationalError" in type(exc).__name__ and "Timeout" not in orig:
                raise SourceUnavailable("the database is unreachable", code="db_error") from None
            raise BadResponse(f"the query failed ({orig})", code="query_failed") from None
        return RemoteRecord(
            remote_id=ref.remote_id,
            stamp="",
            title=ref.remote_id,
            resources=(
                RemoteResource(
                    key=ref.remote_id,
                    name=ref.remote_id,
                    format="CSV",
                    path=dest,
                    sha256=file_sha256(dest),
                    filename=f"{ref.remote_id}.csv",
                ),
            ),
        )

    def _run(self, query: str, dest: Path) -> None:
        engine = self._open()
        with engine.connect() as conn, dest.open("w", encoding="utf-8", newline="") as out:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION READ ONLY"))
                conn.execute(text(f"SET LOCAL statement_timeout = {int(self._timeout_ms)}"))
            else:
                deadline = time.monotonic() + self._timeout_ms / 1000
                raw = cast(sqlite3.Connection, conn.connection.driver_connection)  # SQLite here
                raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            result = conn.execution_options(stream_results=True).execute(text(query))
            writer = csv.writer(out)
            writer.writerow(list(result.keys()))
            for row in result:
                writer.writerow(["" if v is None else v for v in row])
                if out.tell() > self._max_bytes:
                    raise ResponseTooLarge("the query result is larger than the limit")
            conn.rollback()

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
