"""Receive an upload: stream it to staging, or straight into the vault (issue 24), hashing
and counting on the way."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from datasets.errors import StorageFull, UploadTooLarge, is_disk_full
from datasets.personal.encryption import Source

if TYPE_CHECKING:
    from datasets.vault import Vault

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class StagedUpload:
    """An upload in staging: its path, SHA-256 (hex), size in bytes and a safe filename."""

    path: Path
    sha256: str
    size: int
    filename: str


@dataclass(frozen=True)
class StoredUpload:
    """An upload encrypted into the vault while it was received: the original's blob key,
    the plaintext's SHA-256 (hex) and size in bytes, and a safe filename."""

    original_key: str
    sha256: str
    size: int
    filename: str


# What an upload is read from: a binary file, or a part of a request body.
Readable = Source


class _Counted:
    """A reader of an upload's bytes that hashes (SHA-256) and counts what it reads, and
    raises ``UploadTooLarge`` as soon as more than ``max_bytes`` came."""

    def __init__(self, stream: Readable, max_bytes: int) -> None:
        self._stream = stream
        self._max = max_bytes
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, amount: int = -1) -> bytes:
        chunk = self._stream.read(amount)
        self.size += len(chunk)
        if self.size > self._max:
            raise UploadTooLarge("upload too large", limit=self._max)
        self.digest.update(chunk)
        return chunk


def safe_filename(name: str, default: str = "data") -> str:
    """Return a filename without folders, control characters or shell-hostile characters.

    ``../../etc/passwd`` becomes ``passwd``; Vietnamese letters are kept (NFC); an empty
    result becomes ``default``.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" ._")
    return name[:200] or default


def sweep_leftovers(folders: Iterable[Path], max_age_s: float, now: float | None = None) -> int:
    """Remove files older than ``max_age_s`` from ``folders``; return how many went.

    A crash (or a kill) in the middle of an upload or a job can leave a plaintext upload in
    staging or a decrypted copy in the scratch folder; nothing else removes them. Files
    younger than the longest upload may still be in use and are kept.
    """
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue  # removed meanwhile by its owner
    if removed:
        log.warning("removed %d leftover upload or scratch files", removed)
    return removed


def receive(stream: IO[bytes], filename: str, staging_dir: Path, max_bytes: int) -> StagedUpload:
    """Stream ``stream`` to a file in ``staging_dir`` in 256 KiB chunks (flat memory).

    Raises ``UploadTooLarge`` as soon as more than ``max_bytes`` arrive, ``StorageFull``
    when the disk refuses the bytes; the partial file is removed either way.
    """
    staging_dir.mkdir(parents=True, exist_ok=True)
    counted = _Counted(stream, max_bytes)
    fd, name = tempfile.mkstemp(dir=staging_dir, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := counted.read(CHUNK):
                out.write(chunk)
    except BaseException as exc:
        path.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise StorageFull("no space to store the upload") from exc
        raise
    return StagedUpload(path, counted.digest.hexdigest(), counted.size, safe_filename(filename))


def receive_encrypted(
    stream: Readable, filename: str, vault: Vault, max_bytes: int
) -> StoredUpload:
    """Encrypt ``stream`` into the vault as it is read: no plaintext copy in staging.

    Raises what ``receive`` raises, with nothing stored (the ciphertext written so far is
    removed). The caller deletes the blob (``Vault.discard``) if it does not use it.
    """
    counted = _Counted(stream, max_bytes)
    try:
        key = vault.store_stream(counted)
    except OSError as exc:
        if is_disk_full(exc):
            raise StorageFull("no space to store the upload") from exc
        raise
    return StoredUpload(key, counted.digest.hexdigest(), counted.size, safe_filename(filename))
