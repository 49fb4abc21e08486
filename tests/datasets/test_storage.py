"""Local content-addressed blob storage and upload staging."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from datasets.errors import BlobNotFound, UploadTooLarge
from datasets.storage import LocalBlobStore
from datasets.uploads import receive, safe_filename


def test_blob_is_named_by_its_sha256_and_stored_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    source = tmp_path / "a.csv"
    source.write_bytes("a,b\n1,Đường\n".encode())
    first = store.put_file(source)
    assert first.key == hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.put_file(source) == first
    with store.open(first.key) as handle:
        assert handle.read() == source.read_bytes()
    assert store.size(first.key) == first.size == len(source.read_bytes())
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_missing_or_malformed_keys_are_not_found(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobNotFound):
        store.open("0" * 64)
    with pytest.raises(BlobNotFound):
        store.open("../../etc/passwd")


def test_receive_hashes_and_counts_while_streaming(tmp_path: Path) -> None:
    data = b"x" * 700_000
    staged = receive(io.BytesIO(data), "bang du lieu.csv", tmp_path, max_bytes=1_000_000)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.size == len(data)
    assert staged.path.read_bytes() == data


def test_receive_refuses_over_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(UploadTooLarge):
        receive(io.BytesIO(b"x" * 2000), "big.csv", tmp_path, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("dữ liệu\x00\x1b[31m.csv", "dữ liệu_31m.csv"),
        ("<script>alert(1)</script>.csv", "script_.csv"),
        ("bảng <giá> &amp; 'x'.csv", "bảng _giá_ _amp_ _x_.csv"),
        ("", "data"),
        ("...", "data"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe
