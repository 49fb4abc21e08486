"""Leases (issue 14): while a process works on an upload or a harvest run it holds a lease,
a byte-range lock in ``<data dir>/run/leases`` that the kernel releases when it dies."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config import Settings


class Leases:
    """Byte-range locks on one file: a lease per key, released when its process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _offset(key: str) -> int:
        return int.from_bytes(hashlib.sha256(key.encode()).digest()[:7], "big")

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


def leases_for(settings: Settings) -> Leases:
    """The data dir's leases."""
    return Leases(settings.data_dir.resolve() / "run" / "leases")
