"""Copies out of a store: a scratch copy of one blob, and every blob into another store."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from datasets.errors import BlobNotFound
from datasets.storage.base import BlobStore
from datasets.storage.local import CHUNK, sha256_file


@contextlib.contextmanager
def local_copy(store: BlobStore, key: str, scratch_dir: Path) -> Iterator[Path]:
    """Yield a filesystem path of the blob: the store's own, or a temporary copy in
    ``scratch_dir`` (streamed, removed afterwards). Raise ``BlobNotFound`` when absent."""
    path = store.local_path(key)
    if path is not None:
        yield path
        return
    scratch_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=scratch_dir, prefix="blob-")
    copy = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out, store.open(key) as src:
            shutil.copyfileobj(src, out, CHUNK)
        yield copy
    finally:
        copy.unlink(missing_ok=True)


def blob_sha256(store: BlobStore, key: str) -> str:
    """Read the blob back from the store and return the SHA-256 of what it holds."""
    digest = hashlib.sha256()
    with store.open(key) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class CopyReport:
    """What a copy did: blobs copied, found already there (and checked), and bad ones."""

    copied: int = 0
    present: int = 0
    bytes_copied: int = 0
    # Keys whose bytes do not match their name: in the source (damaged before the copy)
    # or in the target after the copy (the copy is not to be trusted).
    bad_source: list[str] = field(default_factory=list)
    bad_target: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every blob is in the target with the right bytes."""
        return not self.bad_source and not self.bad_target


def copy_blobs(
    source: BlobStore,
    target: BlobStore,
    scratch_dir: Path,
    progress: Callable[[str, str], None] | None = None,
) -> CopyReport:
    """Copy each blob of ``source`` missing from ``target``; then read every one back from
    ``target`` and check its SHA-256. Idempotent: run it again to finish an interrupted copy.

    ``progress(key, outcome)`` is told each key's outcome: copied, present, bad-source or
    bad-target.
    """
    report = CopyReport()
    for key in sorted(source.keys()):
        outcome = "present"
        if not target.exists(key):
            try:
                with local_copy(source, key, scratch_dir) as path:
                    digest, size = sha256_file(path)
                    if digest != key:
                        outcome = "bad-source"
                    else:
                        target.put_file(path)
                        report.bytes_copied += size
                        outcome = "copied"
            except BlobNotFound:  # removed meanwhile: nothing to copy
                continue
        if outcome != "bad-source":
            try:
                if blob_sha256(target, key) != key:
                    outcome = "bad-target"
            except BlobNotFound:
                outcome = "bad-target"
        if outcome == "copied":
            report.copied += 1
        elif outcome == "present":
            report.present += 1
        elif outcome == "bad-source":
            report.bad_source.append(key)
        else:
            report.bad_target.append(key)
        if progress is not None:
            progress(key, outcome)
    return report
