"""Resource pages: upload, link, replace, remove, re-read, schema editor, report, original."""

from __future__ import annotations

import re

from datasets.queries import get_dataset
from publishers import Role
from tests.factories import PASSWORD, make_org, make_user
from tests.vietnamese_files import to_cp1258

CSV = (
    "ma_tram,ten_tram,so_cho\n"
    "T001,Trạm Bến Thành,40\n"
    "T002,Trạm Chợ Lớn,nhiều\n"
    "T003,Trạm Thảo Điền,18\n"
).encode()


def _resources(services, name: str):
    with services.sessions() as session:
        revision = get_dataset(session, name).working_revision
        return [(e.resource_id, e.version) for e in revision.entries]


def test_upload_form_carries_the_size_limit_and_progress_script(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    page = desk.page(f"/dataset/{name}/manage")
    assert f'data-max-bytes="{desk.services.settings.max_upload_bytes}"' in page
    assert "<progress" in page and "/static/upload.js" in page
    script = desk.client.get("/static/upload.js").get_data(as_text=True)
    assert "xhr.upload.addEventListener" in script and "file.size > limit" in script


def test_upload_over_the_limit_is_413_with_a_clear_message(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    big = b"a,b\n" + b"1,2\n" * (desk.services.settings.max_upload_bytes // 4 + 10)
    response = desk.upload(name, big, "big.csv")
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)
    assert _resources(desk.services, name) == []


def test_link_replace_and_remove_resources(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.post(
        f"/dataset/{name}/links",
        {"url": "https://data.example.org/bao-cao.pdf", "name": "Báo cáo", "format": "pdf"},
    )
    desk.upload(name, CSV, "tram.csv")
    entries = _resources(desk.services, name)
    assert [(v.name, v.url, v.format) for _r, v in entries] == [
        ("Báo cáo", "https://data.example.org/bao-cao.pdf", "PDF"),
        ("tram.csv", None, "CSV"),
    ]
    page = desk.page(f"/dataset/{name}/manage")
    assert "https://data.example.org/bao-cao.pdf" in page
    bad = desk.post(f"/dataset/{name}/links", {"url": "javascript:alert(1)"}, follow_redirects=True)
    assert "http:// hoặc https://" in bad.get_data(as_text=True)

    csv_id, first = entries[1]
    fixed = CSV.replace("nhiều".encode(), b"35")
    desk.upload(name, fixed, "tram-v2.csv", path=f"/dataset/{name}/resource/{csv_id}/file")
    csv_id_after, second = _resources(desk.services, name)[1]
    assert csv_id_after == csv_id and second.id != first.id
    assert second.original_filename == "tram-v2.csv" and second.validation["valid"]

    link_id = entries[0][0]
    desk.post(f"/dataset/{name}/resource/{link_id}/remove")
    assert [r for r, _v in _resources(desk.services, name)] == [csv_id]


def test_a_wrong_encoding_can_be_corrected_in_the_form(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    data = to_cp1258("ma,ten\nA1,Đường Nguyễn Thị Minh Khai\nA2,Phường Bến Nghé\n")
    desk.upload(name, data, "duong.csv")
    resource_id, version = _resources(desk.services, name)[0]
    assert version.encoding == "cp1258"
    page = desk.page(f"/dataset/{name}/manage")
    # The encoding in plain words (was the codec name "cp1258").
    assert 'data-encoding="cp1258">Bảng mã Windows tiếng Việt (Windows-1258)<' in page
    lock = get_dataset_lock(desk.services, name)
    desk.post(
        f"/dataset/{name}/resource/{resource_id}/reading",
        {"encoding": "cp1252", "lock_version": lock},
    )
    _r, wrong = _resources(desk.services, name)[0]
    assert wrong.encoding == "cp1252" and wrong.encoding_override == "cp1252"
    with desk.services.vault.decrypted(wrong.normalized_key) as path:
        assert "Nguyễn" not in path.read_text(encoding="utf-8")
    lock = get_dataset_lock(desk.services, name)
    desk.post(
        f"/dataset/{name}/resource/{resource_id}/reading",
        {"encoding": "windows-1258", "lock_version": lock},
    )
    _r, right = _resources(desk.services, name)[0]
    assert right.encoding == "cp1258"
    with desk.services.vault.decrypted(right.normalized_key) as path:
        assert "Đường Nguyễn Thị Minh Khai" in path.read_text(encoding="utf-8")
    bad = desk.post(
        f"/dataset/{name}/resource/{resource_id}/reading",
        {"encoding": "klingon"},
        follow_redirects=True,
    )
    assert "Chọn một bảng mã" in bad.get_data(as_text=True)


def get_dataset_lock(services, name: str) -> int:
    with services.sessions() as session:
        return get_dataset(session, name).lock_version


def test_schema_editor_changes_a_type_and_the_report_shows_the_errors(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, CSV, "tram.csv")
    resource_id, version = _resources(desk.services, name)[0]
    assert version.validation["valid"]  # so_cho was inferred as text ("nhiều")
    editor = desk.page(f"/dataset/{name}/resource/{resource_id}/schema")
    assert 'name="field" value="so_cho"' in editor
    # Types in plain words (the values stay Table Schema's names).
    assert '<option value="integer" >số nguyên</option>' in editor
    assert '<option value="string" selected>văn bản</option>' in editor
    form = {
        "field": ["ma_tram", "ten_tram", "so_cho"],
        "type-0": "string",
        "type-1": "string",
        "type-2": "integer",
        "title-2": "Số chỗ",
        "minimum-2": "0",
        "lock_version": get_dataset_lock(desk.services, name),
    }
    saved = desk.post(f"/dataset/{name}/resource/{resource_id}/schema", form)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/report")
    _r, version = _resources(desk.services, name)[0]
    assert version.table_schema["fields"][2] == {
        "name": "so_cho",
        "type": "integer",
        "title": "Số chỗ",
        "constraints": {"minimum": 0},
    }
    assert [(e["code"], e["row"], e["field_name"]) for e in version.validation["errors"]] == [
        ("type-error", 3, "so_cho")
    ]

    report = desk.page(f"/dataset/{name}/resource/{resource_id}/report")
    # Plain words and how to fix it (was "Giá trị không phải là integer hợp lệ.").
    assert "Giá trị không phải là số nguyên hợp lệ. Hãy viết theo dạng 12;" in report
    assert "Cách sửa: Hãy sửa các ô được đánh dấu, hoặc đổi kiểu của cột" in report
    assert re.search(r'<td class="bad-cell"[^>]*><mark>nhiều</mark></td>', report)
    assert '<th scope="row">3</th>' in report
    desk.client.get("/lang/en")
    english = desk.page(f"/dataset/{name}/resource/{resource_id}/report")
    assert "The value is not a valid whole number. Write it like 12," in english

    form["minimum-2"] = "abc"
    refused = desk.post(f"/dataset/{name}/resource/{resource_id}/schema", form)
    assert refused.status_code == 422
    assert "The minimum does not fit the type" in refused.get_data(as_text=True)


def test_status_endpoint_reports_processing_state(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, CSV, "tram.csv")
    resource_id, _v = _resources(desk.services, name)[0]
    status = desk.client.get(f"/dataset/{name}/resource/{resource_id}/status.json").get_json()
    assert status == {
        "status": "ready",
        "error_code": None,
        "row_count": 3,
        "valid": True,
        "error_count": 0,
        "progress": None,  # done: no progress (tests/app/test_processing_progress.py has it)
    }


def test_report_and_schema_pages_are_for_members_only(desk, client) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, CSV, "tram.csv")
    resource_id, _v = _resources(desk.services, name)[0]
    desk.logout()
    outsider = make_user(desk.services, make_org(desk.services), Role.STEWARD)
    desk.auth.login(outsider.name, PASSWORD)
    for path in ("report", "schema", "status.json", "original"):
        response = client.get(f"/dataset/{name}/resource/{resource_id}/{path}")
        assert response.status_code == 404, path
        assert "nhiều" not in response.get_data(as_text=True)


def test_original_is_readable_only_by_the_organizations_stewards(desk, client) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, CSV, "tram goc.csv")
    resource_id, _v = _resources(desk.services, name)[0]
    url = f"/dataset/{name}/resource/{resource_id}/original"
    assert "/original" not in desk.page(f"/dataset/{name}/manage")
    forbidden = client.get(url)
    assert forbidden.status_code == 403 and CSV not in forbidden.data
    desk.login("steward")
    assert url in desk.page(f"/dataset/{name}/manage")
    original = client.get(url)
    assert original.status_code == 200 and original.data == CSV
    assert "no-store" in original.headers["Cache-Control"]
    assert "attachment" in original.headers["Content-Disposition"]
    desk.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    assert CSV not in anonymous.data


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_sheet_of_a_workbook_is_picked_from_its_list(desk) -> None:
    """The form lists the workbook's sheets; reading another one replaces the table."""
    import re

    workbook = _workbook(
        {
            "Ghi chú": [["Bảng tổng hợp của Sở Công Thương"]],
            "Chợ": [["ma_cho", "ten_cho"], ["C01", "Chợ Bến Thành"], ["C02", "Chợ Bình Tây"]],
            "Siêu thị": [["ma", "ten"], ["S1", "Co.opmart Cống Quỳnh"]],
        }
    )
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, workbook, "cho.xlsx")
    resource_id, version = _resources(desk.services, name)[0]
    assert version.sheet == "Ghi chú" and version.sheet_names == ["Ghi chú", "Chợ", "Siêu thị"]
    page = desk.page(f"/dataset/{name}/manage")
    select = re.search(rf'<select id="sheet-{resource_id}" name="sheet">(.*?)</select>', page)
    assert select, "no sheet list"
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
    assert options == [("Ghi chú", " selected"), ("Chợ", ""), ("Siêu thị", "")]

    lock_version = int(re.search(r'name="lock_version" value="(\d+)"', page).group(1))
    desk.post(
        f"/dataset/{name}/resource/{resource_id}/reading",
        {"sheet": "Chợ", "lock_version": lock_version},
        form_page=f"/dataset/{name}/manage",
    )
    _rid, reread = _resources(desk.services, name)[0]
    assert reread.sheet == "Chợ" and reread.row_count == 2
    assert [f["name"] for f in reread.table_schema["fields"]] == ["ma_cho", "ten_cho"]
    page = desk.page(f"/dataset/{name}/manage")
    assert '<option value="Chợ" selected>' in page
    assert 'class="sheet">Chợ<' in page


def test_the_reidentification_check_is_for_tables_about_persons(desk) -> None:
    # Seen by a publisher: bicycle stations got "only 2 rows" as a re-identification risk.
    name = desk.dataset()
    desk.login("publisher")
    stations = "ten_tram,phuong,quan,so_xe\nTrạm A,Bến Nghé,1,12\nTrạm B,Bến Thành,1,8\n"
    desk.upload(name, stations.encode(), "tram-xe-dap.csv")
    assert _resources(desk.services, name)[0][1].smallest_group is None
    page = desk.page(f"/dataset/{name}/manage")
    assert "kanon" not in page and "Nguy cơ nhận diện lại" not in page

    # The same places beside citizens' names (dropped by policy) are a risk.
    people = (
        "ho_ten,phuong,quan\nNguyễn Văn An,Bến Nghé,1\nTrần Thị Bích,Bến Thành,1\n"
        "Lê Văn Cường,Bến Thành,1\n"
    )
    desk.upload(name, people.encode(), "ho-dan.csv")
    groups = [v.smallest_group for _r, v in _resources(desk.services, name)]
    assert groups == [None, 1]
    assert 'class="flash flash-error kanon"' in desk.page(f"/dataset/{name}/manage")


def test_a_column_overwhelmingly_of_numbers_stays_numbers_and_the_odd_value_is_reported(desk):
    # Frictionless' field confidence (90% of the sample): one "mười hai" among twelve numbers
    # is a type error in an integer column, not a text column with nothing to report.
    name = desk.dataset()
    desk.login("publisher")
    rows = "".join(f"Phường {i},{100 + i * 7}\n" for i in range(1, 12))
    desk.upload(name, ("phuong,so_ho\n" + rows + "Phường 12,mười hai\n").encode(), "ho.csv")
    resource_id, version = _resources(desk.services, name)[0]
    assert [f["type"] for f in version.table_schema["fields"]] == ["string", "integer"]
    assert [(e["code"], e["row"]) for e in version.validation["errors"]] == [("type-error", 13)]
    report = desk.page(f"/dataset/{name}/resource/{resource_id}/report")
    assert "<mark>mười hai</mark>" in report and "Giá trị không phải là số nguyên hợp lệ." in report
