"""The vault: originals and normalized tables, encrypted at rest, never public.

Uploads can hold personal data, so everything derived from them before stripping is
stored only encrypted (AES-256-GCM, ``OPENDATA_ENCRYPTION_KEY``) in the private store.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from datasets.personal import decrypt_stream, encrypt_stream
from datasets.personal.encryption import Source
from datasets.storage import BlobInfo, BlobStore

log = logging.getLogger(__name__)


class _HashingWriter:
    """A binary file's ``write`` that also hashes (SHA-256) and counts what it writes."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._raw.write(data)


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
        """Encrypt ``path`` into the store and return the blob key.

        The ciphertext is hashed as it is written; a store on local disk then takes the
        file by a rename (``put_moved``) instead of reading and copying it again.
        """
        with path.open("rb") as src:
            return self.store_stream(src)

    def store_stream(self, src: Source) -> str:
        """Encrypt what is read from ``src`` (to its end) into the store; return the blob key.

        Nothing is stored when reading fails: the ciphertext written so far is removed.
        """
        fd, tmp = tempfile.mkstemp(dir=self._scratch, prefix="enc-")
        try:
            with os.fdopen(fd, "wb") as raw:
                out = _HashingWriter(raw)
                encrypt_stream(src, out, self._key)
            put_moved = getattr(self._store, "put_moved", None)
            if put_moved is not None:
                info: BlobInfo = put_moved(Path(tmp), out.digest.hexdigest(), out.size)
                return info.key
            return self._store.put_file(Path(tmp)).key
        finally:
            Path(tmp).unlink(missing_ok=True)

    def discard(self, key: str) -> None:
        """Delete a blob stored for an upload that was then refused or failed (best effort:
        called while another error propagates, which must not be hidden)."""
        try:
            self._store.delete(key)
        except Exception:  # an unreachable store: the blob stays, encrypted
            log.warning("could not delete a refused upload's original", exc_info=True)

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
