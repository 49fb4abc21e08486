"""One behavioural contract for every Datastore backend (SQLite default, PostgreSQL)."""

from __future__ import annotations

import csv
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from datasets.datastore import (
    BadQuery,
    Datastore,
    DatastoreQuery,
    PostgresDatastore,
    SqliteDatastore,
    SqlNotAllowed,
    SqlTimeout,
    SqlTooLarge,
    UnknownField,
    UnknownResource,
    UnsupportedDatastore,
    open_datastore,
)
from datasets.datastore.base import DatastoreError, LoadFailed

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
RID = "c1f0e6d2-3b4a-4c5d-8e9f-0a1b2c3d4e5f"
SECRET = "bí mật của cổng dữ liệu"

SCHEMA = {
    "fields": [
        {"name": "ma", "type": "integer"},
        {"name": "quan", "type": "string"},
        {"name": "phuong", "type": "string"},
        {"name": "loai", "type": "string"},
        {"name": "so_luong", "type": "integer"},
        {"name": "gia_tri", "type": "number"},
        {"name": "ngay", "type": "date"},
        {"name": "cap_nhat", "type": "datetime"},
        {"name": "hoat_dong", "type": "boolean"},
        {"name": "mo_ta", "type": "string"},
    ]
}
QUAN = ["Quận 1", "Quận 3", "Quận Bình Thạnh", "Thành phố Thủ Đức", "Huyện Củ Chi"]
PHUONG = [
    "Phường Bến Nghé",
    "Phường Võ Thị Sáu",
    "Phường 25",
    "Phường Linh Trung",
    "Xã Tân Thông Hội",
]
LOAI = ["Trường học", "Bệnh viện", "Chợ", "Công viên"]
MO_TA = [
    "Đường Nguyễn Huệ rộng và đẹp",
    "Gần chợ Bến Thành",
    "Khu vực đông dân cư",
    "Nhà văn hoá Đống Đa",
    '=HYPERLINK("http://example.invalid")',
]


def _expected_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 41):
        rows.append(
            {
                "ma": i,
                "quan": QUAN[i % 5],
                "phuong": PHUONG[(i * 3) % 5],
                "loai": LOAI[i % 4],
                "so_luong": (i * 7) % 13,
                "gia_tri": None if i % 6 == 0 else (i * 37) % 101 * 1.5,
                "ngay": (date(2024, 1, 1) + timedelta(days=i * 3)).isoformat(),
                # written with a +07:00 offset below, stored in UTC
                "cap_nhat": f"2024-03-{i % 28 + 1:02d}T{i % 15:02d}:30:00",
                "hoat_dong": i % 3 == 0,
                "mo_ta": MO_TA[i % 5],
            }
        )
    return rows


EXPECTED = _expected_rows()


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f["name"] for f in SCHEMA["fields"]])
        for r in rows:
            local_hour = int(r["cap_nhat"][11:13]) + 7
            writer.writerow(
                [
                    r["ma"],
                    r["quan"],
                    r["phuong"],
                    r["loai"],
                    r["so_luong"],
                    "" if r["gia_tri"] is None else r["gia_tri"],
                    r["ngay"],
                    f"{r['cap_nhat'][:11]}{local_hour:02d}:30:00+07:00",
                    "true" if r["hoat_dong"] else "false",
                    r["mo_ta"],
                ]
            )
    return path


@dataclass
class Env:
    """A datastore under test plus the way to plant a table in the portal's own database."""

    store: Datastore
    kind: str
    portal_users_sql: str  # SQL that would read the portal's users table


