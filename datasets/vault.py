"""The vault: originals and normalized tables, encrypted at rest, never public.

Uploads can hold personal data, so everything derived from them before stripping is
stored only encrypted (AES-256-GCM, ``OPENDATA_ENCRYPTION_KEY``) in the private store.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from datasets.personal import decrypt_stream, encrypt_stream
from datasets.storage import BlobStore


class Vault:
    """Encrypt files into a private blob store and decrypt them to temporary files."""

    def __init__(self, store: BlobStore, key: bytes, scratch_dir: Path) -> None:
        if len(key) != 32:
            raise ValueError("the encryption key must be 32 bytes")
        self._store = store
        self._key = key
        self._scratch = scratch_dir
        self._scratch.mkdir(parents=True, exist_ok=True)

    def store_file(self, path: Path) -> str:
        """Encrypt ``path`` into the store and return the blob key."""
        fd, tmp = tempfile.mkstemp(dir=self._scratch, prefix="enc-")
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                encrypt_stream(src, out, self._key)
            return self._store.put_file(Path(tmp)).key
        finally:
            Path(tmp).unlink(missing_ok=True)

    @contextlib.contextmanager
    def decrypted(self, key: str, suffix: str = "") -> Iterator[Path]:
        """Yield a temporary plaintext copy of the blob; it is removed afterwards."""
        fd, tmp = tempfile.mkstemp(dir=self._scratch, prefix="dec-", suffix=suffix)
        path = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as out, self._store.open(key) as src:
                decrypt_stream(src, out, self._key)
            yield path
        finally:
            path.unlink(missing_ok=True)

    @property
    def scratch_dir(self) -> Path:
        """The folder of temporary files (swept at start-up)."""
        return self._scratch

    def scratch_file(self, suffix: str = "") -> Path:
        """Return a new empty temporary file in the scratch folder (caller removes it)."""
        fd, tmp = tempfile.mkstemp(dir=self._scratch, prefix="tmp-", suffix=suffix)
        os.close(fd)
        return Path(tmp)
