"""Write actions mapped onto the lifecycle, through the real ``ckanapi`` client."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import ckanapi
import pytest
import requests

from publishers import Role, Scope, Tokens
from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import SAMPLE_CSV, actor, make_org, make_user

PHONES_CSV = (
    "ma_ho,so_dien_thoai,phuong\n"
    "H01,0903123456,Bến Nghé\nH02,0912345678,Bến Thành\nH03,0987654321,Đa Kao\n"
    "H04,0938111222,Tân Định\nH05,0909888777,Cầu Kho\n"
).encode()


def _org_name(portal: CkanPortal) -> str:
    return portal.anonymous.action.package_show(id=portal.dataset.name)["organization"]["name"]


def test_publisher_creates_a_private_draft_then_submits_for_review(portal: CkanPortal) -> None:
    ckan = portal.as_publisher
    created = ckan.action.package_create(
        name="diem-wifi-cong-cong",
        title="Điểm Wi-Fi công cộng",
        notes="Danh sách điểm Wi-Fi miễn phí.",
        owner_org=_org_name(portal),
        tags=[{"name": "wifi"}, {"name": "hạ tầng số"}],
        title_translated={"en": "Public Wi-Fi points"},
        extras=[{"key": "spatial", "value": "Thành phố Hồ Chí Minh"}],
    )
    assert (created["state"], created["private"], created["lifecycle_state"]) == (
        "draft",
        True,
        "draft",
    )
    assert created["title_translated"] == {
        "vi": "Điểm Wi-Fi công cộng",
        "en": "Public Wi-Fi points",
    }
    assert {"key": "spatial", "value": "Thành phố Hồ Chí Minh"} in created["extras"]
    resource = ckan.action.resource_create(
        package_id="diem-wifi-cong-cong",
        name="Danh sách điểm",
        upload=("wifi.csv", io.BytesIO(SAMPLE_CSV)),
    )
    assert resource["name"] == "Danh sách điểm" and resource["processing_status"] == "ready"
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.package_show(id="diem-wifi-cong-cong")
    submitted = ckan.action.package_patch(id="diem-wifi-cong-cong", state="active")
    assert (submitted["state"], submitted["private"]) == ("draft", True)
    assert submitted["lifecycle_state"] == "submitted"
    assert submitted["title"] == "Điểm Wi-Fi công cộng"  # patch kept the other fields
    assert sorted(t["name"] for t in submitted["tags"]) == ["hạ tầng số", "wifi"]
    portal.services.workflow.approve(portal.steward, "diem-wifi-cong-cong")
    public = portal.anonymous.action.package_show(id="diem-wifi-cong-cong")
    assert (public["state"], public["private"]) == ("active", False)
    body = requests.get(public["resources"][0]["url"], timeout=10).content
    assert "sha256:" + hashlib.sha256(body).hexdigest() == public["resources"][0]["hash"]
    assert "Trạm Bến Thành".encode() in body


def test_only_steward_publishes_at_once_with_state_active(portal: CkanPortal) -> None:
    created = portal.as_steward.action.package_create(
        name="bao-cao-ngan-sach",
        title="Báo cáo ngân sách",
        owner_org=_org_name(portal),
        state="active",
        resources=[{"url": "https://example.org/ngan-sach.pdf", "format": "pdf", "name": "PDF"}],
    )
    assert (created["state"], created["private"], created["lifecycle_state"]) == (
        "active",
        False,
        "published",
    )
    public = portal.anonymous.action.package_show(id="bao-cao-ngan-sach")
    assert public["resources"][0]["url"] == "https://example.org/ngan-sach.pdf"
    assert public["resources"][0]["format"] == "PDF"
    assert public["resources"][0]["url_type"] is None


def test_steward_with_a_colleague_waits_for_the_other_steward(portal: CkanPortal) -> None:
    svc = portal.services
    org = svc.accounts.get_organization(_org_name(portal))
    colleague = actor(svc, make_user(svc, org, Role.STEWARD))
    created = portal.as_steward.action.package_create(
        name="ban-do-cong-vien",
        title="Bản đồ công viên",
        owner_org=org.id,
        state="active",
        resources=[{"url": "https://example.org/cong-vien.geojson", "format": "GeoJSON"}],
    )
    assert (created["state"], created["private"], created["lifecycle_state"]) == (
        "draft",
        True,
        "submitted",
    )
    assert [i.dataset_name for i in svc.workflow.review_queue(colleague)] == ["ban-do-cong-vien"]
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.package_show(id="ban-do-cong-vien")


def test_undecided_personal_data_blocks_submission_as_validation_error(portal: CkanPortal) -> None:
    svc = portal.services
    org = make_org(svc)
    # Phone numbers cannot be generalized: this policy leaves the finding undecided.
    svc.accounts.set_policy(org.id, json.dumps({"columns": {"so_dien_thoai": "generalize"}}))
    publisher = actor(svc, make_user(svc, org, Role.PUBLISHER))
    ckan = portal.client(portal.token_for(publisher))
    ckan.action.package_create(name="ho-gia-dinh", title="Hộ gia đình", owner_org=org.name)
    ckan.action.resource_create(package_id="ho-gia-dinh", upload=("ho.csv", io.BytesIO(PHONES_CSV)))
    with pytest.raises(ckanapi.ValidationError) as caught:
        ckan.action.package_update(
            id="ho-gia-dinh", title="Hộ gia đình", owner_org=org.name, state="active"
        )
    error = caught.value.error_dict
    assert error["__type"] == "Validation Error"
    assert "so_dien_thoai" in " ".join(error["state"])
    draft = ckan.action.package_show(id="ho-gia-dinh")
    assert draft["lifecycle_state"] == "draft"  # the edit is kept, not submitted
    assert draft["resources"][0]["url"] == ""  # nothing public to download


def test_update_of_published_dataset_is_a_pending_revision(portal: CkanPortal) -> None:
    name = portal.dataset.name
    portal.as_publisher.action.package_patch(id=name, title="Trạm dừng xe buýt (cập nhật)")
    public = portal.anonymous.action.package_show(id=name)
    assert public["title"] == "Trạm dừng xe buýt giao thông"  # the live version stays
    mine = portal.as_publisher.action.package_show(id=name)
    assert mine["title"] == "Trạm dừng xe buýt (cập nhật)"
    assert (mine["state"], mine["private"], mine["has_pending_revision"]) == ("active", False, True)
    # last writer wins, both edits recorded
    portal.as_steward.action.package_patch(id=name, notes="Ghi chú của người quản lý")
    latest = portal.as_steward.action.package_show(id=name)
    assert latest["notes"] == "Ghi chú của người quản lý"
    assert latest["title"] == "Trạm dừng xe buýt (cập nhật)"
    edits = [
        a
        for a in portal.as_steward.action.package_activity_list(id=name)
        if a["data"]["action"] == "edit"
    ]
    assert {a["user_id"] for a in edits} == {portal.publisher.user_id, portal.steward.user_id}


def test_package_delete_withdraws_and_the_public_loses_it(portal: CkanPortal) -> None:
    name = portal.dataset.name
    with pytest.raises(ckanapi.NotAuthorized):
        portal.as_publisher.action.package_delete(id=name)  # withdrawing is a steward's
    portal.as_steward.action.package_delete(id=name)
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.package_show(id=name)
    assert portal.anonymous.action.package_list() == []
    seen = portal.as_steward.action.package_show(id=name)
    assert (seen["state"], seen["private"], seen["lifecycle_state"]) == (
        "deleted",
        True,
        "withdrawn",
    )
    # republishing goes through the lifecycle again
    back = portal.as_steward.action.package_patch(id=name, state="active")
    assert back["state"] == "active"
    assert portal.anonymous.action.package_show(id=name)["state"] == "active"


def test_package_delete_removes_a_never_published_draft(portal: CkanPortal) -> None:
    ckan = portal.as_publisher
    ckan.action.package_create(name="nhap-tam", title="Nháp tạm", owner_org=_org_name(portal))
    ckan.action.package_delete(id="nhap-tam")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="nhap-tam")


def test_validation_errors_name_fields(portal: CkanPortal) -> None:
    ckan = portal.as_publisher
    org = _org_name(portal)
    with pytest.raises(ckanapi.ValidationError) as taken:
        ckan.action.package_create(name=portal.dataset.name, title="Trùng tên", owner_org=org)
    assert taken.value.error_dict["name"] and taken.value.error_dict["__type"] == "Validation Error"
    with pytest.raises(ckanapi.ValidationError) as licence:
        ckan.action.package_create(name="x-moi", title="X", owner_org=org, license_id="bogus")
    assert set(licence.value.error_dict) == {"license_id", "__type", "message"}
    with pytest.raises(ckanapi.ValidationError) as no_org:
        ckan.action.package_create(name="x-moi", title="X")
    assert "owner_org" in no_org.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as bad_name:
        ckan.action.package_create(name="Tên Có Dấu", title="X", owner_org=org)
    assert "name" in bad_name.value.error_dict
    answer = requests.post(
        f"{portal.server.url}/api/action/package_create",
        json={"name": "y", "title": "Y", "owner_org": org, "groups": [{"name": "khong-co"}]},
        headers={"Authorization": portal.publisher_token},
        timeout=10,
    )
    assert answer.status_code == 409 and "groups" in answer.json()["error"]


def test_tokens_read_only_revoked_expired_and_bad_are_refused(portal: CkanPortal) -> None:
    svc = portal.services
    org = _org_name(portal)
    read_only = portal.client(portal.token_for(portal.publisher, Scope.READ))
    assert read_only.action.package_show(id=portal.dataset.name)["name"] == portal.dataset.name
    with pytest.raises(ckanapi.NotAuthorized):
        read_only.action.package_create(name="chi-doc", title="Chỉ đọc", owner_org=org)
    with pytest.raises(ckanapi.NotAuthorized):
        portal.anonymous.action.package_create(name="vo-danh", title="Vô danh", owner_org=org)
    revoked_token = portal.token_for(portal.steward)
    assert portal.steward.user_id is not None
    svc.tokens.revoke(portal.steward.user_id, name="ckan-read-write")
    past = datetime.now(UTC) - timedelta(days=3)
    expired_token = Tokens(svc.sessions, clock=lambda: past).create(
        portal.steward.user_id, "old", expires_days=1
    )
    for token in (revoked_token, expired_token, "not-a-real-token"):
        with pytest.raises(ckanapi.NotAuthorized):
            portal.client(token).action.package_list()
        answer = requests.get(
            f"{portal.server.url}/api/3/action/package_list",
            headers={"X-CKAN-API-Key": token},
            timeout=10,
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["__type"] == "Authorization Error"
        assert token not in answer.text


def test_other_organization_cannot_write(portal: CkanPortal) -> None:
    svc = portal.services
    stranger = actor(svc, make_user(svc, make_org(svc), Role.STEWARD))
    ckan = portal.client(portal.token_for(stranger))
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_patch(id=portal.dataset.name, title="Bị sửa")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="khac", title="Khác", owner_org=_org_name(portal))
    assert (
        portal.anonymous.action.package_show(id=portal.dataset.name)["title"]
        == "Trạm dừng xe buýt giao thông"
    )


def test_resource_update_with_upload_makes_a_new_version(portal: CkanPortal) -> None:
    new_csv = SAMPLE_CSV + "T005,Trạm Hàng Xanh,Bình Thạnh,10.8010,106.7110,22\n".encode()
    changed = portal.as_steward.action.resource_update(
        id=portal.resource_id, upload=("data.csv", io.BytesIO(new_csv))
    )
    assert changed["id"] == portal.resource_id
    assert (
        changed["sha256"] != portal.anonymous.action.resource_show(id=portal.resource_id)["sha256"]
    )
    portal.as_steward.action.package_patch(id=portal.dataset.name, state="active")
    public = portal.anonymous.action.resource_show(id=portal.resource_id)
    assert "Trạm Hàng Xanh".encode() in requests.get(public["url"], timeout=10).content
    rows = portal.anonymous.action.datastore_search(resource_id=portal.resource_id)
    assert rows["total"] == 5
