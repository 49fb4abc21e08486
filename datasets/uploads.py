"""Receive an upload: stream it to staging, hashing and counting on the way."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from datasets.errors import UploadTooLarge

CHUNK = 256 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class StagedUpload:
    """An upload in staging: its path, SHA-256 (hex), size in bytes and a safe filename."""

    path: Path
    sha256: str
    size: int
    filename: str


def safe_filename(name: str, default: str = "data") -> str:
    """Return a filename without folders, control characters or shell-hostile characters.

    ``../../etc/passwd`` becomes ``passwd``; Vietnamese letters are kept (NFC); an empty
    result becomes ``default``.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" ._")
    return name[:200] or default


def receive(stream: IO[bytes], filename: str, staging_dir: Path, max_bytes: int) -> StagedUpload:
    """Stream ``stream`` to a file in ``staging_dir`` in 256 KiB chunks (flat memory).

    Raises ``UploadTooLarge`` as soon as more than ``max_bytes`` arrive; the partial file
    is removed.
    """
    staging_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=staging_dir, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge("upload too large", limit=max_bytes)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedUpload(path, digest.hexdigest(), size, safe_filename(filename))
