"""Rows of datasets at non-public levels: the records API and CKAN's datastore (issue 18).

Each caller reads the projection their access allows from the shared datastore, narrowed
to their grant's columns and logged; anyone else gets 404 (anonymous) or 403, never rows;
the SQL endpoint never reaches a shared table.
"""

from __future__ import annotations

import pytest

from datasets.datastore import DatastoreError, UnknownResource
from publishers import Role
from tests.app.api.conftest import bearer
from tests.factories import actor, make_org, make_user
from tests.shared_tables import (
    AGENCY_COLUMNS,
    PUBLIC_COLUMNS,
    SharedTable,
    expire,
    grant,
    publish_shared,
)


def _token(services, user) -> dict[str, str]:
    return bearer(services.tokens.create(user.id, "script"))


def _records(client, table: SharedTable, headers=None, query: str = ""):
    url = f"/api/v1/datasets/{table.name}/resources/{table.resource_id}/records{query}"
    return client.get(url, headers=headers or {})


def _log(services, table: SharedTable) -> list[tuple[str, int | None, str | None]]:
    entries = services.sharing.access_log(table.steward, table.name, limit=100, offset=0)
    return sorted((e.surface, e.rows, e.projection) for e in entries)


@pytest.fixture
def restricted(services) -> SharedTable:
    return publish_shared(services, "restricted")


def test_a_grant_holder_reads_the_agency_projection(client, services, restricted) -> None:
    reader = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, restricted, actor(services, reader))
    headers = _token(services, reader)

    body = _records(client, restricted, headers).get_json()
    assert [f["name"] for f in body["fields"]] == AGENCY_COLUMNS
    assert body["total"] == 4
    names = [r["ho_ten"] for r in body["items"]]
    assert "Lạc Thị Diệu Uyên" in names
    phones = [r["so_dien_thoai"] for r in body["items"]]
    assert all(p.endswith(("721", "732", "743", "754")) for p in phones)
    assert "0903 417 721" not in phones  # masked, not the original
    assert sorted(v for r in body["items"] for v in (r["ho_ten"], r["so_dien_thoai"])) == sorted(
        restricted.agency_values
    )
    # Filters and sort work as on public tables.
    page = _records(client, restricted, headers, "?quan=Quận 3&_sort=-so_nguoi").get_json()
    assert [r["ma_ho"] for r in page["items"]] == ["HD58304", "HD58302"]
    csv_body = _records(client, restricted, headers, "?_format=csv").get_data(as_text=True)
    assert "Tôn Nữ Ngọc Nhạn" in csv_body and csv_body.lstrip("\ufeff").startswith("ma_ho,ho_ten")

    assert _log(services, restricted) == [
        ("records", 2, "agency"),
        ("records", 4, "agency"),
        ("records", 4, "agency"),
    ]


def test_callers_without_access_get_no_rows(client, services, restricted) -> None:
    account = make_user(services)  # a registered account
    other_staff = make_user(services, make_org(services), Role.STEWARD)
    expired = make_user(services, make_org(services), Role.PUBLISHER)
    expire(services, grant(services, restricted, actor(services, expired)))
    callers = {
        "anonymous": ({}, 404),
        "registered": (_token(services, account), 403),
        "other agency": (_token(services, other_staff), 403),
        "expired grant": (_token(services, expired), 403),
    }
    for who, (headers, status) in callers.items():
        for query in ("", "?_format=csv", "?_format=xlsx", "?ho_ten=Lạc Thị Diệu Uyên"):
            response = _records(client, restricted, headers, query)
            assert response.status_code == status, (who, query, response.status_code)
            text = response.get_data(as_text=True)
            assert not [v for v in restricted.agency_values if v in text], (who, query)
            assert "items" not in (response.get_json() or {})
    assert _log(services, restricted) == []


def test_a_grant_limited_to_columns_never_returns_the_others(client, services, restricted) -> None:
    reader = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, restricted, actor(services, reader), columns=["ma_ho", "ho_ten"])
    headers = _token(services, reader)

    body = _records(client, restricted, headers).get_json()
    assert [f["name"] for f in body["fields"]] == ["ma_ho", "ho_ten"]
    assert {k for r in body["items"] for k in r} == {"ma_ho", "ho_ten"}
    export = _records(client, restricted, headers, "?_format=csv").get_data(as_text=True)
    assert export.lstrip("\ufeff").splitlines()[0] == "ma_ho,ho_ten" and "0903" not in export
    # A column outside the grant is unknown wherever it is named; so is full-text search.
    for query in (
        "?_fields=so_dien_thoai",
        "?so_dien_thoai=*********721",
        "?_sort=so_dien_thoai",
        "?quan=Quận 1",
        "?_q=Uyên",
    ):
        response = _records(client, restricted, headers, query)
        assert response.status_code == 400, (query, response.get_json())
        assert "items" not in response.get_json()


def test_a_registered_dataset_is_read_by_accounts_only(client, services) -> None:
    table = publish_shared(services, "registered", title="Doanh nghiệp đã đăng ký")
    account = make_user(services)
    assert _records(client, table).status_code == 404

    body = _records(client, table, _token(services, account)).get_json()
    assert [f["name"] for f in body["fields"]] == PUBLIC_COLUMNS  # the public projection
    assert sorted(r["quan"] for r in body["items"]) == ["Quận 1", "Quận 3", "Quận 3", "Quận 5"]
    text = str(body)
    assert not [v for v in table.agency_values if v in text]
    assert _log(services, table) == [("records", 4, "public")]


