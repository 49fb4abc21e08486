"""One behavioural contract for every BlobStore: the local folder and an S3 bucket.

The S3 runs talk to a real S3-compatible server (moto's server mode) that the suite starts
on 127.0.0.1 (``s3_server`` in tests/conftest.py), over HTTP, through boto3.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tracemalloc
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from datasets.errors import BlobNotFound
from datasets.storage import (
    BlobStore,
    LocalBlobStore,
    S3Options,
    blob_sha256,
    local_copy,
    open_blob_store,
)
from datasets.storage.s3 import S3BlobStore
from tests.s3server import SECRET_KEY, S3Server

BACKENDS = ["local", "s3"]
TEXT = "mã,tên\n1,Phường Bến Nghé\n2,Chợ Bến Thành\n".encode()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return open_blob_store("file://", tmp_path / "files", "public")
    server: S3Server = request.getfixturevalue("s3_server")
    return open_blob_store(server.new_url(), tmp_path / "unused", "public", server.options)


def _file(tmp_path: Path, data: bytes, name: str = "data.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_key_is_the_sha256_of_the_bytes(store: BlobStore, tmp_path: Path) -> None:
    info = store.put_file(_file(tmp_path, TEXT))
    assert info.key == hashlib.sha256(TEXT).hexdigest()
    assert info.size == len(TEXT)
    assert store.exists(info.key)
    assert blob_sha256(store, info.key) == info.key


def test_put_is_idempotent(store: BlobStore, tmp_path: Path) -> None:
    first = store.put_file(_file(tmp_path, TEXT, "a.csv"))
    second = store.put_file(_file(tmp_path, TEXT, "b.csv"))
    assert first == second
    assert list(store.keys()) == [first.key]
    with store.open(first.key) as stream:
        assert stream.read() == TEXT


def test_open_streams_the_bytes_and_seeks(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = store.put_file(_file(tmp_path, data)).key
    with store.open(key) as stream:
        chunks = []
        while chunk := stream.read(256 * 1024):
            assert len(chunk) <= 256 * 1024
            chunks.append(chunk)
    assert b"".join(chunks) == data
    with store.open(key) as stream:
        stream.seek(2 * 1024 * 1024 + 5)
        assert stream.read(100) == data[2 * 1024 * 1024 + 5 : 2 * 1024 * 1024 + 105]
        stream.seek(10)
        assert stream.read(10) == data[10:20]
        stream.seek(len(data))
        assert stream.read() == b""
    # A text reader works on it (the preview of a CSV reads it this way).
    with store.open(store.put_file(_file(tmp_path, TEXT, "t.csv")).key) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        assert text.readline() == "mã,tên\n"
        assert "Chợ Bến Thành" in text.read()
        text.detach()


def test_a_missing_blob_is_blob_not_found(store: BlobStore) -> None:
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing)
    with pytest.raises(BlobNotFound):
        store.open(missing)
    with pytest.raises(BlobNotFound):
        store.size(missing)
    with pytest.raises(BlobNotFound):
        store.open("../../etc/passwd")
    store.delete(missing)  # deleting what is absent is a no-op


def test_delete_and_size(store: BlobStore, tmp_path: Path) -> None:
    a = store.put_file(_file(tmp_path, TEXT, "a"))
    b = store.put_file(_file(tmp_path, b"x" * 1000, "b"))
    assert store.size(a.key) == len(TEXT)
    assert store.size(b.key) == 1000
    assert sorted(store.keys()) == sorted([a.key, b.key])
    store.delete(a.key)
    assert not store.exists(a.key)
    assert list(store.keys()) == [b.key]
    with pytest.raises(BlobNotFound):
        store.open(a.key)
    store.delete(a.key)


def test_ping(store: BlobStore) -> None:
    store.ping()
    assert list(store.keys()) == []  # the ping leaves nothing behind


def test_local_path_only_on_disk(store: BlobStore, tmp_path: Path) -> None:
    key = store.put_file(_file(tmp_path, TEXT)).key
    path = store.local_path(key)
    if isinstance(store, LocalBlobStore):
        assert path is not None and path.read_bytes() == TEXT
    else:
        assert path is None
    # Code that needs a path gets a scratch copy, removed afterwards.
    scratch = tmp_path / "scratch"
    with local_copy(store, key, scratch) as copy:
        assert copy.read_bytes() == TEXT
    assert list(scratch.iterdir()) == [] if scratch.exists() else True


def test_a_large_file_goes_up_in_parts_with_flat_memory(store: BlobStore, tmp_path: Path) -> None:
    size = 40 * 1024 * 1024
    path = tmp_path / "large.bin"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for i in range(40):
            block = os.urandom(1024 * 1024) if i % 8 == 0 else bytes([i]) * (1024 * 1024)
            digest.update(block)
            out.write(block)
    tracemalloc.start()
    try:
        info = store.put_file(path)
        _, peak_put = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        check = hashlib.sha256()
        with store.open(info.key) as stream:
            while chunk := stream.read(1024 * 1024):
                check.update(chunk)
        _, peak_read = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.key == digest.hexdigest() == check.hexdigest()
    assert info.size == size == store.size(info.key)
    # Memory stays flat: a few parts at most, far from the file's 40 MiB.
    assert peak_put < size / 4, peak_put
    assert peak_read < size / 4, peak_read
    if isinstance(store, S3BlobStore):
        head = store.client.head_object(Bucket=store.bucket, Key=store._name(info.key))
        assert head["ETag"].strip('"').endswith("-5")  # five 8 MiB parts: a multipart upload


def test_an_unreachable_store_fails_ping_without_the_secret(s3_server: S3Server) -> None:
    options = S3Options(
        endpoint_url="http://127.0.0.1:9",  # nothing listens on the discard port
        access_key_id="AKIATESTONLY00000000",
        secret_access_key=SECRET_KEY,
        region="us-east-1",
    )
    store = open_blob_store("s3://opendata-test/x", Path("/nonexistent"), "", options)
    assert isinstance(store, S3BlobStore)
    client = boto3.session.Session(
        aws_access_key_id=options.access_key_id,
        aws_secret_access_key=options.secret_access_key,
        region_name="us-east-1",
    ).client("s3", endpoint_url=options.endpoint_url, config=Config(retries={"max_attempts": 1}))
    store = S3BlobStore(client, store.bucket, store.prefix)  # fail at once, not after retries
    with pytest.raises(OSError) as info:
        store.ping()
    assert SECRET_KEY not in str(info.value)
    assert SECRET_KEY not in repr(options)
    # A bucket that does not exist cannot be written either.
    missing = open_blob_store("s3://no-such-bucket/x", Path("/nonexistent"), "", s3_server.options)
    with pytest.raises(OSError, match="NoSuchBucket"):
        missing.ping()


def test_the_scheme_table() -> None:
    with pytest.raises(ValueError, match="unknown storage scheme"):
        open_blob_store("ftp://host/files", Path("/tmp"), "public")
    with pytest.raises(ValueError, match="bucket"):
        open_blob_store("s3://Bad_Bucket/x", Path("/tmp"), "public")


def test_s3_errors_name_the_operation_and_code_only(s3_server: S3Server, tmp_path: Path) -> None:
    store = open_blob_store("s3://no-such-bucket/x", tmp_path, "public", s3_server.options)
    small = _file(tmp_path, TEXT)
    large = _file(tmp_path, b"y" * (9 * 1024 * 1024), "large.bin")  # a multipart upload
    for path in (small, large):
        with pytest.raises(OSError) as info:
            store.put_file(path)
        assert str(info.value) == "object storage upload failed: NoSuchBucket"
    with pytest.raises(OSError, match=r"^object storage read failed: NoSuchBucket$"):
        store.open(hashlib.sha256(TEXT).hexdigest())


def test_no_credential_reaches_the_logs(
    s3_server: S3Server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = open_blob_store(s3_server.new_url(), tmp_path, "public", s3_server.options)
    key = store.put_file(_file(tmp_path, b"z" * (9 * 1024 * 1024))).key
    with store.open(key) as stream:
        stream.seek(100)
        stream.read(10)
    store.ping()
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert SECRET_KEY not in logged
    assert "Signature=" not in logged and "Authorization" not in logged
