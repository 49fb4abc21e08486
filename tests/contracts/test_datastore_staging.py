"""Staged tables (issue 24), both backends: built before approval, reachable by no reader,
swapped in only under their own key, replaced and dropped cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.datastore import (
    BadQuery,
    DatastoreQuery,
    SqlNotAllowed,
    UnknownResource,
)
from datasets.datastore.base import Superseded
from tests.contracts.test_datastore import (
    EXPECTED,
    RID,
    SCHEMA,
    Env,
    _write_csv,
    env,
)

KEY = "a" * 64


def _codes(env: Env) -> list[int]:
    result = env.store.search(RID, DatastoreQuery(sort=[("ma", False)], limit=1000))
    return [row["ma"] for row in result.records]


def _table_names(env: Env) -> list[str]:
    """Every table of the datastore whose name holds the resource id (the backend's view)."""
    store = env.store
    if env.kind == "sqlite":
        conn = store._reader()  # type: ignore[attr-defined]  # the backend's own connection
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    else:
        conn = store._reader()  # type: ignore[attr-defined]  # the backend's own connection
        with conn.transaction():
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s",
                [store._schema],  # type: ignore[attr-defined]  # the test's scratch schema
            ).fetchall()
    return sorted(str(r[0]) for r in rows if RID in str(r[0]))


def test_a_staged_table_is_swapped_in_under_its_key(env: Env, tmp_path: Path) -> None:
    store = env.store
    store.load(RID, _write_csv(tmp_path / "old.csv", EXPECTED[:5]), SCHEMA, order=1)
    info = store.stage(RID, _write_csv(tmp_path / "new.csv", EXPECTED), SCHEMA, key=KEY)
    assert info.row_count == 40
    assert store.staged() == {RID: KEY}
    assert _codes(env) == [1, 2, 3, 4, 5]  # the published table still answers

    assert store.load_staged(RID, "b" * 64, order=2) is None  # another key: nothing changes
    assert _codes(env) == [1, 2, 3, 4, 5]
    assert store.staged() == {RID: KEY}

    swapped = store.load_staged(RID, KEY, order=2)
    assert swapped is not None and swapped.row_count == 40
    assert _codes(env) == list(range(1, 41))
    assert store.info(RID).row_count == 40
    assert store.staged() == {}
    assert store.load_staged(RID, KEY, order=2) is None  # taken: swapped once only
    # Full text and indexes came with it.
    found = store.search(RID, DatastoreQuery(q="nguyen hue", limit=100)).records
    assert {r["ma"] for r in found} == {r["ma"] for r in EXPECTED if "Nguyễn Huệ" in r["mo_ta"]}
    names = _table_names(env)
    assert RID in names
    assert not [n for n in names if "__stage_" in n or "__load_" in n]  # renamed, none left


def test_a_staged_table_is_no_readers_table(env: Env, tmp_path: Path) -> None:
    store = env.store
    store.stage(RID, _write_csv(tmp_path / "new.csv", EXPECTED), SCHEMA, key=KEY)
    with pytest.raises(UnknownResource):
        store.search(RID, DatastoreQuery())
    with pytest.raises(UnknownResource):
        store.info(RID)
    staged = [n for n in _table_names(env) if "__stage_" in n]
    assert len(staged) == 1
    for sql in (
        f'SELECT * FROM "{staged[0]}"',
        f'SELECT count(*) FROM "{RID}"',
        'SELECT * FROM "_datastore_staged"',
        'SELECT count(*) FROM "_datastore_staged"',
    ):
        with pytest.raises((SqlNotAllowed, BadQuery)) as caught:
            store.search_sql(sql, timeout_ms=5000, max_rows=10)
        assert "Quận" not in str(caught.value)
    with pytest.raises(BadQuery):  # a staged table's name is no resource id
        store.search(staged[0], DatastoreQuery())


