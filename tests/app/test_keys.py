"""Secret keys are created once, atomically, even when several processes race."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from app.config import Settings, SettingsError
from app.keys import ensure_key_files, load_keys


def _create(folder: str) -> None:
    ensure_key_files(Path(folder))


def test_keys_are_created_once(tmp_path: Path) -> None:
    assert sorted(ensure_key_files(tmp_path)) == ["encryption_key", "hash_key", "secret_key"]
    first = (tmp_path / "keys" / "encryption_key").read_text()
    assert ensure_key_files(tmp_path) == []
    assert (tmp_path / "keys" / "encryption_key").read_text() == first
    keys = load_keys(Settings(data_dir=tmp_path))
    assert len(keys.encryption_key) == 32 and len(keys.hash_key) == 32
    assert (tmp_path / "keys" / "hash_key").stat().st_mode & 0o077 == 0


def test_racing_processes_agree_on_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_create, args=(str(tmp_path),)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert all(p.exitcode == 0 for p in procs)
    value = (tmp_path / "keys" / "encryption_key").read_text()
    assert len(value) == 64
    assert [f.name for f in (tmp_path / "keys").iterdir() if f.name.startswith(".")] == []


def test_environment_key_wins_over_file(tmp_path: Path) -> None:
    ensure_key_files(tmp_path)
    keys = load_keys(Settings(data_dir=tmp_path, hash_key="ab" * 32))
    assert keys.hash_key == bytes.fromhex("ab" * 32)


def test_missing_keys_explain_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="opendata db upgrade"):
        load_keys(Settings(data_dir=tmp_path))
