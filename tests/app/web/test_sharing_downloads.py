"""Downloads serve the caller's projection (issue 18): nothing without access (403 with how
to get access), the agency file to the owners and grant holders, narrowed to a grant's
columns, and every non-public read in the access log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.app.web.sharing_fixtures import PHONE, publish_restricted
from tests.factories import PASSWORD, make_org, make_user


@pytest.fixture(autouse=True)
def english(client) -> None:
    """The pages in English (the portal's default is Vietnamese)."""
    client.get("/lang/en")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _url(shared, filename: str = "data.csv") -> str:
    return f"/dataset/{shared.name}/resource/{shared.resource_id}/download/{filename}"


def _grant(services, shared, columns=None, days: int = 30):
    request = services.sharing.request_access(
        shared.business,
        shared.name,
        purpose="Đối chiếu hồ sơ hỗ trợ",
        columns=columns,
    )
    return services.sharing.approve(
        shared.steward, request.id, expires=datetime.now(UTC) + timedelta(days=days)
    )


def test_without_access_the_download_is_refused_with_how_to_get_access(
    services, client, auth
) -> None:
    shared = publish_restricted(services)
    anonymous = client.get(_url(shared))
    assert anonymous.status_code == 403
    text = anonymous.get_data(as_text=True)
    assert PHONE not in text and "Nguyễn Văn An" not in text
    assert "Sign in to get access" in text and "Gửi yêu cầu kèm văn bản pháp lý." in text
    auth.login(shared.business_info.name, PASSWORD)
    signed_in = client.get(_url(shared, "data.xlsx"))
    assert signed_in.status_code == 403
    assert "Request access" in signed_in.get_data(as_text=True)
    assert PHONE not in signed_in.get_data(as_text=True)
    with services.sessions() as session:
        from datasets.sharing_model import AccessLogEntry

        assert session.query(AccessLogEntry).count() == 0


def test_owners_download_the_agency_file_and_the_read_is_logged(services, client, auth) -> None:
    shared = publish_restricted(services)
    auth.login(shared.steward_info.name, PASSWORD)
    response = client.get(_url(shared))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = _csv(response)
    assert rows[0] == ["ma_ho", "ho_ten", "so_dien_thoai", "quan_huyen"]
    assert rows[1][2] == PHONE
    log = services.sharing.access_log(shared.steward, shared.name)
    assert [(e.surface, e.projection, e.rows, e.resource_id) for e in log] == [
        ("download", "agency", 4, shared.resource_id)
    ]


def test_a_grant_limited_to_columns_narrows_the_file_and_its_conversions(
    services, client, auth
) -> None:
    shared = publish_restricted(services)
    grant = _grant(services, shared, columns=["ma_ho", "so_dien_thoai"])
    auth.login(shared.business_info.name, PASSWORD)
    rows = _csv(client.get(_url(shared)))
    assert rows == [
        ["ma_ho", "so_dien_thoai"],
        ["H001", PHONE],
        ["H002", "0912345678"],
        ["H003", "0987654321"],
        ["H004", "0933221100"],
    ]
    as_json = json.loads(client.get(_url(shared, "data.json")).get_data())
    assert list(as_json[0]) == ["ma_ho", "so_dien_thoai"] and as_json[0]["ma_ho"] == "H001"
    xlsx = client.get(_url(shared, "data.xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [c.value for c in next(sheet.iter_rows())] == ["ma_ho", "so_dien_thoai"]
    log = services.sharing.access_log(shared.steward, shared.name)
    assert len(log) == 3 and {e.grant_id for e in log} == {grant.id}
    assert {e.user for e in log} == {shared.business_info.name}


def test_an_expired_or_revoked_grant_stops_the_download_at_once(services, client, auth) -> None:
    shared = publish_restricted(services)
    grant = _grant(services, shared)
    auth.login(shared.business_info.name, PASSWORD)
    assert _csv(client.get(_url(shared)))[1][2] == PHONE
    services.sharing.revoke(shared.steward, grant.id)
    refused = client.get(_url(shared))
    assert refused.status_code == 403 and PHONE not in refused.get_data(as_text=True)


def test_agencies_level_serves_staff_of_any_organization_and_not_a_business(
    services, client, auth
) -> None:
    shared = publish_restricted(services, level="agencies")
    other = make_user(services, make_org(services), role=None)
    auth.login(other.name, PASSWORD)  # an account in no organization: not staff
    assert client.get(_url(shared)).status_code == 403
    auth.logout()
    from publishers import Role

    staff = make_user(services, make_org(services), Role.PUBLISHER)
    auth.login(staff.name, PASSWORD)
    assert _csv(client.get(_url(shared)))[1][2] == PHONE


def test_registered_level_serves_the_public_file_to_accounts_only(services, client, auth) -> None:
    shared = publish_restricted(services, level="registered")
    assert client.get(_url(shared)).status_code == 403
    auth.login(shared.business_info.name, PASSWORD)
    response = client.get(_url(shared))
    rows = _csv(response)
    assert "so_dien_thoai" not in rows[0] and rows[1][0] == "H001"
    assert PHONE not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    log = services.sharing.access_log(shared.steward, shared.name)
    assert [(e.projection, e.user) for e in log] == [("public", shared.business_info.name)]


def test_catalog_only_serves_nobody(services, client, auth) -> None:
    shared = publish_restricted(services, level="catalog-only")
    auth.login(shared.steward_info.name, PASSWORD)
    refused = client.get(_url(shared))
    assert refused.status_code == 403
    assert "not available through the portal" in refused.get_data(as_text=True)
