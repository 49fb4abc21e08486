"""File storage behind the ``BlobStore`` interface."""

from datasets.storage.base import BlobInfo, BlobStore
from datasets.storage.local import LocalBlobStore, sha256_file

__all__ = ["BlobInfo", "BlobStore", "LocalBlobStore", "sha256_file"]