def test_ckan_datastore_search_reads_the_callers_projection(client, services, restricted) -> None:
    reader = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, restricted, actor(services, reader))
    outsider = make_user(services, make_org(services), Role.STEWARD)
    url = f"/api/3/action/datastore_search?resource_id={restricted.resource_id}"

    anonymous = client.get(url)
    assert anonymous.status_code == 404
    assert anonymous.get_json()["error"]["__type"] == "Not Found Error"
    refused = client.get(url, headers=_token(services, outsider))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["__type"] == "Authorization Error"

    body = client.get(url + "&sort=ma_ho desc", headers=_token(services, reader)).get_json()
    assert body["success"] is True
    result = body["result"]
    assert [f["id"] for f in result["fields"]] == AGENCY_COLUMNS
    assert [r["ma_ho"] for r in result["records"]] == ["HD58304", "HD58303", "HD58302", "HD58301"]
    assert result["records"][0]["ho_ten"] == "Âu Dương Minh Khuê"
    assert _log(services, restricted) == [("ckan-datastore", 4, "agency")]


def test_the_sql_endpoint_never_reaches_a_shared_table(client, services, restricted) -> None:
    reader = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, restricted, actor(services, reader))
    rid = restricted.resource_id
    assert services.shared_datastore.info(rid).row_count == 4  # the table exists, shared
    with pytest.raises(UnknownResource):
        services.datastore.info(rid)  # and is not in the public datastore

    for headers in ({}, _token(services, reader)):
        for sql in (f'SELECT * FROM "{rid}"', f'SELECT ho_ten FROM "{rid.upper()}"'):
            response = client.get(
                "/api/3/action/datastore_search_sql", query_string={"sql": sql}, headers=headers
            )
            assert response.status_code in (403, 409), response.get_json()
            assert response.get_json()["success"] is False
            assert "Lạc" not in response.get_data(as_text=True)
    # Below the endpoint's check too: the public datastore's reader cannot reach the shared
    # table however it is named (its own file on SQLite, another schema and role on PostgreSQL).
    for sql in (f'SELECT * FROM "{rid}"', f'SELECT * FROM datastore_shared."{rid}"'):
        with pytest.raises(DatastoreError) as raised:
            services.datastore.search_sql(sql, timeout_ms=2000, max_rows=10)
        assert "Lạc" not in str(raised.value)


def test_withdrawal_drops_the_shared_table(services, restricted) -> None:
    assert services.shared_datastore.info(restricted.resource_id).row_count == 4
    services.workflow.withdraw(restricted.steward, restricted.name, "Hết hạn chia sẻ")
    with pytest.raises(UnknownResource):
        services.shared_datastore.info(restricted.resource_id)


def _change_level(services, table: SharedTable, level: str) -> None:
    from datasets.metadata_input import DatasetMetadata

    services.editor.update_metadata(
        table.publisher,
        table.name,
        DatasetMetadata(title_vi="Hộ dân được hỗ trợ", access_level=level),
        expected_version=None,
    )
    services.workflow.submit(table.publisher, table.name)
    services.workflow.approve(table.steward, table.name)


def test_a_level_change_moves_the_table_between_datastores(client, services, restricted) -> None:
    rid = restricted.resource_id
    _change_level(services, restricted, "registered")  # the shared table: the public file now
    assert [f.name for f in services.shared_datastore.info(rid).fields] == PUBLIC_COLUMNS
    _change_level(services, restricted, "public")  # public: the SQL endpoint may read it
    with pytest.raises(UnknownResource):
        services.shared_datastore.info(rid)
    response = client.get(
        "/api/3/action/datastore_search_sql", query_string={"sql": f'SELECT * FROM "{rid}"'}
    )
    records = response.get_json()["result"]["records"]
    assert sorted(k for k in records[0] if not k.startswith("_")) == sorted(PUBLIC_COLUMNS)
    _change_level(services, restricted, "catalog-only")  # loaded nowhere
    for store in (services.datastore, services.shared_datastore):
        with pytest.raises(UnknownResource):
            store.info(rid)


def test_revocation_and_expiry_take_effect_on_the_next_read(client, services, restricted) -> None:
    revoked = make_user(services, make_org(services), Role.PUBLISHER)
    expiring = make_user(services, make_org(services), Role.PUBLISHER)
    revoked_grant = grant(services, restricted, actor(services, revoked))
    expiring_grant = grant(services, restricted, actor(services, expiring))
    ckan = f"/api/3/action/datastore_search?resource_id={restricted.resource_id}"
    for user in (revoked, expiring):
        headers = _token(services, user)
        assert _records(client, restricted, headers).get_json()["total"] == 4
        assert client.get(ckan, headers=headers).get_json()["result"]["total"] == 4

    services.sharing.revoke(restricted.steward, revoked_grant)
    expire(services, expiring_grant)
    for user in (revoked, expiring):
        headers = _token(services, user)  # the same token and the same session as before
        assert _records(client, restricted, headers).status_code == 403
        assert client.get(ckan, headers=headers).status_code == 403
    assert len(_log(services, restricted)) == 4  # the four reads made while granted
