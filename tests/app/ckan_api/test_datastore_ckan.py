"""``datastore_search`` as CKAN clients use it: ``_id``, ``full_text``, tsv, NULL order,
a clamped ``limit`` and ``_links`` that keep a POST's filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from datasets.datastore import MAX_LIMIT
from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import publish_sample

# so_cho is empty on two rows (NULL in the datastore)
WITH_GAPS = (
    "ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n"
    "T001,Trạm Bến Thành,Quận 1,10.7722,106.6980,40\n"
    "T002,Trạm Đường Nguyễn Huệ,Quận 1,10.7740,106.7035,\n"
    "T003,Trạm Chợ Lớn,Quận 5,10.7520,106.6600,30\n"
    "T004,Trạm Thảo Điền,Thành phố Thủ Đức,10.8030,106.7330,\n"
).encode()


def test_the_id_column_in_fields_sort_and_filters(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    rid = portal.resource_id
    everything = ckan.action.datastore_search(resource_id=rid, sort="_id")
    assert everything["fields"][0] == {"id": "_id", "type": "int"}
    ids = [r["_id"] for r in everything["records"]]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert [r["ma_tram"] for r in everything["records"]] == ["T001", "T002", "T003", "T004"]
    last = ckan.action.datastore_search(
        resource_id=rid, fields=["_id", "ma_tram"], sort="_id desc", limit=1
    )
    assert last["records"] == [{"_id": ids[-1], "ma_tram": "T004"}]
    picked = ckan.action.datastore_search(resource_id=rid, filters={"_id": ids[1]})
    assert [r["ma_tram"] for r in picked["records"]] == ["T002"] and picked["total"] == 1
    named = ckan.action.datastore_search(resource_id=rid, fields=["ma_tram"], limit=1)
    assert named["fields"] == [{"id": "ma_tram", "type": "text"}]  # no _id unless named


def test_full_text_tsv_and_a_clamped_limit(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    rid = portal.resource_id
    found = ckan.action.datastore_search(resource_id=rid, full_text="cho lon")
    assert [r["ma_tram"] for r in found["records"]] == ["T003"]
    both = ckan.action.datastore_search(resource_id=rid, q="tram", full_text="thao dien")
    assert [r["ma_tram"] for r in both["records"]] == ["T004"]
    tsv = ckan.action.datastore_search(
        resource_id=rid, fields=["ma_tram", "ten_tram"], sort="ma_tram", records_format="tsv"
    )
    assert tsv["records"].splitlines()[:2] == [
        "T001\tTrạm Bến Thành",
        "T002\tTrạm Đường Nguyễn Huệ",
    ]
    clamped = ckan.action.datastore_search(resource_id=rid, limit=MAX_LIMIT * 10)
    assert clamped["limit"] == MAX_LIMIT and len(clamped["records"]) == 4


def test_sort_with_nulls_first_and_last(portal: CkanPortal) -> None:
    _dataset, rid, _p, _s = publish_sample(portal.services, "Trạm thiếu số chỗ", WITH_GAPS)
    ckan = portal.anonymous

    def order(sort: str, **more: object) -> list[str]:
        found = ckan.action.datastore_search(resource_id=rid, sort=sort, **more)
        return [r["ma_tram"] for r in found["records"]]

    assert order("so_cho asc") == ["T002", "T004", "T003", "T001"]  # NULLs first by default
    assert order("so_cho asc nulls last, ma_tram") == ["T003", "T001", "T002", "T004"]
    assert order("so_cho desc nulls first, ma_tram") == ["T002", "T004", "T001", "T003"]
    assert order("so_cho desc nulls last, ma_tram") == ["T001", "T003", "T002", "T004"]
    assert order("so_cho nulls last, ma_tram", limit=2, offset=2) == ["T002", "T004"]
    refused = requests.get(
        f"{portal.server.url}/api/3/action/datastore_search",
        params={"resource_id": rid, "sort": "so_cho asc nulls middle"},
        timeout=10,
    )
    assert refused.status_code == 409
    message = refused.json()["error"]["sort"][0]
    assert "nulls first" in message and "nulls last" in message


def test_links_keep_every_filter_of_a_post(portal: CkanPortal) -> None:
    url = f"{portal.server.url}/api/3/action/datastore_search"
    body = {
        "resource_id": portal.resource_id,
        "filters": {"quan_huyen": ["Quận 1", "Quận 5"]},
        "sort": "ma_tram",
        "limit": 1,
        "include_total": True,
    }
    posted = requests.post(url, json=body, timeout=10).json()["result"]
    assert [r["ma_tram"] for r in posted["records"]] == ["T001"] and posted["total"] == 3
    next_link = posted["_links"]["next"]
    query = parse_qs(urlsplit(next_link).query)
    assert query["offset"] == ["1"] and query["sort"] == ["ma_tram"]
    # following the link by GET gives the next page of the same filtered rows
    following = requests.get(f"{portal.server.url}{next_link}", timeout=10).json()["result"]
    assert [r["ma_tram"] for r in following["records"]] == ["T002"]
    assert following["total"] == 3
    after = requests.get(f"{portal.server.url}{following['_links']['next']}", timeout=10).json()[
        "result"
    ]
    assert [r["ma_tram"] for r in after["records"]] == ["T003"]
