"""The pages of shared data (issue 18): the dataset page's access section and request form,
``/user/access``, the organization's sharing page (approve, refuse, revoke, the log and its
export) and the manage page's access level and agency decisions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.app.web.sharing_fixtures import PHONE, publish_restricted
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_dataset, make_org, make_user


@pytest.fixture(autouse=True)
def english(client) -> None:
    """The pages in English (the portal's default is Vietnamese)."""
    client.get("/lang/en")


def _post(client, path: str, data: dict, form_page: str):
    token = csrf_from(client, form_page)
    return client.post(path, data={"csrf_token": token, **data})


def test_the_dataset_page_states_the_level_and_how_to_get_access(services, client, auth) -> None:
    shared = publish_restricted(services)
    page = client.get(f"/dataset/{shared.name}").get_data(as_text=True)
    assert "Restricted" in page and "Gửi yêu cầu kèm văn bản pháp lý." in page
    assert "Sign in to get access" in page
    assert "The files of this dataset are not public" in page
    assert PHONE not in page and "Nguyễn Văn An" not in page
    auth.login(shared.business_info.name, PASSWORD)
    page = client.get(f"/dataset/{shared.name}").get_data(as_text=True)
    assert f"/dataset/{shared.name}/request-access" in page and PHONE not in page
    auth.logout()
    auth.login(shared.steward_info.name, PASSWORD)
    page = client.get(f"/dataset/{shared.name}").get_data(as_text=True)
    assert "You read the agencies' version of this data." in page
    assert f"/resource/{shared.resource_id}/download/data.csv" in page
    assert f"<td>{PHONE}</td>" in page  # the preview of the agencies' version
    log = services.sharing.access_log(shared.steward, shared.name)
    assert [(e.surface, e.projection, e.rows) for e in log] == [("page", "agency", 4)]


def test_vietnamese_dataset_page_says_the_level_in_vietnamese(services, client) -> None:
    shared = publish_restricted(services, level="catalog-only")
    client.get("/lang/vi")
    page = client.get(f"/dataset/{shared.name}")
    text = page.get_data(as_text=True)
    assert "Chỉ danh mục" in text and "Liên hệ đơn vị công bố" in text


def test_a_request_is_checked_then_recorded_and_listed_for_the_requester(
    services, client, auth
) -> None:
    shared = publish_restricted(services)
    auth.login(shared.business_info.name, PASSWORD)
    form_page = f"/dataset/{shared.name}/request-access"
    page = client.get(form_page).get_data(as_text=True)
    for column in ("ma_ho", "ho_ten", "so_dien_thoai", "quan_huyen"):
        assert f'value="{column}"' in page
    past = (date.today() - timedelta(days=1)).isoformat()
    bad = _post(client, form_page, {"purpose": " ", "until": past}, form_page)
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "This field is required." in text and "Choose a date in the future." in text
    until = (date.today() + timedelta(days=60)).isoformat()
    sent = _post(
        client,
        form_page,
        {
            "purpose": "Đối chiếu hồ sơ hỗ trợ",
            "legal_basis": "Nghị định 13/2023/NĐ-CP",
            "columns": ["ma_ho", "so_dien_thoai"],
            "until": until,
        },
        form_page,
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/user/access")
    mine = client.get("/user/access").get_data(as_text=True)
    assert shared.name in mine and "Đối chiếu hồ sơ hỗ trợ" in mine
    assert "waiting for an answer" in mine and "<code>so_dien_thoai</code>" in mine
    again = _post(client, form_page, {"purpose": "Lần nữa"}, form_page)
    assert "You already asked for this dataset" in again.get_data(as_text=True)


def _request(services, shared, columns=None):
    return services.sharing.request_access(
        shared.business, shared.name, purpose="Đối chiếu hồ sơ hỗ trợ", columns=columns
    )


def test_stewards_approve_with_fewer_columns_and_the_requester_sees_the_grant(
    services, client, auth
) -> None:
    shared = publish_restricted(services)
    request = _request(services, shared, ["ma_ho", "ho_ten", "so_dien_thoai"])
    auth.login(shared.steward_info.name, PASSWORD)
    sharing = f"/organization/{shared.org.name}/sharing"
    page = client.get(sharing).get_data(as_text=True)
    assert "Đối chiếu hồ sơ hỗ trợ" in page and shared.business_info.name in page
    approve = f"{sharing}/requests/{request.id}/approve"
    no_date = _post(client, approve, {"columns": ["ma_ho"]}, sharing)
    assert no_date.status_code == 303
    assert "Give the date the grant ends." in client.get(no_date.headers["Location"]).get_data(
        as_text=True
    )
    until = (date.today() + timedelta(days=90)).isoformat()
    none_checked = _post(client, approve, {"expires": until}, sharing)
    assert "Grant at least one column, or refuse the request." in client.get(
        none_checked.headers["Location"]
    ).get_data(as_text=True)
    assert services.sharing.grants(shared.steward, organization_id=shared.org.id) == []
    done = _post(
        client, approve, {"expires": until, "columns": ["ma_ho", "so_dien_thoai"]}, sharing
    )
    assert done.status_code == 303
    page = client.get(sharing).get_data(as_text=True)
    assert "No request is waiting." in page and "active" in page
    [grant] = services.sharing.grants(shared.steward, organization_id=shared.org.id)
    assert grant.columns == ("ma_ho", "so_dien_thoai")
    assert grant.expires.date().isoformat() == until
    auth.logout()
    auth.login(shared.business_info.name, PASSWORD)
    mine = client.get("/user/access").get_data(as_text=True)
    assert "approved" in mine and "<code>ma_ho</code>, <code>so_dien_thoai</code>" in mine


def test_stewards_refuse_with_a_reason_the_requester_reads(services, client, auth) -> None:
    shared = publish_restricted(services)
    request = _request(services, shared)
    auth.login(shared.steward_info.name, PASSWORD)
    sharing = f"/organization/{shared.org.name}/sharing"
    refuse = f"{sharing}/requests/{request.id}/refuse"
    empty = _post(client, refuse, {"reason": ""}, sharing)
    page = client.get(empty.headers["Location"]).get_data(as_text=True)
    assert "Give the reason for refusing" in page
    _post(client, refuse, {"reason": "Thiếu căn cứ pháp lý."}, sharing)
    auth.logout()
    auth.login(shared.business_info.name, PASSWORD)
    mine = client.get("/user/access").get_data(as_text=True)
    assert "refused" in mine and "Thiếu căn cứ pháp lý." in mine


def test_revoke_the_log_and_its_csv_export(services, client, auth) -> None:
    shared = publish_restricted(services)
    request = _request(services, shared)
    grant = services.sharing.approve(
        shared.steward, request.id, expires=datetime.now(UTC) + timedelta(days=5)
    )
    auth.login(shared.business_info.name, PASSWORD)
    download = f"/dataset/{shared.name}/resource/{shared.resource_id}/download/data.csv"
    assert PHONE in client.get(download).get_data(as_text=True)
    auth.logout()
    auth.login(shared.steward_info.name, PASSWORD)
    sharing = f"/organization/{shared.org.name}/sharing"
    page = client.get(sharing).get_data(as_text=True)
    assert "download" in page and shared.business_info.name in page and PHONE not in page
    export = client.get(f"{sharing}/access-log.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [(r["dataset"], r["user"], r["surface"], r["rows"]) for r in rows] == [
        (shared.name, shared.business_info.name, "download", "4")
    ]
    assert rows[0]["grant_id"] == grant.id
    _post(client, f"{sharing}/grants/{grant.id}/revoke", {}, sharing)
    assert "revoked on" in client.get(sharing).get_data(as_text=True)
    auth.logout()
    auth.login(shared.business_info.name, PASSWORD)
    assert client.get(download).status_code == 403


def test_the_sharing_page_is_for_the_organizations_stewards_only(services, client, auth) -> None:
    shared = publish_restricted(services)
    sharing = f"/organization/{shared.org.name}/sharing"
    assert client.get(sharing).status_code == 302  # sign in first
    auth.login(shared.business_info.name, PASSWORD)
    assert client.get(sharing).status_code == 403
    assert client.get(f"{sharing}/access-log.csv").status_code == 403
    auth.logout()
    auth.login(shared.steward_info.name, PASSWORD)
    org_page = client.get(f"/organization/{shared.org.name}").get_data(as_text=True)
    assert sharing in org_page
    assert "/user/access" in client.get("/user/account").get_data(as_text=True)


def test_manage_page_sets_the_level_and_shows_agency_decisions_for_agency_levels(
    services, client, auth
) -> None:
    org = make_org(services)
    from publishers import Role
    from tests.factories import actor

    steward_info = make_user(services, org, Role.STEWARD)
    steward = actor(services, steward_info)
    name = make_dataset(services, steward, org).name
    auth.login(steward_info.name, PASSWORD)
    edit = f"/dataset/edit/{name}"
    page = client.get(edit).get_data(as_text=True)
    assert '<option value="catalog-only"' in page and "Government agencies" in page
    saved = _post(
        client,
        edit,
        {
            "title_vi": "Hộ dân",
            "access_level": "restricted",
            "access_instructions": "Gửi công văn.",
        },
        edit,
    )
    assert saved.status_code == 302
    page = client.get(edit).get_data(as_text=True)
    assert '<option value="restricted" selected>' in page and "Gửi công văn." in page
    wrong = _post(client, edit, {"title_vi": "Hộ dân", "access_level": "secret"}, edit)
    assert "Choose an access level from the list." in wrong.get_data(as_text=True)


def test_the_agency_decisions_form_records_them(services, client, auth) -> None:
    shared = publish_restricted(services)
    auth.login(shared.steward_info.name, PASSWORD)
    manage = f"/dataset/{shared.name}/manage"
    page = client.get(manage).get_data(as_text=True)
    assert "Personal data in the agencies' version" in page
    action = f"/dataset/{shared.name}/resource/{shared.resource_id}/agency-decisions"
    assert action in page
    with services.sessions() as session:
        from datasets.members import member_dataset

        resource = member_dataset(session, shared.steward, shared.name).resource(shared.resource_id)
    data: dict[str, object] = {"column": [f.column for f in resource.column_findings]}
    for f in resource.column_findings:
        data[f"action-{f.column}"] = "mask" if f.column == "so_dien_thoai" else "drop"
    assert _post(client, action, data, manage).status_code in (302, 303)
    with services.sessions() as session:
        resource = member_dataset(session, shared.steward, shared.name).resource(shared.resource_id)
    assert resource.agency_decisions_by_column()["so_dien_thoai"].action == "mask"
    public = client.get(manage.replace("/manage", "/manage"))
    assert public.status_code == 200


def test_search_offers_an_access_level_facet(services, client) -> None:
    publish_restricted(services)
    page = client.get("/dataset").get_data(as_text=True)
    assert "Hộ dân cần hỗ trợ" in page and "Restricted" in page  # the card's badge