def _postgres_env(tmp_path: Path) -> Iterator[Env]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL contract tests skipped")
    suffix = uuid.uuid4().hex[:10]
    schema, portal = f"ds_{suffix}", f"portal_{suffix}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {portal}")
        conn.execute(f"CREATE TABLE {portal}.users (name text)")
        conn.execute(f"INSERT INTO {portal}.users VALUES (%s)", [SECRET])
    store = PostgresDatastore(url, schema)
    try:
        yield Env(store, "postgresql", f"SELECT * FROM {portal}.users")
    finally:
        store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DROP SCHEMA IF EXISTS {portal} CASCADE")
            conn.execute(f"DROP OWNED BY {schema}_reader")
            conn.execute(f"DROP ROLE IF EXISTS {schema}_reader")


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Env]:
    if request.param == "postgresql":
        yield from _postgres_env(tmp_path)
        return
    portal = sqlite3.connect(tmp_path / "portal.sqlite3")
    portal.execute("CREATE TABLE users (name TEXT)")
    portal.execute("INSERT INTO users VALUES (?)", (SECRET,))
    portal.commit()
    portal.close()
    store = SqliteDatastore(tmp_path / "datastore.sqlite3")
    try:
        yield Env(store, "sqlite", "SELECT * FROM users")
    finally:
        store.close()


@pytest.fixture
def loaded(env: Env, tmp_path: Path) -> Datastore:
    env.store.load(RID, _write_csv(tmp_path / "data.csv", EXPECTED), SCHEMA)
    return env.store


def _all(store: Datastore, **kwargs: Any) -> list[dict[str, Any]]:
    return store.search(RID, DatastoreQuery(limit=1000, **kwargs)).records


def _sorted(rows: list[dict[str, Any]], sort: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Python's reading of the contract: NULL first ascending, ties broken by row order."""
    keys = [*sort, ("ma", sort[-1][1] if sort else False)]
    out = list(rows)
    for name, desc in reversed(keys):
        out.sort(key=lambda r, n=name: (r[n] is not None, r[n] if r[n] is not None else 0),
                 reverse=desc)  # fmt: skip
    return out


def test_load_reads_back_typed_vietnamese_values(loaded: Datastore) -> None:
    info = loaded.info(RID)
    assert info.row_count == 40
    assert [(f.name, f.type) for f in info.fields] == [
        ("ma", "integer"), ("quan", "text"), ("phuong", "text"), ("loai", "text"),
        ("so_luong", "integer"), ("gia_tri", "number"), ("ngay", "date"),
        ("cap_nhat", "datetime"), ("hoat_dong", "boolean"), ("mo_ta", "text"),
    ]  # fmt: skip
    assert _all(loaded) == EXPECTED


def test_filters_combine_columns_with_and_and_values_with_or(loaded: Datastore) -> None:
    result = loaded.search(
        RID, DatastoreQuery(filters={"quan": ["Quận 1", "Thành phố Thủ Đức"], "loai": ["Chợ"]})
    )
    expected = [r for r in EXPECTED if r["quan"] in ("Quận 1", "Thành phố Thủ Đức")]
    expected = [r for r in expected if r["loai"] == "Chợ"]
    assert result.records == expected and expected
    assert result.total == len(expected)


def test_filters_cast_values_to_the_column_type(loaded: Datastore) -> None:
    assert [r["ma"] for r in _all(loaded, filters={"so_luong": ["7"]})] == [
        r["ma"] for r in EXPECTED if r["so_luong"] == 7
    ]
    assert len(_all(loaded, filters={"hoat_dong": ["true"]})) == 13
    assert [r["ma"] for r in _all(loaded, filters={"ngay": ["2024-01-04"]})] == [1]
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(filters={"so_luong": ["bảy"]}))


def test_full_text_matches_vietnamese_with_or_without_diacritics(loaded: Datastore) -> None:
    nguyen_hue = [r["ma"] for r in EXPECTED if r["mo_ta"].startswith("Đường Nguyễn Huệ")]
    assert [r["ma"] for r in _all(loaded, q="Nguyễn Huệ")] == nguyen_hue
    assert [r["ma"] for r in _all(loaded, q="duong nguyen hue")] == nguyen_hue
    dong_da = [r["ma"] for r in EXPECTED if "Đống Đa" in r["mo_ta"]]
    assert [r["ma"] for r in _all(loaded, q="dong da")] == dong_da
    both = [r["ma"] for r in EXPECTED if r["quan"] == "Quận 3" and "chợ" in r["mo_ta"]]
    assert [r["ma"] for r in _all(loaded, q="quan 3 cho ben thanh")] == both
    assert loaded.search(RID, DatastoreQuery(q="không có từ này")).total == 0


