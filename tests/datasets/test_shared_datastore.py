"""The shared datastore is a separate SQLite file (or PostgreSQL schema) beside the public one."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.datastore import SHARED_DATASTORE, SqliteDatastore, UnknownResource, open_datastore

ROWS = "ma,ten\n1,Một\n2,Hai\n"
SCHEMA = {"fields": [{"name": "ma", "type": "integer"}, {"name": "ten", "type": "string"}]}
RID = "0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab"


def test_the_shared_datastore_is_its_own_file(tmp_path: Path) -> None:
    public = open_datastore("", tmp_path)
    shared = open_datastore("", tmp_path, SHARED_DATASTORE)
    assert isinstance(shared, SqliteDatastore) and isinstance(public, SqliteDatastore)
    assert (tmp_path / "datastore.sqlite3").exists()
    assert (tmp_path / "datastore_shared.sqlite3").exists()
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(ROWS, encoding="utf-8")
    shared.load(RID, csv_path, SCHEMA)
    assert shared.info(RID).row_count == 2
    with pytest.raises(UnknownResource):
        public.info(RID)  # a shared table is never in the public datastore


def test_a_named_sqlite_file_gets_a_sibling(tmp_path: Path) -> None:
    named = tmp_path / "custom.sqlite3"
    open_datastore(f"sqlite:///{named}", tmp_path, SHARED_DATASTORE)
    assert (tmp_path / "custom-datastore_shared.sqlite3").exists()
    assert not named.exists()
