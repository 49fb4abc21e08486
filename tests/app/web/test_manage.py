"""Dataset form, lifecycle from the pages, activity, concurrent edits and the review queue."""

from __future__ import annotations

import io
import re

from datasets.queries import get_dataset
from tests.conftest import csrf_from
from tests.factories import SAMPLE_CSV, make_dataset

FORM = {
    "title_vi": "Bãi giữ xe công cộng",
    "title_en": "Public parking lots",
    "description_vi": "Danh sách bãi giữ xe.",
    "tags": "giao thông, bãi xe",
    "license_id": "cc-by-4.0",
    "contact_email": "sgtvt@tphcm.gov.vn",
    "temporal_start": "2025-01-01",
    "temporal_end": "2025-12-31",
    # a unit chosen from the list, an old ward typed by name, and text that names no unit
    "spatial_units": ["26743"],
    "spatial": "P. Bến Nghé; Khu vực bến cảng",
    "frequency": "MONTHLY",
}


def test_dataset_form_takes_every_metadata_field(desk) -> None:
    desk.login("publisher")
    form_page = desk.page("/dataset/new")
    assert "không phải của cá nhân" in form_page and "hộp thư chung" in form_page
    created = desk.post(
        "/dataset/new", {**FORM, "organization_id": desk.org.id}, form_page="/dataset/new"
    )
    assert created.status_code == 302
    with desk.services.sessions() as session:
        revision = get_dataset(session, "bai-giu-xe-cong-cong").working_revision
        assert (
            revision.title_en,
            revision.tags,
            revision.contact_email,
            str(revision.temporal_end),
            revision.spatial,
            revision.spatial_units,
        ) == (
            "Public parking lots",
            ["giao thông", "bãi xe"],
            "sgtvt@tphcm.gov.vn",
            "2025-12-31",
            "Khu vực bến cảng",
            ["26743", "old-26740"],
        )


def test_edit_form_shows_the_revision_members_work_on(desk) -> None:
    desk.login("publisher")
    desk.post("/dataset/new", {**FORM, "organization_id": desk.org.id}, form_page="/dataset/new")
    page = desk.page("/dataset/edit/bai-giu-xe-cong-cong")
    for shown in (
        'value="Bãi giữ xe công cộng"',
        'value="Public parking lots"',
        ">Danh sách bãi giữ xe.</textarea>",
        'value="giao thông, bãi xe"',
        'value="sgtvt@tphcm.gov.vn"',
        'value="2025-01-01"',
        'value="2025-12-31"',
        'value="Khu vực bến cảng"',
        '<option value="26743" selected>Phường Bến Thành</option>',
        '<option value="old-26740" selected>Phường Bến Nghé, Quận 1 (trước 1/7/2025)</option>',
    ):
        assert shown in page
    assert "None" not in page


def test_concurrent_edit_is_detected_and_not_saved(desk) -> None:
    name = desk.dataset("Bãi giữ xe")
    desk.login("publisher")
    edit_page = f"/dataset/edit/{name}"
    token = csrf_from(desk.client, edit_page)
    with desk.services.sessions() as session:
        stale = get_dataset(session, name).lock_version
    first = desk.client.post(
        edit_page,
        data={**FORM, "title_vi": "Bản của Lan", "lock_version": stale, "csrf_token": token},
    )
    assert first.status_code == 302
    second = desk.client.post(
        edit_page,
        data={**FORM, "title_vi": "Bản của Minh", "lock_version": stale, "csrf_token": token},
        follow_redirects=True,
    )
    text = second.get_data(as_text=True)
    assert "Bản của Lan" in text and "đã lưu bộ dữ liệu này" in text
    with desk.services.sessions() as session:
        assert get_dataset(session, name).working_revision.title_vi == "Bản của Lan"


