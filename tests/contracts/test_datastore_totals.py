"""The total of a filtered page follows the table (the SQLite store counts once per load)."""

from __future__ import annotations

from pathlib import Path

from datasets.datastore import Datastore, DatastoreQuery, SqliteDatastore
from tests.contracts.test_datastore import (
    EXPECTED,
    RID,
    SCHEMA,
    Env,
    _write_csv,
    env,
)


def _total(store: Datastore, **filters: list[str]) -> int | None:
    return store.search(RID, DatastoreQuery(filters=filters, limit=5)).total


def test_a_filtered_total_follows_each_load(env: Env, tmp_path: Path) -> None:
    store = env.store
    quan1 = sum(r["quan"] == "Quận 1" for r in EXPECTED)
    store.load(RID, _write_csv(tmp_path / "a.csv", EXPECTED), SCHEMA)
    assert _total(store, quan=["Quận 1"]) == quan1 == 8
    assert _total(store, quan=["Quận 1"]) == quan1  # asked again: the same answer
    assert _total(store, quan=["Quận 1", "Quận 3"]) == 16
    # Reloaded with fewer rows, the same query counts the new table.
    store.load(RID, _write_csv(tmp_path / "b.csv", EXPECTED[:20]), SCHEMA)
    assert _total(store, quan=["Quận 1"]) == 4
    assert _total(store, so_luong=["3"]) == sum(r["so_luong"] == 3 for r in EXPECTED[:20])
    # The same row count again, other rows: the total is of these rows.
    store.load(RID, _write_csv(tmp_path / "c.csv", EXPECTED[20:]), SCHEMA)
    assert _total(store, quan=["Quận 1"]) == 4
    assert _total(store, so_luong=["3"]) == sum(r["so_luong"] == 3 for r in EXPECTED[20:])
    store.drop(RID)
    rows = [r for r in EXPECTED if r["quan"] != "Quận 1"]
    store.load(RID, _write_csv(tmp_path / "d.csv", rows), SCHEMA)
    assert _total(store, quan=["Quận 1"]) == 0


def test_a_load_by_another_process_is_counted(tmp_path: Path) -> None:
    """Each gunicorn worker has its own store on the file; a job process loads it."""
    path = tmp_path / "datastore.sqlite3"
    reader, loader = SqliteDatastore(path), SqliteDatastore(path)
    try:
        loader.load(RID, _write_csv(tmp_path / "a.csv", EXPECTED), SCHEMA)
        assert _total(reader, quan=["Quận 3"]) == 8
        loader.load(RID, _write_csv(tmp_path / "b.csv", EXPECTED[:20]), SCHEMA)
        assert _total(reader, quan=["Quận 3"]) == 4
        loader.load(RID, _write_csv(tmp_path / "c.csv", EXPECTED[:20] * 2), SCHEMA)
        assert _total(reader, quan=["Quận 3"]) == 8
    finally:
        reader.close()
        loader.close()
