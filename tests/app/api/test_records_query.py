"""Operators, aggregates and facets on ``records`` over HTTP (issue 23), on both databases.

Each request goes to a live server on 127.0.0.1; the answers are compared with the rows.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from publishers import Role
from tests.app.api.conftest import bearer
from tests.factories import actor, make_org, make_user, publish_sample
from tests.shared_tables import grant, publish_shared

STOPS = (
    "ma_tram,quan,so_cho,gia_ve,ngay_mo,mai_che,ghi_chu\n"
    "T001,Quận 1,40,7000.5,2020-01-15,true,Giảm 50% vé\n"
    "T002,Quận 1,25,6000,2021-06-01,false,Tuyến_mới\n"
    "T003,Quận 5,30,,2019-03-20,true,Bến xe\n"
    "T004,Thành phố Thủ Đức,18,5000,2022-11-11,false,Giảm 500 vé\n"
    "T005,Quận 5,55,8000,2023-02-01,true,Chợ Lớn\n"
).encode()


class Api:
    """GET requests to the records endpoint of one table on a live server."""

    def __init__(self, base: str, path: str, headers: dict[str, str] | None = None) -> None:
        self.url = base + path
        self.headers = headers or {}

    def raw(self, query: str) -> tuple[int, bytes, str]:
        request = urllib.request.Request(self.url + query, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers["Content-Type"]

    def get(self, query: str, status: int = 200) -> Any:
        code, body, _ = self.raw(query)
        assert code == status, (query, body[:500])
        return json.loads(body)

    def ids(self, query: str) -> list[str]:
        return [r["ma_tram"] for r in self.get(query)["items"]]


def _q(**params: str) -> str:
    return "?" + urllib.parse.urlencode(params)


@pytest.fixture
def stops(services, live_server) -> Api:
    dataset, resource_id, _publisher, _steward = publish_sample(services, data=STOPS)
    return Api(live_server.url, f"/api/v1/datasets/{dataset.name}/resources/{resource_id}/records")


def test_ranges_and_operators_filter_rows_typed_by_the_schema(stops: Api) -> None:
    types = {f["name"]: f["type"] for f in stops.get("?_limit=1")["fields"]}
    assert types["so_cho"] == "integer" and types["ngay_mo"] == "date"
    assert stops.ids("?so_cho__gt=25") == ["T001", "T003", "T005"]
    assert stops.ids("?so_cho__gte=25&so_cho__lte=40") == ["T001", "T002", "T003"]
    assert stops.ids(_q(ngay_mo__gte="2021-01-01", ngay_mo__lt="2023-01-01")) == ["T002", "T004"]
    assert stops.ids("?gia_ve__lt=6500.25") == ["T002", "T004"]
    assert stops.ids("?gia_ve__isnull=true") == ["T003"]
    assert stops.ids(_q(quan__ne="Quận 1")) == ["T003", "T004", "T005"]
    assert stops.ids(_q(quan__in="Quận 5,Thành phố Thủ Đức")) == ["T003", "T004", "T005"]
    assert stops.ids(_q(ghi_chu__contains="50%")) == ["T001"]  # % is literal
    assert stops.ids(_q(ghi_chu__contains="_")) == ["T002"]  # so is _
    assert stops.ids(_q(ghi_chu__startswith="giảm")) == ["T001", "T004"]  # ASCII case
    assert stops.ids(_q(mai_che="true", so_cho__lt="50")) == ["T001", "T003"]
    body = stops.get("?so_cho__gt=20&_sort=-so_cho&_limit=2")
    assert [r["ma_tram"] for r in body["items"]] == ["T005", "T001"] and body["total"] == 4
    assert [r["ma_tram"] for r in stops.get(body["next"][len(stops.url) :])["items"]] == [
        "T003",
        "T002",
    ]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?so_cho__gt=", ["'so_cho'", "integer"]),
        ("?so_cho__gt=nhi%E1%BB%81u", ["'so_cho'", "integer"]),
        ("?so_cho=%3E10000", ["'so_cho'", "integer", "so_cho__gt"]),  # col=>10000
        ("?ngay_mo__lt=2021-02-30", ["'ngay_mo'", "date"]),
        ("?mai_che__ne=c%C3%B3", ["'mai_che'", "boolean"]),
        ("?so_cho__contains=4", ["so_cho__contains", "text"]),
        ("?khong_co__gt=1", ["khong_co"]),
        ("?" + "&".join(f"so_cho__ne={i}" for i in range(21)), ["20"]),
        ("?ghi_chu__contains=" + "a" * 1001, ["1000"]),
        ("?so_cho__in=" + ",".join(["1"] * 101), ["100"]),
    ],
)
def test_a_bad_operator_value_is_a_400_naming_the_column(
    stops: Api, query: str, words: list[str]
) -> None:
    error = stops.get(query, status=400)["error"]
    assert error["code"] == "bad_request"
    assert all(w in error["message"] for w in words), error["message"]


def test_operators_filter_every_export_format(stops: Api) -> None:
    code, body, kind = stops.raw("?so_cho__gt=25&_format=csv")
    assert code == 200 and kind.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["ma_tram"] for r in rows] == ["T001", "T003", "T005"]
    _, body, _ = stops.raw(_q(quan__in="Quận 5", _format="xlsx"))
    sheet = load_workbook(io.BytesIO(body)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["T003", "T005"]
    _, body, _ = stops.raw("?gia_ve__isnull=false&_format=parquet")
    assert pq.read_table(io.BytesIO(body)).column("ma_tram").to_pylist() == [
        "T001",
        "T002",
        "T004",
        "T005",
    ]


def test_aggregates_group_filter_sort_and_page(stops: Api) -> None:
    query = _q(
        _group="quan",
        _count="",
        _sum="so_cho",
        _avg="gia_ve",
        _min="ngay_mo",
        _max="so_cho,ngay_mo",
        _distinct="mai_che",
        _sort="-count,quan",
    )
    body = stops.get(query)
    assert [f["name"] for f in body["fields"]] == [
        "quan", "count", "sum_so_cho", "avg_gia_ve", "min_ngay_mo", "max_so_cho", "max_ngay_mo",
        "distinct_mai_che",
    ]  # fmt: skip
    assert body["items"] == [
        {"quan": "Quận 1", "count": 2, "sum_so_cho": 65, "avg_gia_ve": 6500.25,
         "min_ngay_mo": "2020-01-15", "max_so_cho": 40, "max_ngay_mo": "2021-06-01",
         "distinct_mai_che": 2},
        {"quan": "Quận 5", "count": 2, "sum_so_cho": 85, "avg_gia_ve": 8000.0,
         "min_ngay_mo": "2019-03-20", "max_so_cho": 55, "max_ngay_mo": "2023-02-01",
         "distinct_mai_che": 1},
        {"quan": "Thành phố Thủ Đức", "count": 1, "sum_so_cho": 18, "avg_gia_ve": 5000.0,
         "min_ngay_mo": "2022-11-11", "max_so_cho": 18, "max_ngay_mo": "2022-11-11",
         "distinct_mai_che": 1},
    ]  # fmt: skip
    assert body["next"] is None
    # filtered like records (operators too), sorted by an aggregate, paged by `next`
    first = stops.get(_q(so_cho__gte="25", _group="mai_che", _sum="so_cho", _sort="-sum_so_cho",
                         _limit="1"))  # fmt: skip
    assert first["items"] == [{"mai_che": True, "sum_so_cho": 125}]
    second = stops.get(first["next"][len(stops.url) :])
    assert second["items"] == [{"mai_che": False, "sum_so_cho": 25}] and second["next"] is None
    # no group: one row over the matching rows; _group alone counts
    assert stops.get("?so_cho__lt=30&_count")["items"] == [{"count": 2}]
    assert stops.get(_q(_group="mai_che"))["items"] == [
        {"mai_che": False, "count": 2},
        {"mai_che": True, "count": 3},
    ]


def test_aggregates_export_in_every_format(stops: Api) -> None:
    query = {"_group": "quan", "_sum": "so_cho", "so_cho__gt": "20"}
    _, body, _ = stops.raw(_q(**query, _format="csv"))
    assert body.decode("utf-8-sig").splitlines() == [
        "quan,sum_so_cho",
        "Quận 1,65",
        "Quận 5,85",
    ]
    _, body, _ = stops.raw(_q(**query, _format="xlsx"))
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[0] == ("quan", "sum_so_cho") and [r[0] for r in rows[1:]] == ["Quận 1", "Quận 5"]
    _, body, _ = stops.raw(_q(**query, _format="parquet"))
    assert pq.read_table(io.BytesIO(body)).to_pylist() == [
        {"quan": "Quận 1", "sum_so_cho": 65},
        {"quan": "Quận 5", "sum_so_cho": 85},
    ]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?_sum=quan", ["'quan'", "text"]),
        ("?_avg=ngay_mo", ["'ngay_mo'", "date"]),
        ("?_group=khong_co", ["khong_co"]),
        ("?_group=quan&_fields=quan", ["_fields"]),
        ("?_group=quan&_sort=so_cho", ["'so_cho'"]),
        ("?_group=a,b,c,d,e,f", ["5"]),
        ("?_group=quan&_cursor=eyJvIjo1MDAwMH0", ["50,000"]),
        ("?_groups=quan", ["_groups"]),
    ],
)
def test_aggregates_refuse_what_they_cannot_compute(
    stops: Api, query: str, words: list[str]
) -> None:
    error = stops.get(query, status=400)["error"]
    assert all(w in error["message"] for w in words), error["message"]


def test_facets_count_values_of_the_filtered_rows(stops: Api) -> None:
    body = stops.get(_q(so_cho__gt="20", _facet="quan", _limit="1") + "&_facet=mai_che")
    assert len(body["items"]) == 1 and body["total"] == 4
    assert body["facets"] == [
        {"column": "quan", "type": "text", "more": False,
         "values": [{"value": "Quận 1", "count": 2}, {"value": "Quận 5", "count": 2}]},
        {"column": "mai_che", "type": "boolean", "more": False,
         "values": [{"value": True, "count": 3}, {"value": False, "count": 1}]},
    ]  # fmt: skip
    top = stops.get("?_facet=quan&_facet_size=1")["facets"][0]
    assert top["values"] == [{"value": "Quận 1", "count": 2}] and top["more"] is True
    assert "facets" not in stops.get("?_limit=1")
    for query in ("?_facet=a,b,c,d,e,f", "?_facet=quan&_facet_size=51", "?_facet_size=0",
                  "?_facet=quan&_format=csv", "?_facet=khong_co"):  # fmt: skip
        assert stops.get(query, status=400)["error"]["code"] == "bad_request", query
    # Alone, a valid size is ignored: generated clients send the documented default.
    assert "facets" not in stops.get("?_limit=1&_facet_size=10")


def test_aggregates_and_facets_never_reach_columns_outside_a_grant(services, live_server) -> None:
    table = publish_shared(services, "restricted")
    reader = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, table, actor(services, reader), columns=["ma_ho", "quan"])
    path = f"/api/v1/datasets/{table.name}/resources/{table.resource_id}/records"
    api = Api(live_server.url, path, bearer(services.tokens.create(reader.id, "script")))
    # what the grant holds aggregates and facets like any table
    counts = api.get("?_group=quan&_sort=quan")["items"]
    assert sum(r["count"] for r in counts) == 4 and {"quan", "count"} == set(counts[0])
    assert api.get("?_facet=quan&_limit=1")["facets"][0]["column"] == "quan"
    for query in (
        "?_group=ho_ten",
        "?_distinct=so_dien_thoai",
        "?_max=so_dien_thoai",
        "?_sum=so_nguoi",
        "?_count&so_dien_thoai__startswith=09",
        "?_count&so_nguoi__gt=1",
        "?_facet=ho_ten",
        "?_count&_q=Uy%C3%AAn",
    ):
        body = api.get(query, status=400)
        assert "items" not in body and "facets" not in body, query
        assert not [v for v in table.agency_values if v in json.dumps(body, ensure_ascii=False)]
    # an anonymous caller learns nothing, not even a count
    anonymous = Api(live_server.url, path)
    assert anonymous.get("?_count", status=404)["error"]["code"] == "not_found"
    assert anonymous.get("?_facet=quan", status=404)["error"]["code"] == "not_found"
