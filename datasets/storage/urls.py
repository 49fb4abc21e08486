"""Storage URLs and object-store options, without importing the S3 client library."""

from __future__ import annotations

from dataclasses import dataclass

_BUCKET_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


@dataclass(frozen=True)
class S3Options:
    """How to reach the object store: each part optional (boto3's defaults otherwise)."""

    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None

    def __repr__(self) -> str:  # never the credentials, even in a traceback
        return f"S3Options(endpoint_url={self.endpoint_url!r}, region={self.region!r})"


def parse_s3_url(url: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into the bucket and the prefix (no slash at its ends).

    Raise ``ValueError`` for anything else; the bucket must follow S3's naming rules
    (3 to 63 lowercase letters, digits, dots and hyphens).
    """
    if not url.startswith("s3://"):
        raise ValueError("not an s3:// URL")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    if not _valid_bucket(bucket):
        raise ValueError("the bucket name is not a valid S3 bucket name")
    if any(c in prefix for c in "?#\\@:") or "//" in prefix or ".." in prefix.split("/"):
        raise ValueError("the prefix may hold only a plain folder path")
    return bucket, prefix


def _valid_bucket(name: str) -> bool:
    return (
        3 <= len(name) <= 63
        and set(name) <= _BUCKET_CHARS
        and name[0].isalnum()
        and name[-1].isalnum()
        and ".." not in name
    )