def test_fields_select_columns_in_the_asked_order(loaded: Datastore) -> None:
    result = loaded.search(RID, DatastoreQuery(fields=["quan", "ma"], limit=2))
    assert [f.name for f in result.fields] == ["quan", "ma"]
    assert result.records == [{"quan": r["quan"], "ma": r["ma"]} for r in EXPECTED[:2]]


@pytest.mark.parametrize(
    "sort",
    [[("gia_tri", False)], [("gia_tri", True)], [("quan", False), ("so_luong", True)],
     [("ngay", True)], [("mo_ta", False), ("gia_tri", False)]],
)  # fmt: skip
def test_sort_orders_rows_with_nulls_first_ascending(
    loaded: Datastore, sort: list[tuple[str, bool]]
) -> None:
    assert _all(loaded, sort=sort) == _sorted(EXPECTED, sort)


def test_limit_and_offset_page_through_rows(loaded: Datastore) -> None:
    result = loaded.search(RID, DatastoreQuery(limit=5, offset=10))
    assert [r["ma"] for r in result.records] == list(range(11, 16))
    assert result.total == 40 and result.next_cursor is not None
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(limit=-1))


@pytest.mark.parametrize(
    ("sort", "filters"),
    [([], {}), ([("gia_tri", True)], {}), ([("gia_tri", False)], {}),
     ([("quan", False), ("so_luong", True)], {}), ([("loai", True), ("gia_tri", False)], {}),
     ([("so_luong", False)], {"hoat_dong": ["false"]})],
)  # fmt: skip
def test_keyset_pages_walk_every_row_once_in_sort_order(
    loaded: Datastore, sort: list[tuple[str, bool]], filters: dict[str, list[str]]
) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        page = loaded.search(
            RID, DatastoreQuery(sort=sort, filters=filters, limit=7, cursor=cursor)
        )
        seen.extend(page.records)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [r for r in EXPECTED if not filters or r["hoat_dong"] is False]
    assert seen == _sorted(expected, sort)


def test_cursor_of_another_sort_or_garbage_is_a_bad_query(loaded: Datastore) -> None:
    first = loaded.search(RID, DatastoreQuery(sort=[("ma", True)], limit=3))
    assert first.next_cursor
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(sort=[("quan", True)], cursor=first.next_cursor))
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(cursor="không-phải-cursor"))


def test_distinct_returns_each_combination_once(loaded: Datastore) -> None:
    result = loaded.search(
        RID, DatastoreQuery(fields=["quan"], distinct=True, sort=[("quan", True)], limit=3)
    )
    assert result.total == 5
    names = [r["quan"] for r in result.records]
    nxt = loaded.search(
        RID,
        DatastoreQuery(
            fields=["quan"], distinct=True, sort=[("quan", True)], cursor=result.next_cursor
        ),
    )
    assert names + [r["quan"] for r in nxt.records] == sorted(QUAN, reverse=True)
    assert nxt.next_cursor is None


def test_total_counts_matches_and_can_be_skipped(loaded: Datastore) -> None:
    assert loaded.search(RID, DatastoreQuery(limit=1)).total == 40
    assert loaded.search(RID, DatastoreQuery(filters={"quan": ["Quận 1"]})).total == 8
    assert loaded.search(RID, DatastoreQuery(include_total=False)).total is None


@pytest.mark.parametrize(
    "query",
    [DatastoreQuery(fields=["khong_co"]), DatastoreQuery(filters={"khong_co": ["1"]}),
     DatastoreQuery(sort=[("khong_co", False)])],
)  # fmt: skip
def test_unknown_field_is_named_in_the_error(loaded: Datastore, query: DatastoreQuery) -> None:
    with pytest.raises(UnknownField) as caught:
        loaded.search(RID, query)
    assert caught.value.field == "khong_co" and caught.value.code == "unknown_field"


