"""The fast load path of both datastores (issue 24): the same rows, NULLs and text answers
whether the CSV is cast in the loading process or by the child reader, huge integers, the
indexes chosen from lengths counted while casting, and a load killed midway."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from datasets.datastore import (
    Datastore,
    DatastoreQuery,
    LoadFailed,
    PostgresDatastore,
    SqliteDatastore,
)

ROOT = Path(__file__).resolve().parents[2]
RID = "5b0f3c1e-load-4d2a-9e8f-0a1b2c3d4e5f"
SCHEMA = {
    "fields": [
        {"name": "ma", "type": "integer"},
        {"name": "ten", "type": "string"},
        {"name": "gia_tri", "type": "number"},
        {"name": "ngay", "type": "date"},
        {"name": "mo_ta", "type": "string"},
    ]
}
INT64_MAX = 2**63 - 1
ROWS = [
    ["1", "Phường Bến Nghé", "1.5", "2024-01-31", "Đường Nguyễn Huệ, gần chợ Bến Thành"],
    ["2", "", "", "", ""],  # every empty cell is NULL
    [str(INT64_MAX), "Thành phố Thủ Đức", "-0.25", "2024-02-29", 'Nhà "văn hoá"\nĐống Đa'],
    [str(-(2**63)), "Xã Tân Thông Hội", "1e3", "2023-02-29", "Khu vực đông dân cư"],
    [str(INT64_MAX + 1), "Quận 1", "inf", "31/01/2024", "Trường học Lê Lợi"],
    ["99999999999999999999999", "Huyện Củ Chi", "abc", "2024-13-01", "Bệnh viện Chợ Rẫy"],
    ["-7", "Phường Võ Thị Sáu", "nan", "2024-12-01", "ĐƯỜNG LÊ DUẨN"],
]
EXPECTED = [
    (1, "Phường Bến Nghé", 1.5, "2024-01-31", "Đường Nguyễn Huệ, gần chợ Bến Thành"),
    (2, None, None, None, None),
    (INT64_MAX, "Thành phố Thủ Đức", -0.25, "2024-02-29", 'Nhà "văn hoá"\nĐống Đa'),
    (-(2**63), "Xã Tân Thông Hội", 1000.0, None, "Khu vực đông dân cư"),
    (None, "Quận 1", None, None, "Trường học Lê Lợi"),  # past 64 bits: does not cast
    (None, "Huyện Củ Chi", None, None, "Bệnh viện Chợ Rẫy"),
    (-7, "Phường Võ Thị Sáu", None, "2024-12-01", "ĐƯỜNG LÊ DUẨN"),
]
TEXT_QUERIES = {
    "duong": [1, 7],  # đ folds to d, upper case to lower
    "DUONG le duan": [7],
    "văn hoá đống đa": [3],
    "ben thanh": [1],
    "thu duc": [3],
    "cho": [1, 6],
    "không có": [],
}


def _write(path: Path, rows: list[list[str]], repeat: int = 1) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f["name"] for f in SCHEMA["fields"]])
        for _ in range(repeat):
            writer.writerows(rows)
    return path


def _pg_store(parallel: int) -> Iterator[Datastore]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    schema = f"dsl_{uuid.uuid4().hex[:10]}"
    store = PostgresDatastore(url, schema, parallel_min_bytes=parallel)
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DROP OWNED BY {schema}_reader")
            conn.execute(f"DROP ROLE IF EXISTS {schema}_reader")


StoreFactory = Callable[[int], Datastore]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    made: list[Iterator[Datastore]] = []

    def make(parallel: int) -> Datastore:
        if request.param == "sqlite":
            return SqliteDatastore(
                tmp_path / f"datastore-{parallel}.sqlite3", parallel_min_bytes=parallel
            )
        gen = _pg_store(parallel)
        made.append(gen)
        return next(gen)

    yield make
    for gen in made:
        gen.close()


def _rows(store: Datastore) -> list[tuple[Any, ...]]:
    page = store.search(RID, DatastoreQuery(limit=1000, sort=[("_id", False)], with_id=True))
    return [tuple(r[f["name"]] for f in SCHEMA["fields"]) for r in page.records]


@pytest.mark.parametrize("parallel", [0, 1 << 40], ids=["child-reader", "in-process"])
def test_edge_values_load_alike_on_both_paths(
    make_store: StoreFactory, tmp_path: Path, parallel: int
) -> None:
    store = make_store(parallel)
    info = store.load(RID, _write(tmp_path / "edge.csv", ROWS), SCHEMA)
    assert info.row_count == len(ROWS)
    assert _rows(store) == EXPECTED
    for q, wanted in TEXT_QUERIES.items():
        page = store.search(RID, DatastoreQuery(q=q, limit=100, sort=[("_id", False)]))
        got = [
            EXPECTED.index(tuple(r[f["name"]] for f in SCHEMA["fields"])) + 1 for r in page.records
        ]
        assert got == wanted, q


def test_the_child_reader_gives_the_same_table_as_the_caller(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    csv_path = _write(tmp_path / "many.csv", ROWS, repeat=400)  # 2,800 rows: two batches
    inline, child = make_store(1 << 40), make_store(0)
    assert inline.load(RID, csv_path, SCHEMA) == child.load(RID, csv_path, SCHEMA)
    assert _rows(child) == _rows(inline) == (EXPECTED * 400)[:1000]
    for q in TEXT_QUERIES:
        query = DatastoreQuery(q=q, limit=1000, sort=[("_id", True)])
        assert child.search(RID, query) == inline.search(RID, query), q


@pytest.mark.parametrize("parallel", [0, 1 << 40], ids=["child-reader", "in-process"])
def test_a_ragged_row_fails_the_load_naming_its_line(
    make_store: StoreFactory, tmp_path: Path, parallel: int
) -> None:
    store = make_store(parallel)
    store.load(RID, _write(tmp_path / "good.csv", ROWS[:2]), SCHEMA)
    bad = _write(tmp_path / "bad.csv", [*ROWS, ["8", "only two"]], repeat=1)
    with pytest.raises(LoadFailed, match="line 9: 2 cells, expected 5"):
        store.load(RID, bad, SCHEMA)
    assert _rows(store) == EXPECTED[:2]  # the previous table still answers


def test_free_text_is_told_by_its_non_empty_cells(tmp_path: Path) -> None:
    import sqlite3

    long_text = "Khu vực đông dân cư gần chợ Bến Thành, Quận 1"  # 45 characters
    rows = [["1", "Quận 1", "1", "2024-01-01", long_text], ["2", "Quận 3", "2", "", ""]]
    path = tmp_path / "ds.sqlite3"
    SqliteDatastore(path).load(RID, _write(tmp_path / "t.csv", rows), SCHEMA)
    conn = sqlite3.connect(path)
    names = [
        n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = ?", (RID,))
    ]
    indexed = {info[2] for name in names for info in conn.execute(f'PRAGMA index_info("{name}")')}
    conn.close()
    # the empty cell is NULL and does not lower the average (45 > 40): no index on mo_ta
    assert indexed == {"ma", "ten", "gia_tri", "ngay"}


_KILLED_LOAD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from datasets.datastore import SqliteDatastore
schema = {"fields": [{"name": n, "type": t} for n, t in
          [("ma", "integer"), ("ten", "string"), ("gia_tri", "number"), ("ngay", "date"),
           ("mo_ta", "string")]]}
print("loading", flush=True)
store = SqliteDatastore(Path(sys.argv[2]), parallel_min_bytes=0)
store.load(sys.argv[3], Path(sys.argv[4]), schema)
print("loaded", flush=True)
"""


def test_a_load_killed_midway_leaves_the_published_table(tmp_path: Path) -> None:
    path = tmp_path / "ds.sqlite3"
    store = SqliteDatastore(path)
    store.load(RID, _write(tmp_path / "v1.csv", ROWS[:2]), SCHEMA)
    big = _write(tmp_path / "v2.csv", ROWS, repeat=60_000)  # 420,000 rows
    loader = subprocess.Popen(
        [sys.executable, "-c", _KILLED_LOAD, str(ROOT), str(path), RID, str(big)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert loader.stdout is not None
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(1.0)
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    assert loader.stdout.read() == ""  # killed before it finished
    store.close()
    reopened = SqliteDatastore(path)
    assert _rows(reopened) == EXPECTED[:2]
    assert reopened.info(RID).row_count == 2
    reopened.load(RID, _write(tmp_path / "v3.csv", ROWS), SCHEMA)  # the file still loads
    assert _rows(reopened) == EXPECTED
