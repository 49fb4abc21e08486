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
import os
import re
import socket
import sqlite3
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import cast
from urllib.parse import quote

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


# Column names that look like credentials (English, and Vietnamese without accents): a
# table with one is held for a steward instead of being published automatically.
_SECRET_WORDS = frozenset(
    [
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "hash",
        "hashed",
        "token",
        "tokens",
        "secret",
        "secrets",
        "key",
        "keys",
        "apikey",
        "salt",
        "otp",
        "pin",
        "credential",
        "credentials",
        "matkhau",
        "bimat",
    ]
)
_SECRET_PAIRS = frozenset({("mat", "khau"), ("bi", "mat"), ("ma", "bam"), ("xac", "thuc")})


def _words(column: str) -> list[str]:
    plain = unicodedata.normalize("NFD", column.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", plain).lower()
    return [w for w in re.split(r"[^a-z0-9]+", plain) if w]


def secret_columns(columns: Sequence[str]) -> list[str]:
    """Return the column names that look like passwords, hashes, tokens, keys or secrets."""
    found = []
    for column in columns:
        words = _words(column)
        pairs = set(pairwise(words))
        if _SECRET_WORDS.intersection(words) or _SECRET_PAIRS & pairs:
            found.append(column)
    return found


@dataclass(frozen=True)
class SqlBoundaries:
    """What SQL sources may read: SQLite files only under ``allowed_paths`` and never under
    ``forbidden_paths`` (the portal's data dir and database); never the portal's own
    PostgreSQL database (``own_database_url``). Paths are compared after resolving
    symbolic links and ``..``.
    """

    allowed_paths: tuple[Path, ...] = ()
    forbidden_paths: tuple[Path, ...] = ()
    own_database_url: str = ""

    def check_sqlite(self, path: str) -> Path:
        """Return the real path of an allowed SQLite file; raise ``BadResponse``."""
        real = Path(os.path.realpath(path))
        if any(real == f or f in real.parents for f in self._real(self.forbidden_paths)):
            raise BadResponse("the portal's own files cannot be harvested", code="path_refused")
        allowed = self._real(self.allowed_paths)
        if not any(real == a or a in real.parents for a in allowed):
            raise BadResponse(
                "this SQLite file is outside OPENDATA_HARVEST_SQL_PATHS", code="path_refused"
            )
        if not real.is_file():
            raise BadResponse("the SQLite file does not exist", code="bad_url")
        return real

    def check_postgres(self, address: str, port: int, database: str) -> None:
        """Refuse the portal's own PostgreSQL database, by address, port and name."""
        if not self.own_database_url.startswith(("postgresql", "postgres")):
            return
        own = make_url(self.own_database_url)
        if (own.database or "") != database or (own.port or 5432) != port:
            return
        own_addresses = set(_addresses(own.host or "localhost", port))
        if address in own_addresses:
            raise BadResponse("the portal's own database cannot be harvested", code="path_refused")

    @staticmethod
    def _real(paths: Sequence[Path]) -> list[Path]:
        return [Path(os.path.realpath(p)) for p in paths]


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


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
        boundaries: SqlBoundaries | None = None,
    ) -> None:
        self._url = url
        self._boundaries = boundaries or SqlBoundaries()
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
            real = self._boundaries.check_sqlite(path)
            engine = create_engine(
                f"sqlite:///file:{quote(str(real))}?mode=ro&uri=true", poolclass=NullPool
            )

            @event.listens_for(engine, "connect")
            def _read_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
                dbapi_conn.execute("PRAGMA query_only = 1")

        elif url.drivername.startswith(("postgresql", "postgres")):
            host = url.host or "localhost"
            infos = resolve_checked(host, url.port or 5432, self._policy)
            address = str(infos[0][4][0])
            self._boundaries.check_postgres(address, url.port or 5432, url.database or "")
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
            columns = self._run(query, dest)
        except HarvestError:
            dest.unlink(missing_ok=True)
            raise
        except SQLAlchemyError as exc:
            dest.unlink(missing_ok=True)
            orig = type(getattr(exc, "orig", exc)).__name__
            if "OperationalError" in type(exc).__name__ and "Timeout" not in orig:
                raise SourceUnavailable("the database is unreachable", code="db_error") from None
            raise BadResponse(f"the query failed ({orig})", code="query_failed") from None
        secrets = secret_columns(columns)
        record = RemoteRecord(
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
        if secrets:
            return replace(record, hold_reason="secret_columns: " + ", ".join(secrets))
        return record

    def _run(self, query: str, dest: Path) -> list[str]:
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
            columns = [str(k) for k in result.keys()]  # noqa: SIM118 -- a Result, not a dict
            writer.writerow(columns)
            for row in result:
                writer.writerow(["" if v is None else v for v in row])
                if out.tell() > self._max_bytes:
                    raise ResponseTooLarge("the query result is larger than the limit")
            conn.rollback()
        return columns

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