def test_unknown_resource_is_an_error(env: Env) -> None:
    with pytest.raises(UnknownResource):
        env.store.search("khong-co", DatastoreQuery())
    with pytest.raises(UnknownResource):
        env.store.info("khong-co")


def test_reload_replaces_the_table(loaded: Datastore, tmp_path: Path) -> None:
    info = loaded.load(RID, _write_csv(tmp_path / "v2.csv", EXPECTED[:3]), SCHEMA)
    assert info.row_count == 3 and loaded.info(RID).row_count == 3
    assert _all(loaded) == EXPECTED[:3]
    assert [r["ma"] for r in _all(loaded, q="nguyen hue")] == []


def test_failed_load_keeps_the_previous_table(loaded: Datastore, tmp_path: Path) -> None:
    bad = _write_csv(tmp_path / "bad.csv", EXPECTED[:5])
    with bad.open("a", encoding="utf-8") as handle:
        handle.write("41,Quận 1,chỉ có ba ô\n")
    with pytest.raises(LoadFailed):
        loaded.load(RID, bad, SCHEMA)
    assert loaded.info(RID).row_count == 40
    assert _all(loaded) == EXPECTED
    assert _all(loaded, q="dong da")


def test_drop_removes_the_table(loaded: Datastore) -> None:
    loaded.drop(RID)
    with pytest.raises(UnknownResource):
        loaded.search(RID, DatastoreQuery())
    loaded.drop(RID)  # dropping again is fine


def test_iter_rows_streams_every_matching_row(loaded: Datastore) -> None:
    query = DatastoreQuery(fields=["ma", "hoat_dong"], sort=[("gia_tri", True)], limit=1)
    fields = loaded.fields_for(RID, query)
    rows = list(loaded.iter_rows(RID, query))
    assert [f.name for f in fields] == ["ma", "hoat_dong"]
    assert rows == [(r["ma"], r["hoat_dong"]) for r in _sorted(EXPECTED, [("gia_tri", True)])]


def test_search_sql_runs_a_select(loaded: Datastore) -> None:
    result = loaded.search_sql(
        f'SELECT quan, count(*) AS so FROM "{RID}" GROUP BY quan ORDER BY quan',
        timeout_ms=5000,
        max_rows=100,
    )
    assert result.records == [{"quan": q, "so": 8} for q in sorted(QUAN)]
    assert not result.truncated


def test_search_sql_returns_at_most_max_rows(loaded: Datastore) -> None:
    result = loaded.search_sql(f'SELECT ma FROM "{RID}" ORDER BY ma', timeout_ms=5000, max_rows=7)
    assert [r["ma"] for r in result.records] == list(range(1, 8))
    assert result.truncated


@pytest.mark.parametrize(
    "sql",
    [f'INSERT INTO "{RID}" (ma) VALUES (999)', f'UPDATE "{RID}" SET ma = 0',
     f'DELETE FROM "{RID}"', f'DROP TABLE "{RID}"', "CREATE TABLE x (a integer)",
     "ATTACH DATABASE 'portal.sqlite3' AS portal", "PRAGMA writable_schema = 1",
     f'SELECT 1; DELETE FROM "{RID}"', "SELECT 1; SELECT 2",
     f'  /* hi */ -- note\n DELETE FROM "{RID}"'],
)  # fmt: skip
def test_search_sql_refuses_anything_but_one_select(loaded: Datastore, sql: str) -> None:
    with pytest.raises(SqlNotAllowed):
        loaded.search_sql(sql, timeout_ms=2000, max_rows=10)
    assert loaded.info(RID).row_count == 40 and len(_all(loaded)) == 40


def test_search_sql_cannot_write_through_a_cte(loaded: Datastore) -> None:
    with pytest.raises((SqlNotAllowed, BadQuery)):
        loaded.search_sql(
            f'WITH d AS (DELETE FROM "{RID}" RETURNING *) SELECT * FROM d',
            timeout_ms=2000,
            max_rows=10,
        )
    assert len(_all(loaded)) == 40


