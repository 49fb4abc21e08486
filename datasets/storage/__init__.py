"""File storage behind the ``BlobStore`` interface: a folder (default) or an S3 bucket."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datasets.storage.base import BlobInfo, BlobStore
from datasets.storage.local import (
    DeferredSync,
    LocalBlobStore,
    deferred_sync,
    is_blob_key,
    put_scratch_file,
    sha256_file,
)
from datasets.storage.transfer import CopyReport, blob_sha256, copy_blobs, local_copy
from datasets.storage.urls import S3Options, parse_s3_url

__all__ = [
    "STORAGE_SCHEMES",
    "BlobInfo",
    "BlobStore",
    "CopyReport",
    "DeferredSync",
    "LocalBlobStore",
    "S3Options",
    "blob_sha256",
    "copy_blobs",
    "deferred_sync",
    "is_blob_key",
    "local_copy",
    "open_blob_store",
    "parse_s3_url",
    "put_scratch_file",
    "sha256_file",
]


def _open_file(url: str, default_root: Path, area: str, options: S3Options) -> BlobStore:
    root = Path(url[len("file://") :] or default_root)
    return LocalBlobStore(root / area if area else root)


def _open_s3(url: str, default_root: Path, area: str, options: S3Options) -> BlobStore:
    # Imported on demand: boto3 takes a second to import and most set-ups never need it.
    from datasets.storage.s3 import S3BlobStore, s3_client

    bucket, prefix = parse_s3_url(url)
    prefix = f"{prefix}/{area}".strip("/") if area else prefix
    return S3BlobStore(s3_client(options), bucket, prefix)


# URL scheme → opener(url, default_root, area, options).
STORAGE_SCHEMES: dict[str, Callable[[str, Path, str, S3Options], BlobStore]] = {
    "file": _open_file,
    "s3": _open_s3,
}


def open_blob_store(
    url: str, default_root: Path, area: str = "", options: S3Options | None = None
) -> BlobStore:
    """Open the store ``url`` names, in its ``area`` (a sub-folder or sub-prefix).

    ``file://`` is ``default_root``; ``file:///abs/path`` another folder; ``s3://bucket/prefix``
    a bucket (``options``: endpoint, credentials, region). Raise ``ValueError`` otherwise.
    """
    scheme, sep, _ = url.partition("://")
    opener = STORAGE_SCHEMES.get(scheme) if sep else None
    if opener is None:
        raise ValueError(f"unknown storage scheme: {scheme or url!r}")
    return opener(url, default_root, area, options or S3Options())