def test_a_staged_table_stays_unreadable_beside_a_published_one(env: Env, tmp_path: Path) -> None:
    """A new version of a published resource: its resource id is public, its staged table
    is not."""
    store = env.store
    store.load(RID, _write_csv(tmp_path / "old.csv", EXPECTED[:5]), SCHEMA)
    store.stage(RID, _write_csv(tmp_path / "new.csv", EXPECTED), SCHEMA, key=KEY)
    (staged,) = [n for n in _table_names(env) if "__stage_" in n]
    answer = store.search_sql(f'SELECT count(*) AS n FROM "{RID}"', timeout_ms=5000, max_rows=5)
    assert answer.records == [{"n": 5}]
    with pytest.raises((SqlNotAllowed, BadQuery)):
        store.search_sql(f'SELECT count(*) FROM "{staged}"', timeout_ms=5000, max_rows=5)
    assert store.info(RID).row_count == 5


def test_staging_again_replaces_the_staged_table(env: Env, tmp_path: Path) -> None:
    store = env.store
    store.stage(RID, _write_csv(tmp_path / "a.csv", EXPECTED), SCHEMA, key=KEY)
    first = [n for n in _table_names(env) if "__stage_" in n]
    store.stage(RID, _write_csv(tmp_path / "b.csv", EXPECTED[:3]), SCHEMA, key="c" * 64)
    second = [n for n in _table_names(env) if "__stage_" in n]
    assert len(second) == 1 and second != first  # the first is gone
    assert store.staged() == {RID: "c" * 64}
    assert store.load_staged(RID, KEY) is None
    assert store.load_staged(RID, "c" * 64) is not None
    assert _codes(env) == [1, 2, 3]


def test_drop_staged_drops_only_the_named_key(env: Env, tmp_path: Path) -> None:
    store = env.store
    store.stage(RID, _write_csv(tmp_path / "a.csv", EXPECTED), SCHEMA, key=KEY)
    store.drop_staged(RID, "d" * 64)  # staged again since: left alone
    assert store.staged() == {RID: KEY}
    store.drop_staged(RID, KEY)
    assert store.staged() == {}
    assert _table_names(env) == []
    store.drop_staged(RID, KEY)  # nothing staged: no error


def test_a_staged_table_older_than_the_loaded_one_is_superseded(env: Env, tmp_path: Path) -> None:
    store = env.store
    store.load(RID, _write_csv(tmp_path / "new.csv", EXPECTED[:5]), SCHEMA, order=3)
    store.stage(RID, _write_csv(tmp_path / "old.csv", EXPECTED), SCHEMA, key=KEY)
    with pytest.raises(Superseded):
        store.load_staged(RID, KEY, order=2)
    assert _codes(env) == [1, 2, 3, 4, 5]
    assert store.staged() == {RID: KEY}  # nothing taken


def test_a_swap_asked_while_staging_runs_waits_for_it_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval's load comes while the submission's table is still being staged: it
    swaps the staged table in once staging commits, rather than finding nothing."""
    import threading
    import time

    import datasets.datastore.sqlite as sqlite_module
    from datasets.datastore import SqliteDatastore

    store = SqliteDatastore(tmp_path / "datastore.sqlite3")
    started, release = threading.Event(), threading.Event()
    real = sqlite_module.typed_batches

    def slow(*args: object, **kwargs: object):  # the staging's batches, held back
        started.set()
        release.wait(10)
        yield from real(*args, **kwargs)  # type: ignore[arg-type]  # passed through as given

    monkeypatch.setattr(sqlite_module, "typed_batches", slow)
    csv_path = _write_csv(tmp_path / "new.csv", EXPECTED)
    staging = threading.Thread(
        target=store.stage, args=(RID, csv_path, SCHEMA), kwargs={"key": KEY}
    )
    staging.start()
    assert started.wait(10)  # staging holds the write lock now
    answers: list[object] = []
    swap = threading.Thread(target=lambda: answers.append(store.load_staged(RID, KEY)))
    swap.start()
    time.sleep(0.5)  # the swap has asked (and waits for the lock) before staging goes on
    release.set()
    staging.join(30)
    swap.join(30)
    (info,) = answers
    assert info is not None and info.row_count == 40  # type: ignore[attr-defined]  # a DatastoreInfo, kept as object
    assert store.info(RID).row_count == 40
    assert store.staged() == {}
