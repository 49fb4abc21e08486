"""The ``BlobStore`` interface: content-addressed, immutable file storage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class BlobInfo:
    """A stored blob: its key (the SHA-256 of its bytes, hex) and size in bytes."""

    key: str
    size: int


class BlobStore(Protocol):
    """Immutable blobs named by the SHA-256 of their content."""

    def put_file(self, path: Path) -> BlobInfo:
        """Store the file's bytes; a crash never leaves a partial blob under the key.

        Storing the same bytes twice is a no-op returning the same key.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """Open the blob for reading; raise ``BlobNotFound`` when absent."""
        ...

    def local_path(self, key: str) -> Path | None:
        """Return a filesystem path of the blob when the store has one, else None."""
        ...

    def exists(self, key: str) -> bool:
        """Return whether the blob is stored."""
        ...

    def size(self, key: str) -> int:
        """Return the blob's size in bytes; raise ``BlobNotFound`` when absent."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob if present."""
        ...

    def ping(self) -> None:
        """Raise ``OSError`` when the store cannot be written."""
        ...

    def keys(self) -> Iterator[str]:
        """Yield the key of every stored blob (in no particular order)."""
        ...
