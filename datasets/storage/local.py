"""Content-addressed blob storage on the local filesystem (the embedded default)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from datasets.errors import BlobNotFound
from datasets.storage.base import BlobInfo

_KEY = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024
# fsync calls in flight at once when a batch syncs its blobs: the file system commits its
# journal once for many of them instead of once per file.
SYNC_THREADS = 16
_batch = threading.local()


class DeferredSync:
    """Blobs this thread wrote without fsync; ``sync`` flushes them all together."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def sync(self) -> None:
        """fsync every blob written since the last call, all at once; raise on error."""
        paths, self.paths = list(dict.fromkeys(self.paths)), []
        if not paths:
            return
        with ThreadPoolExecutor(min(SYNC_THREADS, len(paths))) as pool:
            list(pool.map(_fsync, paths))


@contextlib.contextmanager
def deferred_sync() -> Iterator[DeferredSync]:
    """Within the block, this thread's ``put_file`` and ``put_moved`` calls skip their fsync.

    For a batch that commits many blobs at once (a harvest batch): the caller calls
    ``sync()`` before its database commit, so no committed row refers to a blob that a
    power cut could lose. A blob already at its key with the wrong size (written, not yet
    synced, when the power went) is written again by the next ``put_file``.
    """
    outer = getattr(_batch, "pending", None)
    pending = outer or DeferredSync()
    _batch.pending = pending
    try:
        yield pending
    finally:
        _batch.pending = outer


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def is_blob_key(key: str) -> bool:
    """Return whether ``key`` is a blob key: 64 lowercase hexadecimal characters."""
    return bool(_KEY.match(key))


def sha256_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def put_scratch_file(store: Any, path: Path) -> BlobInfo:
    """Store a scratch file in ``store`` (a ``BlobStore``): a local store takes it by rename
    (``put_moved``: no copy), others copy it. ``path`` may be gone afterwards."""
    put_moved = getattr(store, "put_moved", None)
    if put_moved is None:
        copied: BlobInfo = store.put_file(path)
        return copied
    key, size = sha256_file(path)
    moved: BlobInfo = put_moved(path, key, size)
    return moved


class LocalBlobStore:
    """Blobs under ``root/ab/cd/<sha256>``; written to a temp file, then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)

    @classmethod
    def from_url(cls, url: str, default_root: Path) -> LocalBlobStore:
        """Open ``file:///abs/path`` (or ``file://`` for ``default_root``)."""
        path = url[len("file://") :]
        return cls(Path(path) if path else default_root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise BlobNotFound("bad blob key")
        return self.root / key[:2] / key[2:4] / key

    def put_file(self, path: Path) -> BlobInfo:
        """Copy the file in, named by its SHA-256; atomic by rename."""
        key, size = sha256_file(path)
        target = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            if target.stat().st_size == size:
                return BlobInfo(key, size)
        target.parent.mkdir(parents=True, exist_ok=True)
        pending: DeferredSync | None = getattr(_batch, "pending", None)
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                if pending is None:
                    os.fsync(out.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        if pending is not None:
            pending.paths.append(target)
        return BlobInfo(key, size)

    def put_moved(self, path: Path, key: str, size: int) -> BlobInfo:
        """Move ``path``, whose SHA-256 the caller computed as it wrote it, into the store.

        No second read and copy (issue 24): the file is flushed to disk (in a
        ``deferred_sync`` block, with the batch's other blobs before its commit) and renamed
        into place (copied when it lies on another filesystem). ``path`` is gone afterwards.
        """
        target = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            if target.stat().st_size == size:  # one cut short (not yet synced) is replaced
                path.unlink(missing_ok=True)
                return BlobInfo(key, size)
        target.parent.mkdir(parents=True, exist_ok=True)
        pending: DeferredSync | None = getattr(_batch, "pending", None)
        if pending is None:
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        try:
            os.replace(path, target)
        except OSError:  # another filesystem (EXDEV): the copying way
            info = self.put_file(path)
            path.unlink(missing_ok=True)
            return info
        if pending is not None:  # synced with the batch's other blobs, before its commit
            pending.paths.append(target)
        return BlobInfo(key, size)

    def open(self, key: str) -> BinaryIO:
        """Open the blob for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound("blob not found") from exc

    def local_path(self, key: str) -> Path | None:
        """Return the blob's path (it exists)."""
        path = self._path(key)
        return path if path.exists() else None

    def exists(self, key: str) -> bool:
        """Return whether the blob is stored."""
        return self._path(key).exists()

    def size(self, key: str) -> int:
        """Return the blob's size in bytes."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound("blob not found") from exc

    def delete(self, key: str) -> None:
        """Remove the blob if present."""
        self._path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        """Raise ``OSError`` when the store's folder is not writable."""
        with tempfile.NamedTemporaryFile(dir=self.root / "tmp"):
            pass

    def keys(self) -> Iterator[str]:
        """Yield the key of every stored blob (files in ``ab/cd/``; ``tmp/`` is skipped)."""
        for path in self.root.glob("??/??/*"):
            if is_blob_key(path.name) and path.name[:2] == path.parent.parent.name:
                yield path.name
