"""Leases (issues 14 and 19): while a process works on an upload or a harvest run it holds a
lease that is released when the process dies.

- One server (SQLite): a byte-range lock in ``<data dir>/run/leases``, released by the kernel.
- Several servers (``DATABASE_URL`` on PostgreSQL): a session-level advisory lock on a
  connection of its own, released by PostgreSQL when the connection ends, including when
  the holder is killed (its socket closes). Every server and worker sharing the database
  sees the same leases, so two job workers on different machines exclude each other.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from app.config import Settings


def _digest(key: str, size: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:size], "big")


class Leases:
    """Byte-range locks on one file: a lease per key, released when its process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _offset(key: str) -> int:
        return _digest(key, 7)

    @contextmanager
    def hold(self, key: str) -> Iterator[bool]:
        """Take the lease for the duration of the block; yield False if another holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self._offset(key))
            except OSError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # releases the lock

    def is_held(self, key: str) -> bool:
        """True when another process holds the lease (never this process's own)."""
        with self.hold(key) as got:
            return not got


class PostgresLeases:
    """Advisory locks of a PostgreSQL database: a lease per key, shared by every server."""

    def __init__(self, url: str) -> None:
        self.url = url

    @staticmethod
    def lock_id(key: str) -> int:
        """The signed 64-bit advisory-lock id of ``key``."""
        return _digest("opendata-lease:" + key, 8) - 2**63

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextmanager
    def hold(self, key: str, wait: float = 0.0) -> Iterator[bool]:
        """Take the lease for the block (trying for ``wait`` seconds); yield False if another
        holds it. The lock lives as long as this block's connection."""
        deadline = time.monotonic() + wait
        with self._connect() as conn:
            while True:
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (self.lock_id(key),)
                ).fetchone()
                got = bool(row and row[0])
                if got or time.monotonic() >= deadline:
                    break
                time.sleep(0.1)
            yield got  # closing the connection releases the lock

    def is_held(self, key: str) -> bool:
        """True when another session holds the lease."""
        with self._connect() as conn:
            lock = self.lock_id(key)
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()
            if row and row[0]:
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock,))
                return False
            return True


AnyLeases = Leases | PostgresLeases


def postgres_url(settings: Settings) -> str | None:
    """The plain ``postgresql://`` URL of the portal's database, or None on SQLite."""
    url = settings.effective_database_url
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return None


def leases_for(settings: Settings) -> AnyLeases:
    """The deployment's leases: the database's advisory locks on PostgreSQL (several servers
    may share it), else the data dir's lock file."""
    url = postgres_url(settings)
    if url is not None:
        return PostgresLeases(url)
    return Leases(settings.data_dir.resolve() / "run" / "leases")


def load_lease(version_id: str) -> str:
    """The lease a running datastore load of the version holds: recovery never queues the
    load again meanwhile (a second full load of the same table, issue 24)."""
    return f"load:{version_id}"