def _submitted(desk) -> str:
    name = desk.dataset("Trạm xe buýt")
    desk.login("publisher")
    desk.post(
        f"/dataset/{name}/resources",
        {"file": (io.BytesIO(SAMPLE_CSV), "tram.csv")},
        content_type="multipart/form-data",
    )
    assert desk.post(f"/dataset/{name}/submit").status_code == 302
    return name


def test_review_queue_shows_who_since_when_and_the_reports(desk) -> None:
    name = _submitted(desk)
    desk.login("steward")
    queue = desk.page("/review")
    assert "Trạm xe buýt" in queue
    assert desk.publisher_info.name in queue  # from whom
    assert f"/dataset/{name}/resource/" in queue and "/report" in queue  # validation report link
    assert "dữ liệu cá nhân (0)" in queue


def test_reject_needs_a_comment_then_resubmit_and_approve_with_activity(desk) -> None:
    name = _submitted(desk)
    desk.login("steward")
    empty = desk.post(f"/dataset/{name}/reject", {"comment": " "}, follow_redirects=True)
    assert "Hãy ghi nhận xét" in empty.get_data(as_text=True)
    desk.post(f"/dataset/{name}/reject", {"comment": "Thiếu mô tả cột vi_do"})
    desk.login("publisher")
    manage = desk.page(f"/dataset/{name}/manage")
    assert "Thiếu mô tả cột vi_do" in manage and desk.steward_info.name in manage
    desk.post(f"/dataset/{name}/submit")
    desk.login("steward")
    approved = desk.post(f"/dataset/{name}/approve", {"comment": "Tốt"})
    assert approved.headers["Location"].endswith(f"/dataset/{name}")
    manage = desk.page(f"/dataset/{name}/manage")
    for words in ("đã gửi duyệt", "trả lại", "đã duyệt và công bố", "Tốt"):
        assert words in manage, words
    public = desk.client.get(f"/dataset/{name}").get_data(as_text=True)
    assert "Trạm Thảo Điền" in public


def test_withdraw_needs_a_reason_and_republishing_goes_through_review(desk) -> None:
    name = _submitted(desk)
    desk.login("steward")
    desk.post(f"/dataset/{name}/approve")
    refused = desk.post(f"/dataset/{name}/withdraw", {"comment": ""}, follow_redirects=True)
    assert "Hãy nêu lý do" in refused.get_data(as_text=True)
    desk.post(f"/dataset/{name}/withdraw", {"comment": "Có tên người trong cột ghi_chu"})
    assert desk.client.get(f"/dataset/{name}", follow_redirects=True).status_code == 200
    desk.logout()
    assert desk.client.get(f"/dataset/{name}", follow_redirects=True).status_code == 404
    desk.login("publisher")
    page = desk.page(f"/dataset/{name}/manage")
    assert "Có tên người trong cột ghi_chu" in page and "Gửi duyệt để công bố lại" in page
    desk.post(f"/dataset/{name}/submit")
    with desk.services.sessions() as session:
        assert get_dataset(session, name).state == "submitted"


def test_delete_draft_from_the_page(desk) -> None:
    name = desk.dataset("Bản nháp bỏ đi")
    desk.login("publisher")
    assert "Xóa bản nháp" in desk.page(f"/dataset/{name}/manage")
    desk.post(f"/dataset/{name}/delete")
    assert desk.client.get(f"/dataset/{name}/manage").status_code == 404


def test_pending_revision_keeps_the_live_version_public(desk) -> None:
    name = _submitted(desk)
    desk.login("steward")
    desk.post(f"/dataset/{name}/approve")
    desk.login("publisher")
    with desk.services.sessions() as session:
        lock = get_dataset(session, name).lock_version
    desk.post(
        f"/dataset/edit/{name}",
        {**FORM, "title_vi": "Trạm xe buýt (bản mới)", "lock_version": lock},
        form_page=f"/dataset/edit/{name}",
    )
    page = desk.page(f"/dataset/{name}/manage")
    assert "vẫn công khai" in page
    desk.logout()
    public = desk.client.get(f"/dataset/{name}").get_data(as_text=True)
    assert "Trạm xe buýt (bản mới)" not in public and "Trạm xe buýt" in public


