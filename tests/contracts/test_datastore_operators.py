"""The datastore contract for operators (``col__gt``), aggregates and facets (issue 23).

Every test runs on SQLite and PostgreSQL and compares with Python's reading of the rows.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datasets.datastore import (
    AggregateQuery,
    BadQuery,
    Datastore,
    DatastoreQuery,
    FacetQuery,
    SqlTimeout,
    UnknownField,
)
from tests.contracts.test_datastore import EXPECTED, RID, Env, env, loaded


def _ma(store: Datastore, *conditions: tuple[str, str, str], **kwargs: Any) -> list[int]:
    query = DatastoreQuery(conditions=conditions, limit=1000, **kwargs)
    return [r["ma"] for r in store.search(RID, query).records]


def _where(test: Any) -> list[int]:
    return [r["ma"] for r in EXPECTED if test(r)]


def test_ranges_are_typed_by_the_column(loaded: Datastore) -> None:
    assert _ma(loaded, ("ma", "gt", "35")) == [36, 37, 38, 39, 40]
    assert _ma(loaded, ("so_luong", "gte", "10"), ("so_luong", "lt", "12")) == _where(
        lambda r: 10 <= r["so_luong"] < 12
    )
    expected = _where(lambda r: r["gia_tri"] is not None and r["gia_tri"] <= 30.5)
    assert _ma(loaded, ("gia_tri", "lte", "30.5")) == expected and expected
    assert _ma(loaded, ("ngay", "gt", "2024-04-01")) == _where(lambda r: r["ngay"] > "2024-04-01")
    # a datetime with an offset compares in UTC, as the column is stored
    after = _ma(loaded, ("cap_nhat", "gte", "2024-03-20T12:00:00+07:00"))
    assert after == _where(lambda r: r["cap_nhat"] >= "2024-03-20T05:00:00") and after
    # text compares by code point on both backends
    assert _ma(loaded, ("quan", "lt", "Quận 3")) == _where(lambda r: r["quan"] < "Quận 3")


def test_not_equal_in_and_isnull(loaded: Datastore) -> None:
    assert _ma(loaded, ("loai", "ne", "Chợ")) == _where(lambda r: r["loai"] != "Chợ")
    # a missing value is not equal to anything
    assert _ma(loaded, ("gia_tri", "ne", "1.5")) == _where(lambda r: r["gia_tri"] != 1.5)
    assert _ma(loaded, ("ma", "in", "3, 17,40")) == [3, 17, 40]
    assert _ma(loaded, ("hoat_dong", "in", "true")) == _where(lambda r: r["hoat_dong"])
    assert _ma(loaded, ("gia_tri", "isnull", "true")) == _where(lambda r: r["gia_tri"] is None)
    assert _ma(loaded, ("gia_tri", "isnull", "false")) == _where(lambda r: r["gia_tri"] is not None)
    # operators combine with equality filters and with each other (AND)
    both = _ma(loaded, ("ma", "lte", "20"), filters={"quan": ["Quận 1"]})
    assert both == _where(lambda r: r["ma"] <= 20 and r["quan"] == "Quận 1")


def test_contains_and_startswith_match_text(loaded: Datastore) -> None:
    assert _ma(loaded, ("mo_ta", "contains", "chợ")) == _where(lambda r: "chợ" in r["mo_ta"])
    assert _ma(loaded, ("quan", "startswith", "Quận")) == _where(
        lambda r: r["quan"].startswith("Quận")
    )
    # ASCII letters ignore case on both backends
    assert _ma(loaded, ("mo_ta", "contains", 'HYPERLINK("HTTP')) == _where(
        lambda r: "HYPERLINK" in r["mo_ta"]
    )
    with pytest.raises(BadQuery, match="ma"):
        loaded.search(RID, DatastoreQuery(conditions=[("ma", "contains", "1")]))


def test_like_wildcards_in_a_value_are_literal(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "giam.csv"
    values = ["Giảm 50% phí", "Giảm 500 phí", "ma_so", "maxso", "a\\b", "ab"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["n", "ghi_chu"])
        writer.writerows(enumerate(values))
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "ghi_chu", "type": "string"}]}
    env.store.load(RID, path, schema)

    def found(op: str, value: str) -> list[str]:
        query = DatastoreQuery(conditions=[("ghi_chu", op, value)])
        return [r["ghi_chu"] for r in env.store.search(RID, query).records]

    assert found("contains", "50%") == ["Giảm 50% phí"]
    assert found("contains", "_") == ["ma_so"]
    assert found("startswith", "ma_") == ["ma_so"]
    assert found("contains", "\\") == ["a\\b"]
    assert found("contains", "%") == ["Giảm 50% phí"]


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (("ma", "gt", "mười"), ["'ma'", "integer"]),
        (("gia_tri", "lt", "1,5"), ["'gia_tri'", "number"]),
        (("ngay", "gte", "2024-13-45"), ["'ngay'", "date"]),
        (("cap_nhat", "lt", "hôm qua"), ["'cap_nhat'", "datetime"]),
        (("hoat_dong", "ne", "có"), ["'hoat_dong'", "boolean"]),
        (("ma", "in", "1,hai"), ["'ma'", "integer"]),
        (("ma", "isnull", "có lẽ"), ["ma__isnull", "true or false"]),
        (("ma", "in", ",".join(["1"] * 101)), ["ma__in", "100"]),
    ],
)
def test_a_value_that_does_not_fit_names_the_column_and_type(
    loaded: Datastore,
    condition: tuple[str, str, str],
    words: list[str],
) -> None:
    with pytest.raises(BadQuery) as caught:
        loaded.search(RID, DatastoreQuery(conditions=[condition]))
    assert all(w in caught.value.message for w in words), caught.value.message


def test_an_operator_on_an_unknown_column_is_unknown(loaded: Datastore) -> None:
    with pytest.raises(UnknownField):
        loaded.search(RID, DatastoreQuery(conditions=[("khong_co", "gt", "1")]))


def _groups(key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in EXPECTED:
        out.setdefault(r[key], []).append(r)
    return out


def test_aggregates_per_group_match_python(loaded: Datastore) -> None:
    query = AggregateQuery(
        group=["quan"],
        count=True,
        measures=[
            ("sum", "so_luong"),
            ("avg", "gia_tri"),
            ("min", "ngay"),
            ("max", "ma"),
            ("distinct", "loai"),
        ],
    )
    result = loaded.aggregate(RID, query)
    assert [f.name for f in result.fields] == [
        "quan", "count", "sum_so_luong", "avg_gia_tri", "min_ngay", "max_ma", "distinct_loai"
    ]  # fmt: skip
    assert [f.type for f in result.fields] == [
        "text", "integer", "integer", "number", "date", "integer", "integer"
    ]  # fmt: skip
    expected = []
    for quan, rows in sorted(_groups("quan").items()):
        prices = [r["gia_tri"] for r in rows if r["gia_tri"] is not None]
        expected.append(
            {
                "quan": quan,
                "count": len(rows),
                "sum_so_luong": sum(r["so_luong"] for r in rows),
                "avg_gia_tri": pytest.approx(sum(prices) / len(prices)),
                "min_ngay": min(r["ngay"] for r in rows),
                "max_ma": max(r["ma"] for r in rows),
                "distinct_loai": len({r["loai"] for r in rows}),
            }
        )
    assert result.records == expected
    assert isinstance(result.records[0]["sum_so_luong"], int)
    assert isinstance(result.records[0]["avg_gia_tri"], float)


def test_aggregates_are_filtered_sorted_and_paged(loaded: Datastore) -> None:
    where = DatastoreQuery(conditions=[("ma", "lte", "30")], filters={"hoat_dong": ["false"]})
    rows = [r for r in EXPECTED if r["ma"] <= 30 and not r["hoat_dong"]]
    counts = Counter((r["loai"], r["quan"]) for r in rows)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    seen: list[tuple[tuple[str, str], int]] = []
    cursor = None
    for _ in range(20):
        page = loaded.aggregate(
            RID,
            AggregateQuery(
                where=where, group=["loai", "quan"], sort=[("count", True)], limit=3,
                cursor=cursor,
            ),
        )  # fmt: skip
        seen += [((r["loai"], r["quan"]), r["count"]) for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    whole = loaded.aggregate(RID, AggregateQuery(where=where, group=["loai", "quan"]), paged=False)
    assert [((r["loai"], r["quan"]), r["count"]) for r in whole.records] == sorted(counts.items())
    # without a group: one row over every matching row
    total = loaded.aggregate(RID, AggregateQuery(where=where, measures=[("sum", "ma")]))
    assert total.records == [{"sum_ma": sum(r["ma"] for r in rows)}]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (AggregateQuery(measures=[("sum", "quan")]), ["'quan'", "text"]),
        (AggregateQuery(measures=[("avg", "ngay")]), ["'ngay'", "date"]),
        (AggregateQuery(measures=[("max", "hoat_dong")]), ["'hoat_dong'", "boolean"]),
        (AggregateQuery(group=["quan"], sort=[("ma", False)]), ["'ma'"]),
        (AggregateQuery(group=["quan"], limit=10, cursor="eyJvIjo1MDAwMH0"), ["50,000"]),
    ],
)
def test_aggregates_refuse_what_they_cannot_compute(
    loaded: Datastore,
    query: AggregateQuery,
    words: list[str],
) -> None:
    with pytest.raises(BadQuery) as caught:
        loaded.aggregate(RID, query)
    assert all(w in caught.value.message for w in words), caught.value.message
    with pytest.raises(UnknownField):
        loaded.aggregate(RID, AggregateQuery(group=["khong_co"]))


def test_an_aggregate_stops_at_its_time_limit(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "lon.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["n", "nhom", "ten"])
        writer.writerows((i, i % 997, f"tên {i * 7919 % 100_003}") for i in range(200_000))
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "nhom", "type": "integer"},
                         {"name": "ten", "type": "string"}]}  # fmt: skip
    env.store.load(RID, path, schema)
    slow = AggregateQuery(
        group=["ten"],
        measures=[("distinct", "n"), ("distinct", "nhom")],
        sort=[("distinct_n", True)],  # every group is computed before the first is answered
        timeout_ms=1,
    )
    with pytest.raises(SqlTimeout):
        env.store.aggregate(RID, slow)
    with pytest.raises(SqlTimeout):
        env.store.facets(RID, FacetQuery(columns=["ten", "n"], timeout_ms=1))
    # the connection stays usable after the stop
    assert env.store.aggregate(RID, AggregateQuery(group=["nhom"], limit=2)).records == [
        {"nhom": 0, "count": 201},
        {"nhom": 1, "count": 201},
    ]


def test_facets_count_the_filtered_rows(loaded: Datastore) -> None:
    where = DatastoreQuery(conditions=[("ma", "gt", "10")])
    rows = [r for r in EXPECTED if r["ma"] > 10]
    facets = loaded.facets(RID, FacetQuery(where=where, columns=["loai", "gia_tri"], size=3))
    assert [f.column for f in facets] == ["loai", "gia_tri"]
    loai = Counter(r["loai"] for r in rows)
    assert facets[0].values == sorted(loai.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert facets[0].more is True and facets[0].type == "text"
    prices = Counter(r["gia_tri"] for r in rows)
    top = sorted(prices.items(), key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or 0))[:3]
    assert facets[1].values == top  # NULL is a value like any other, sorted first
    every = loaded.facets(RID, FacetQuery(columns=["hoat_dong"], size=5))[0]
    assert every.values == [(False, 27), (True, 13)] and every.more is False
    with pytest.raises(BadQuery):
        loaded.facets(RID, FacetQuery(columns=["ma", "quan", "loai", "ngay", "phuong", "mo_ta"]))
    with pytest.raises(UnknownField):
        loaded.facets(RID, FacetQuery(columns=["khong_co"]))
