"""Local content-addressed blob storage and upload staging."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from datasets.errors import BlobNotFound, UploadTooLarge
from datasets.storage import LocalBlobStore
from datasets.uploads import receive, safe_filename
from datasets.vault import Vault


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


def test_the_vault_hashes_while_encrypting_and_moves_the_file_in(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "store")
    vault = Vault(store, b"k" * 32, tmp_path / "scratch")
    plain = tmp_path / "plain.csv"
    plain.write_bytes("ma,tên\n1,Thủ Đức\n".encode() * 5000)
    key = vault.store_file(plain)
    stored = store.local_path(key)
    assert stored is not None and hashlib.sha256(stored.read_bytes()).hexdigest() == key
    assert store.size(key) == stored.stat().st_size
    with vault.decrypted(key) as copy:
        assert copy.read_bytes() == plain.read_bytes()
    assert list((tmp_path / "scratch").iterdir()) == []  # nothing left behind
    again = vault.store_file(plain)  # a fresh nonce: another blob, also whole
    assert again != key and store.exists(again)


def test_put_moved_takes_the_file_and_keeps_an_existing_blob(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "store")
    first = tmp_path / "a"
    first.write_bytes(b"abc")
    key = hashlib.sha256(b"abc").hexdigest()
    assert store.put_moved(first, key, 3).key == key
    assert not first.exists() and store.open(key).read() == b"abc"
    second = tmp_path / "b"
    second.write_bytes(b"abc")
    assert store.put_moved(second, key, 3).size == 3
    assert not second.exists() and list(store.keys()) == [key]


def test_deferred_sync_fsyncs_a_batchs_blobs_together(tmp_path: Path, monkeypatch) -> None:
    """A harvest batch's blobs skip their own fsync; ``sync`` (before the commit) does them."""
    import datasets.storage.local as local
    from datasets.storage import deferred_sync

    synced: list[int] = []
    real = local.os.fsync
    monkeypatch.setattr(local.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    store = LocalBlobStore(tmp_path / "blobs")
    sources = []
    for n in range(3):
        sources.append(tmp_path / f"{n}.csv")
        sources[-1].write_text(f"ma,so\n{n},{n * 7}\n")
    with deferred_sync() as pending:
        keys = [store.put_file(source).key for source in sources]
        assert synced == []  # written and readable, not yet synced
        with store.open(keys[0]) as handle:
            assert handle.read() == sources[0].read_bytes()
        pending.sync()
        assert len(synced) == 3
        pending.sync()  # nothing new since
        assert len(synced) == 3
    store.put_file(sources[0])  # stored already: neither written nor synced again
    extra = tmp_path / "x.csv"
    extra.write_text("ma\nx\n")
    store.put_file(extra)  # outside a batch: synced at once
    assert len(synced) == 4


def test_a_batchs_moved_blobs_are_synced_with_the_others(tmp_path: Path, monkeypatch) -> None:
    """``put_moved`` (the vault's encrypted files, processed tables) defers its fsync inside a
    batch as ``put_file`` does; a moved blob cut short is replaced by the next one."""
    import datasets.storage.local as local
    from datasets.storage import deferred_sync

    synced: list[int] = []
    real = local.os.fsync
    monkeypatch.setattr(local.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    store = LocalBlobStore(tmp_path / "blobs")
    keys = []
    with deferred_sync() as pending:
        for n in range(3):
            moved = tmp_path / f"{n}.enc"
            moved.write_bytes(f"ma,so\n{n},{n * 7}\n".encode())
            data = moved.read_bytes()
            keys.append(store.put_moved(moved, hashlib.sha256(data).hexdigest(), len(data)).key)
        assert synced == [] and store.open(keys[2]).read() == b"ma,so\n2,14\n"
        pending.sync()
        assert len(synced) == 3
    path = store.local_path(keys[0])
    assert path is not None
    path.write_bytes(b"ma")  # renamed into place, cut short by a power cut before the sync
    again = tmp_path / "again"
    again.write_bytes(b"ma,so\n0,0\n")
    store.put_moved(again, keys[0], len(b"ma,so\n0,0\n"))
    assert path.read_bytes() == b"ma,so\n0,0\n" and len(synced) == 4  # outside: synced at once


def test_a_blob_cut_short_is_written_again(tmp_path: Path) -> None:
    """A blob renamed into place but not yet synced when the power went may be short: the
    next put of the same content writes it again instead of trusting its name."""
    store = LocalBlobStore(tmp_path / "blobs")
    source = tmp_path / "a.csv"
    source.write_text("ma,ten\n1,Bến Nghé\n")
    key = store.put_file(source).key
    path = store.local_path(key)
    assert path is not None
    path.write_bytes(b"")
    assert store.put_file(source).key == key
    assert path.read_bytes() == source.read_bytes()