def test_a_steward_saves_changed_decisions_during_review_and_it_stays_in_review(desk) -> None:
    # Seen by a steward: the decisions could be changed during review, but not saved.
    name = desk.dataset("Đường dây nóng phường")
    desk.login("publisher")
    phones = "phuong,so_dien_thoai\nBến Nghé,0903123456\nBến Thành,0918765432\nĐa Kao,0977001122\n"
    desk.upload(name, phones.encode(), "duong-day-nong.csv")
    assert desk.post(f"/dataset/{name}/submit").status_code == 302
    with desk.services.sessions() as session:
        entry = get_dataset(session, name).working_revision.entries[0]
        rid, before = entry.resource_id, entry.version.decisions_by_column()["so_dien_thoai"]
    assert "Lưu quyết định" not in desk.page(f"/dataset/{name}/manage")
    refused = desk.post(
        f"/dataset/{name}/resource/{rid}/decisions",
        {"column": "so_dien_thoai", "action-so_dien_thoai": "drop"},
    )
    assert refused.status_code == 409  # the publisher cannot change a submitted revision

    desk.login("steward")
    assert "Lưu quyết định" in desk.page(f"/dataset/{name}/manage")
    wanted = "drop" if before.action.value == "mask" else "mask"
    desk.post(
        f"/dataset/{name}/resource/{rid}/decisions",
        {"column": "so_dien_thoai", "action-so_dien_thoai": wanted},
    )
    with desk.services.sessions() as session:
        dataset = get_dataset(session, name)
        version = dataset.working_revision.entries[0].version
        assert dataset.state == "submitted"
        assert version.decisions_by_column()["so_dien_thoai"].action.value == wanted
    activity = desk.page(f"/dataset/{name}/manage")
    label = {"mask": "Che (giữ vài số cuối)", "drop": "Xóa cột"}[wanted]
    assert f"so_dien_thoai: {label}" in activity  # in words, not "so_dien_thoai: {wanted}"
    desk.post(f"/dataset/{name}/approve", {"comment": "Đã sửa cách xử lý số điện thoại"})
    public = desk.client.get(f"/dataset/{name}").get_data(as_text=True)
    assert "0903123456" not in public


def _household_table(addresses: list[str]) -> bytes:
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em"]
    rows = "".join(
        f'{n},"{a}",{i + 2}\n' for i, (n, a) in enumerate(zip(names, addresses, strict=True))
    )
    return ("ho_ten,dia_chi,so_nguoi\n" + rows).encode()