def test_search_sql_never_sees_the_portal_tables(env: Env, loaded: Datastore) -> None:
    for sql in [env.portal_users_sql, "SELECT * FROM _datastore_meta"]:
        with pytest.raises((SqlNotAllowed, BadQuery)) as caught:
            loaded.search_sql(sql, timeout_ms=2000, max_rows=10)
        assert SECRET not in str(caught.value)


def test_search_sql_stops_a_runaway_query(loaded: Datastore) -> None:
    with pytest.raises(SqlTimeout):
        loaded.search_sql(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT count(*) FROM c",
            timeout_ms=200,
            max_rows=10,
        )


def test_sql_injection_in_values_and_names_is_harmless(loaded: Datastore) -> None:
    result = loaded.search(RID, DatastoreQuery(filters={"quan": ["Quận 1' OR '1'='1"]}))
    assert result.records == [] and result.total == 0
    for name in ['quan" = "quan" OR "1', "gia_tri; DROP TABLE x", 'ma" FROM sqlite_master --']:
        for query in (
            DatastoreQuery(filters={name: ["x"]}),
            DatastoreQuery(sort=[(name, False)]),
            DatastoreQuery(fields=[name]),
        ):
            with pytest.raises(UnknownField):
                loaded.search(RID, query)
    for q in ['" OR * NEAR(', "quan) OR (1", "'; DROP TABLE x; --", "a & b | !c"]:
        assert isinstance(loaded.search(RID, DatastoreQuery(q=q)).records, list)
    assert _all(loaded) == EXPECTED


def test_resource_ids_that_cannot_name_a_table_are_refused(env: Env, tmp_path: Path) -> None:
    with pytest.raises(DatastoreError):
        env.store.load('x"; DROP TABLE y; --', _write_csv(tmp_path / "d.csv", EXPECTED), SCHEMA)
    with pytest.raises(BadQuery):
        env.store.search("a__b", DatastoreQuery())


def test_open_datastore_chooses_by_scheme_and_hides_the_url(tmp_path: Path) -> None:
    store = open_datastore("", tmp_path)
    assert isinstance(store, SqliteDatastore)
    assert (tmp_path / "datastore.sqlite3").exists()
    with pytest.raises(UnsupportedDatastore) as caught:
        open_datastore("redis://user:hunter2@cache.invalid/0", tmp_path)
    assert "redis" in str(caught.value) and "hunter2" not in str(caught.value)


# One call of one function that runs for seconds: SQLite's progress handler is never called
# inside it (a quadratic instr() over generated strings); PostgreSQL sleeps in one call.
_LONG_CALL = {
    "sqlite": "SELECT instr(a, b) FROM (SELECT replace(hex(zeroblob(600000)), '0', 'a') AS a, "
    "replace(hex(zeroblob(300000)), '0', 'a') || 'b' AS b)",
    "postgresql": "SELECT pg_sleep(30)",
}
# About 4 MB of rows from a query of a hundred bytes.
_BIG_RESULT = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 40) "
    "SELECT x, zeroblob(50000) AS z FROM c",
    "postgresql": "SELECT x, repeat('0', 100000) AS z FROM generate_series(1, 40) AS x",
}


def test_search_sql_stops_one_long_function_call_at_the_deadline(
    env: Env, loaded: Datastore
) -> None:
    started = time.monotonic()
    with pytest.raises(SqlTimeout):
        loaded.search_sql(_LONG_CALL[env.kind], timeout_ms=300, max_rows=10)
    assert time.monotonic() - started < 3.0  # was 10 s and more: the limit did not apply


def test_search_sql_refuses_a_result_larger_than_its_byte_cap(env: Env, loaded: Datastore) -> None:
    with pytest.raises(SqlTooLarge) as caught:
        loaded.search_sql(
            _BIG_RESULT[env.kind], timeout_ms=5000, max_rows=1000, max_bytes=1_000_000
        )
    assert caught.value.limit == 1_000_000
    small = loaded.search_sql(
        _BIG_RESULT[env.kind], timeout_ms=5000, max_rows=1000, max_bytes=10_000_000
    )
    assert [r["x"] for r in small.records] == list(range(1, 41))
    assert len(small.records[0]["z"]) == 100_000 and not small.truncated
