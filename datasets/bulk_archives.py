"""The list of bulk archives (issue 23): finished archives in the public store.

An archive is built elsewhere (``app.bulk``) into a scratch file, put whole in the
content-addressed public store, and only then recorded here: the switch to a new archive
is one committed row, so a build that stops half-way leaves the previous archives listed
and served. The oldest archives beyond ``keep`` are forgotten and their blobs removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from datasets.bulk_model import BulkArchive
from datasets.storage import BlobStore
from publishers import NotFound

ARCHIVE_MEDIA_TYPE = "application/zip"


@dataclass(frozen=True)
class ArchiveInfo:
    """A served archive: its file name, SHA-256 (also its store key), size and date."""

    id: str
    filename: str
    sha256: str
    size: int
    datasets: int
    tables: int
    created: datetime


def _info(row: BulkArchive) -> ArchiveInfo:
    created = row.created if row.created.tzinfo else row.created.replace(tzinfo=UTC)
    return ArchiveInfo(
        row.id, row.filename, row.sha256, row.size, row.datasets, row.tables, created
    )


class BulkArchives:
    """Record, list and find the finished archives."""

    def __init__(self, sessions: Callable[[], Session], store: BlobStore, keep: int = 3) -> None:
        self._sessions = sessions
        self._store = store
        self._keep = max(1, keep)

    def listed(self) -> list[ArchiveInfo]:
        """The archives served, newest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(BulkArchive).order_by(BulkArchive.created.desc(), BulkArchive.id)
            ).all()
            return [_info(r) for r in rows]

    def built_since(self, age: timedelta) -> bool:
        """Whether an archive was listed less than ``age`` ago."""
        moment = datetime.now(UTC) - age
        return any(a.created >= moment for a in self.listed())

    def get(self, filename: str) -> ArchiveInfo:
        """The archive of that file name; raise ``NotFound``."""
        with self._sessions() as session:
            row = session.scalars(
                select(BulkArchive).where(BulkArchive.filename == filename)
            ).first()
            if row is None:
                raise NotFound("archive not found")
            return _info(row)

    def publish(self, path: Path, filename: str, datasets: int, tables: int) -> ArchiveInfo:
        """Put the finished archive in the store, then list it (the atomic switch)."""
        blob = self._store.put_file(path)
        with self._sessions() as session:
            stale = session.scalars(
                select(BulkArchive).where(BulkArchive.filename == filename)
            ).all()
            for row in stale:  # a second build on the same day replaces the first
                session.delete(row)
            row = BulkArchive(
                filename=filename,
                sha256=blob.key,
                size=blob.size,
                datasets=datasets,
                tables=tables,
            )
            session.add(row)
            session.commit()
            info = _info(row)
        self._prune({r.sha256 for r in stale})
        return info

    def _prune(self, replaced: set[str]) -> None:
        """Forget archives beyond ``keep`` and remove blobs no listed archive uses."""
        with self._sessions() as session:
            rows = session.scalars(
                select(BulkArchive).order_by(BulkArchive.created.desc(), BulkArchive.id)
            ).all()
            old = rows[self._keep :]
            kept = {r.sha256 for r in rows[: self._keep]}
            gone = {r.sha256 for r in old} | replaced
            for row in old:
                session.delete(row)
            session.commit()
        for key in gone - kept:
            self._store.delete(key)