def test_the_public_table_is_shown_before_it_is_public_and_an_emptied_column_is_named(desk):
    # Seen by a publisher: "generalize" on street addresses published an empty column, no word.
    name = desk.dataset("Hộ gia đình")
    desk.login("publisher")
    streets = [f"{10 + i} Đường Lê Lợi" for i in range(5)]
    desk.upload(name, _household_table(streets), "ho.csv")
    with desk.services.sessions() as session:
        entry = get_dataset(session, name).working_revision.entries[0]
        rid, decided = entry.resource_id, entry.version.decisions_by_column()
    assert decided["dia_chi"].action.value == "generalize"  # the portal's default for addresses
    page = desk.page(f"/dataset/{name}/manage")
    assert "5 dòng đầu của tệp công khai" in page
    assert (
        '<th scope="col">dia_chi</th>' in page
        and "Nguyễn Văn An" not in page.split("public-preview")[1]
    )  # names dropped in the public file
    assert "Khái quát hóa đã làm cột dia_chi trống hoàn toàn" in page

    refused = desk.post(
        f"/dataset/{name}/resource/{rid}/decisions",
        {"column": "dia_chi", "action-dia_chi": "generalize"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "dia_chi: khái quát hóa sẽ làm cột trống hoàn toàn" in refused
    assert "would_empty" not in refused
    desk.post(
        f"/dataset/{name}/resource/{rid}/decisions", {"column": "dia_chi", "action-dia_chi": "drop"}
    )
    page = desk.page(f"/dataset/{name}/manage")
    assert "trống hoàn toàn" not in page and '<th scope="col">dia_chi</th>' not in page


def test_generalizing_addresses_that_name_a_ward_keeps_the_ward(desk):
    name = desk.dataset("Hộ gia đình có phường")
    desk.login("publisher")
    streets = [f"{10 + i} Lê Lợi, Phường Bến Nghé, Quận 1" for i in range(5)]
    desk.upload(name, _household_table(streets), "ho.csv")
    with desk.services.sessions() as session:
        rid = get_dataset(session, name).working_revision.entries[0].resource_id
    saved = desk.post(
        f"/dataset/{name}/resource/{rid}/decisions",
        {"column": "dia_chi", "action-dia_chi": "generalize"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã lưu" in saved or "đã lưu" in saved.lower(), saved[:2000]
    page = desk.page(f"/dataset/{name}/manage")
    # the old ward is kept as the current one it became (issue 22)
    assert "<td>Phường Sài Gòn, Thành phố Hồ Chí Minh</td>" in page
    assert "Bến Nghé" not in page.split("public-preview", 1)[1] and "trống hoàn toàn" not in page


def test_the_public_page_says_what_was_done_to_personal_data_column_by_column(desk):
    name = desk.dataset("Hộ gia đình công bố")
    desk.login("publisher")
    streets = [f"{10 + i} Lê Lợi, Phường Bến Nghé, Quận 1" for i in range(5)]
    desk.upload(name, _household_table(streets), "ho.csv")
    desk.post(f"/dataset/{name}/submit")
    desk.login("steward")
    desk.post(f"/dataset/{name}/approve")
    desk.logout()
    page = desk.page(f"/dataset/{name}")
    assert "Dữ liệu cá nhân trong tệp này: đã xử lý thế nào" in page
    assert re.search(r"<code>ho_ten</code>:\s*đã xóa: cột này không có trong tệp\.", page)
    assert "<code>dia_chi</code>:" in page and "chỉ giữ phường, xã" in page
    assert "Nguyễn Văn An" not in page and "Phường Sài Gòn, Thành phố Hồ Chí Minh" in page
    with desk.services.sessions() as session:
        rid = get_dataset(session, name).live_revision.entries[0].resource_id
    desk.client.get("/lang/en")
    resource_page = desk.page(f"/dataset/{name}/resource/{rid}")
    assert "only the ward or commune (as it is since 1 July 2025)" in resource_page


def test_a_dataset_whose_licence_is_not_chosen_is_approved_only_with_one(desk):
    # A harvested dataset held for its licence (CC BY-NC...) carries no licence of its own.
    name = make_dataset(desk.services, desk.publisher, desk.org, license_id="notspecified").name
    desk.login("publisher")
    desk.upload(name, SAMPLE_CSV, "tram.csv")
    assert desk.post(f"/dataset/{name}/submit").status_code == 302
    desk.login("steward")
    page = desk.page(f"/dataset/{name}/manage")
    assert "Hãy chọn giấy phép" in page and 'name="license_id" required' in page
    refused = desk.post(f"/dataset/{name}/approve", {"comment": ""}, follow_redirects=True)
    assert "Hãy chọn giấy phép" in refused.get_data(as_text=True)
    with desk.services.sessions() as session:
        assert get_dataset(session, name).state == "submitted"
    desk.post(f"/dataset/{name}/approve", {"license_id": "cc-by-sa-4.0"})
    (view,) = [v for v in desk.services.catalog.iter_all() if v.name == name]
    assert view.license_id == "cc-by-sa-4.0"
