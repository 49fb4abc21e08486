"""Content-addressed blob storage in an S3-compatible bucket (the scaled alternative).

Blobs live under ``<prefix>/ab/cd/<sha256>``, the local store's layout, so a data dir's
``files/`` folder and a bucket hold the same names. Uploads go through boto3's managed
transfer in parts of ``part_size`` bytes, a bounded number at once: memory stays flat
whatever the file's size. S3 makes an object visible only when its upload completes, so
a crash never leaves a partial blob under its key (unfinished multipart uploads are
invisible; a bucket lifecycle rule should abort them after a day).

Credentials and the region come from boto3's standard sources (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``) or are passed in; they never appear in an error.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from datasets.errors import BlobNotFound, StorageUnavailable
from datasets.storage.base import BlobInfo
from datasets.storage.local import CHUNK, is_blob_key, sha256_file
from datasets.storage.urls import S3Options, parse_s3_url

PART_SIZE = 8 * 1024 * 1024
# Their DEBUG lines show signed request headers: warnings only, whatever the log level.
for _name in ("boto3", "botocore", "s3transfer", "urllib3"):
    if logging.getLogger(_name).level < logging.WARNING:  # NOTSET (0) included
        logging.getLogger(_name).setLevel(logging.WARNING)
_MISSING = {"404", "NoSuchKey", "NotFound"}


def s3_client(options: S3Options) -> Any:
    """A boto3 S3 client for ``options`` (path-style addressing for custom endpoints)."""
    session = boto3.session.Session(
        aws_access_key_id=options.access_key_id or None,
        aws_secret_access_key=options.secret_access_key or None,
        region_name=options.region or None,
    )
    config = Config(
        signature_version="s3v4",  # also for signed URLs (botocore may pick SigV2 there)
        s3={"addressing_style": "path"} if options.endpoint_url else {},
        connect_timeout=10,
        read_timeout=60,
        retries={"max_attempts": 5, "mode": "standard"},
    )
    return session.client("s3", endpoint_url=options.endpoint_url or None, config=config)


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__


def _unavailable(action: str, exc: BaseException) -> StorageUnavailable:
    # Only the operation and S3's error code: never the request, its headers or credentials.
    return StorageUnavailable(f"object storage {action} failed: {_error_code(exc)}")


class S3BlobStore:
    """Blobs in ``bucket`` under ``prefix``, named by their SHA-256."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        *,
        part_size: int = PART_SIZE,
        concurrency: int = 2,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._transfer = TransferConfig(
            multipart_threshold=part_size,
            multipart_chunksize=part_size,
            max_concurrency=concurrency,
            max_io_queue=concurrency * 2,
            io_chunksize=256 * 1024,
        )

    @classmethod
    def from_url(cls, url: str, options: S3Options) -> S3BlobStore:
        """Open ``s3://bucket/prefix`` with ``options``."""
        bucket, prefix = parse_s3_url(url)
        return cls(s3_client(options), bucket, prefix)

    def _name(self, key: str) -> str:
        if not is_blob_key(key):
            raise BlobNotFound("bad blob key")
        name = f"{key[:2]}/{key[2:4]}/{key}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                return None
            raise _unavailable("head", exc) from None
        except BotoCoreError as exc:
            raise _unavailable("head", exc) from None
        return head

    def put_file(self, path: Path) -> BlobInfo:
        """Upload the file in parts, named by its SHA-256; a no-op when already stored."""
        key, size = sha256_file(path)
        if self._head(key) is not None:
            return BlobInfo(key, size)
        try:
            self.client.upload_file(
                str(path),
                self.bucket,
                self._name(key),
                ExtraArgs={"ContentType": "application/octet-stream"},
                Config=self._transfer,
            )
        except S3UploadFailedError as exc:  # boto3 wraps S3's answer (its text names the file)
            raise _unavailable("upload", exc.__context__ or exc) from None
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("upload", exc) from None
        return BlobInfo(key, size)

    def open(self, key: str) -> BinaryIO:
        """Stream the blob (buffered, seekable by ranged requests)."""
        raw = _ObjectReader(self, self._name(key))
        return io.BufferedReader(raw, CHUNK)

    def local_path(self, key: str) -> Path | None:
        """Blobs in a bucket have no filesystem path."""
        return None

    def exists(self, key: str) -> bool:
        """Return whether the blob is stored."""
        return self._head(key) is not None

    def size(self, key: str) -> int:
        """Return the blob's size in bytes."""
        head = self._head(key)
        if head is None:
            raise BlobNotFound("blob not found")
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        """Remove the blob if present (S3 deletes are idempotent)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("delete", exc) from None

    def ping(self) -> None:
        """Write and remove a small object; raise ``OSError`` when that fails."""
        name = f"{self.prefix}/.ping" if self.prefix else ".ping"
        try:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=b"ok")
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("write", exc) from None

    def ensure_bucket(self) -> bool:
        """Create the bucket when it does not exist (in the client's region); return whether
        it was created. Deployments that provision buckets themselves never need it."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if _error_code(exc) not in _MISSING | {"NoSuchBucket"}:
                raise _unavailable("bucket check", exc) from None
        except BotoCoreError as exc:
            raise _unavailable("bucket check", exc) from None
        args: dict[str, Any] = {"Bucket": self.bucket}
        region = self.client.meta.region_name
        if region and region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(**args)
        except ClientError as exc:
            if _error_code(exc) in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                return False  # another process created it meanwhile
            raise _unavailable("bucket creation", exc) from None
        except BotoCoreError as exc:
            raise _unavailable("bucket creation", exc) from None
        return True

    def keys(self) -> Iterator[str]:
        """Every stored blob's key (for migrations and checks), page by page."""
        start = f"{self.prefix}/" if self.prefix else ""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", ()):
                    name = str(item["Key"]).rsplit("/", 1)[-1]
                    if is_blob_key(name):
                        yield name
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("list", exc) from None

    def presigned_url(self, key: str, expires: int, filename: str, media_type: str) -> str:
        """A URL that downloads the blob for ``expires`` seconds, as an attachment."""
        disposition = _attachment(filename)
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._name(key),
                "ResponseContentDisposition": disposition,
                "ResponseContentType": media_type,
            },
            ExpiresIn=expires,
        )
        return url

    def fetch(self, name: str, start: int) -> dict[str, Any]:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": name}
        if start:
            args["Range"] = f"bytes={start}-"
        try:
            found: dict[str, Any] = self.client.get_object(**args)
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise BlobNotFound("blob not found") from None
            raise _unavailable("read", exc) from None
        except BotoCoreError as exc:
            raise _unavailable("read", exc) from None
        return found


def _attachment(filename: str) -> str:
    simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    simple = simple.replace('"', "").replace("\\", "") or "data"
    return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quote(filename)}"


class _ObjectReader(io.RawIOBase):
    """An object's bytes as a raw stream; ``seek`` starts a new ranged GET."""

    def __init__(self, store: S3BlobStore, name: str) -> None:
        super().__init__()
        self._store = store
        self._name = name
        found = store.fetch(name, 0)
        self._body: Any = found["Body"]
        self._size = int(found["ContentLength"])
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = max(0, base + offset)
        if target != self._pos:
            if self._body is not None:
                self._body.close()
            self._body = (
                self._store.fetch(self._name, target)["Body"] if target < self._size else None
            )
            self._pos = target
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._body is None or self._pos >= self._size:
            return 0
        want = len(buffer)
        try:
            data = self._body.read(want)
        except BotoCoreError as exc:
            raise _unavailable("read", exc) from None
        n = len(data)
        buffer[:n] = data
        self._pos += n
        return n

    def close(self) -> None:
        if not self.closed and self._body is not None:
            self._body.close()
        super().close()
