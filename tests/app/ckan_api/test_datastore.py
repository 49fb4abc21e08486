"""datastore_search and datastore_search_sql over published tables only."""

from __future__ import annotations

import io

import ckanapi
import pytest
import requests

from datasets.datastore import UnknownResource
from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import SAMPLE_CSV, make_dataset, upload_bytes


def test_datastore_search_filters_sorts_and_pages_vietnamese_rows(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    rid = portal.resource_id
    district_1 = ckan.action.datastore_search(
        resource_id=rid, filters={"quan_huyen": "Quận 1"}, sort="so_cho desc"
    )
    assert district_1["total"] == 2
    assert [r["ten_tram"] for r in district_1["records"]] == [
        "Trạm Bến Thành",
        "Trạm Đường Nguyễn Huệ",
    ]
    assert {"id": "so_cho", "type": "int"} in district_1["fields"]
    unaccented = ckan.action.datastore_search(resource_id=rid, q="thao dien")
    assert [r["ma_tram"] for r in unaccented["records"]] == ["T004"]
    page = ckan.action.datastore_search(
        resource_id=rid, fields=["ma_tram"], sort="ma_tram", limit=2, offset=2
    )
    assert page["records"] == [{"ma_tram": "T003"}, {"ma_tram": "T004"}] and page["total"] == 4
    lists = ckan.action.datastore_search(
        resource_id=rid, fields="ma_tram,so_cho", sort="so_cho", records_format="lists", limit=1
    )
    assert lists["records"] == [["T004", 18]]
    as_csv = ckan.action.datastore_search(
        resource_id=rid, fields=["ten_tram"], sort="ma_tram", records_format="csv", limit=2
    )
    assert as_csv["records"] == "Trạm Bến Thành\nTrạm Đường Nguyễn Huệ\n"
    distinct = ckan.action.datastore_search(
        resource_id=rid, fields=["quan_huyen"], distinct=True, sort="quan_huyen"
    )
    assert [r["quan_huyen"] for r in distinct["records"]] == [
        "Quận 1",
        "Quận 5",
        "Thành phố Thủ Đức",
    ]
    no_total = ckan.action.datastore_search(resource_id=rid, include_total=False, limit=1)
    assert "total" not in no_total and len(no_total["records"]) == 1
    by_get = requests.get(
        f"{portal.server.url}/api/3/action/datastore_search",
        params={"resource_id": rid, "filters": '{"ma_tram": ["T001", "T003"]}', "sort": "ma_tram"},
        timeout=10,
    ).json()["result"]
    assert [r["ma_tram"] for r in by_get["records"]] == ["T001", "T003"]


def test_sql_injection_in_datastore_search_is_harmless(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    rid = portal.resource_id
    injected = ckan.action.datastore_search(resource_id=rid, filters={"quan_huyen": "x' OR '1'='1"})
    assert injected["records"] == [] and injected["total"] == 0
    for bad in (
        {"sort": 'so_cho; DROP TABLE "x"'},
        {"fields": ['ma_tram" FROM users --']},
        {"filters": {"1=1 OR ma_tram": "T001"}},
    ):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id=rid, **bad)
    assert ckan.action.datastore_search(resource_id=rid)["total"] == 4  # table intact


def test_datastore_search_answers_only_published_resources(portal: CkanPortal) -> None:
    svc = portal.services
    org_id = portal.anonymous.action.package_show(id=portal.dataset.name)["owner_org"]
    draft = make_dataset(svc, portal.publisher, svc.accounts.get_organization(org_id))
    draft_resource = upload_bytes(svc, portal.publisher, draft.name, SAMPLE_CSV)
    for client in (portal.anonymous, portal.as_publisher):
        with pytest.raises(ckanapi.NotFound):
            client.action.datastore_search(resource_id=draft_resource)
        with pytest.raises(ckanapi.NotFound):
            client.action.datastore_search(resource_id="00000000-0000-0000-0000-000000000000")


def test_datastore_search_sql_reads_public_tables(portal: CkanPortal) -> None:
    result = portal.anonymous.action.datastore_search_sql(
        sql=f'SELECT ten_tram, so_cho FROM "{portal.resource_id}" '
        "WHERE so_cho >= 30 ORDER BY so_cho"
    )
    assert result["records"] == [
        {"ten_tram": "Trạm Chợ Lớn", "so_cho": 30},
        {"ten_tram": "Trạm Bến Thành", "so_cho": 40},
    ]
    assert result["records_truncated"] is False


@pytest.mark.parametrize(
    "sql",
    [
        'DELETE FROM "{rid}"',
        'DROP TABLE "{rid}"',
        "INSERT INTO \"{rid}\" (ma_tram) VALUES ('X')",
        'UPDATE "{rid}" SET so_cho = 0',
        'SELECT 1; DELETE FROM "{rid}"',
        "ATTACH DATABASE '/tmp/x.sqlite3' AS x",
        "PRAGMA table_info(users)",
        "SELECT * FROM users",
        "SELECT * FROM api_tokens",
        "SELECT * FROM datasets",
    ],
)
def test_datastore_search_sql_refuses_anything_but_reading_public_tables(
    portal: CkanPortal, sql: str
) -> None:
    with pytest.raises((ckanapi.ValidationError, ckanapi.NotAuthorized)) as caught:
        portal.anonymous.action.datastore_search_sql(sql=sql.format(rid=portal.resource_id))
    assert caught.value.args  # a clear error, not a server error
    assert portal.anonymous.action.datastore_search(resource_id=portal.resource_id)["total"] == 4


def test_withdrawn_table_leaves_the_datastore_and_sql_refuses_it(portal: CkanPortal) -> None:
    rid = portal.resource_id
    portal.as_steward.action.package_delete(id=portal.dataset.name, reason="Sai số liệu")
    with pytest.raises(UnknownResource):
        portal.services.datastore.info(rid)  # dropped once the withdrawal committed
    for sql in (f'SELECT * FROM "{rid}"', f'SELECT * FROM "{rid.upper()}"'):
        answer = requests.post(
            f"{portal.server.url}/api/action/datastore_search_sql", json={"sql": sql}, timeout=10
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["__type"] == "Authorization Error"
        assert "Trạm" not in answer.text
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.datastore_search(resource_id=rid)
    # republishing loads it again
    portal.as_steward.action.package_patch(id=portal.dataset.name, state="active")
    assert portal.anonymous.action.datastore_search(resource_id=rid)["total"] == 4


def test_resource_removed_by_a_revision_leaves_the_datastore(portal: CkanPortal) -> None:
    name = portal.dataset.name
    portal.as_steward.action.resource_create(
        package_id=name, upload=("moi.csv", io.BytesIO(SAMPLE_CSV))
    )
    kept = [
        r
        for r in portal.as_steward.action.package_show(id=name)["resources"]
        if r["name"] == "moi.csv"
    ]
    portal.as_steward.action.package_patch(id=name, resources=kept, state="active")
    public = portal.anonymous.action.package_show(id=name)
    assert [r["name"] for r in public["resources"]] == ["moi.csv"]
    with pytest.raises(UnknownResource):
        portal.services.datastore.info(portal.resource_id)
    assert portal.anonymous.action.datastore_search(resource_id=kept[0]["id"])["total"] == 4
