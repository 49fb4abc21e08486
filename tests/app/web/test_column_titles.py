"""Column titles and descriptions in Vietnamese and English (issue 21), through the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import frictionless

from datasets.queries import get_dataset
from tests.vietnamese_files import to_cp1258

CSV = "ma_bv,cap_cuu_24h,so_giuong\nBV01,có,120\nBV02,không,80\n"
TITLES = {
    "title-1": "Cấp cứu 24 giờ",
    "description-1": "Bệnh viện có nhận cấp cứu suốt ngày đêm không.",
    "title_en-1": "24-hour emergency",
    "description_en-1": "Whether the hospital takes emergencies day and night.",
    "title-2": "Số giường bệnh",
    "title_en-2": "Hospital beds",
}


def _version(services, name: str):
    with services.sessions() as session:
        entry = get_dataset(session, name).working_revision.entries[0]
        return entry.resource_id, entry.version


def _lock(services, name: str) -> int:
    with services.sessions() as session:
        return get_dataset(session, name).lock_version


def _titled(desk, content: bytes = CSV.encode()) -> tuple[str, str]:
    """A dataset whose table's columns have titles and descriptions, saved in the editor."""
    name = desk.dataset("Bệnh viện có cấp cứu")
    desk.login("publisher")
    desk.upload(name, content, "benh_vien.csv")
    resource_id, _v = _version(desk.services, name)
    form = {
        "field": ["ma_bv", "cap_cuu_24h", "so_giuong"],
        "type-0": "string",
        "type-1": "string",
        "type-2": "integer",
        **TITLES,
        "lock_version": _lock(desk.services, name),
    }
    saved = desk.post(f"/dataset/{name}/resource/{resource_id}/schema", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    return name, resource_id


def _publish(desk, name: str) -> None:
    desk.services.workflow.submit(desk.publisher, name)
    desk.services.workflow.approve(desk.steward, name)


def test_the_editor_proposes_a_title_and_saves_both_languages(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, CSV.encode(), "benh_vien.csv")
    resource_id, _v = _version(desk.services, name)
    editor = desk.page(f"/dataset/{name}/resource/{resource_id}/schema")
    # An empty Vietnamese title is proposed from the header (accents cannot be guessed).
    assert 'name="title-1" value="Cap cuu 24h"' in editor
    assert 'name="title_en-1" value=""' in editor
    assert "Tiêu đề (tiếng Anh)" in editor

    name, resource_id = _titled(desk)
    _r, version = _version(desk.services, name)
    assert version.table_schema["fields"][1] == {
        "name": "cap_cuu_24h",
        "type": "string",
        "title": "Cấp cứu 24 giờ",
        "description": "Bệnh viện có nhận cấp cứu suốt ngày đêm không.",
        "title_en": "24-hour emergency",
        "description_en": "Whether the hospital takes emergencies day and night.",
    }
    assert version.public_schema["fields"][1]["title_en"] == "24-hour emergency"
    again = desk.page(f"/dataset/{name}/resource/{resource_id}/schema")
    assert 'name="title_en-1" value="24-hour emergency"' in again
    assert ">Whether the hospital takes emergencies day and night.</textarea>" in again


def test_public_pages_show_the_titles_in_the_readers_language(desk) -> None:
    name, resource_id = _titled(desk)
    _publish(desk, name)
    desk.logout()
    page = desk.page(f"/dataset/{name}")
    # Data dictionary: the title, the raw name below it, the description.
    assert re.search(
        r'<span class="column-title">Cấp cứu 24 giờ</span><br><code class="column-name">'
        r"cap_cuu_24h</code>",
        page,
    )
    assert "Bệnh viện có nhận cấp cứu suốt ngày đêm không." in page
    # A column without a title keeps its raw name alone, never an empty title.
    assert '<th scope="row"><code>ma_bv</code></th>' in page
    resource = desk.page(f"/dataset/{name}/resource/{resource_id}")
    # Preview headers: the title (description as a tooltip) and the raw name in small code.
    assert (
        '<span class="column-title" title="Bệnh viện có nhận cấp cứu suốt ngày đêm không.">'
        'Cấp cứu 24 giờ</span> <code class="column-name">cap_cuu_24h</code>'
    ) in resource
    assert "Số giường bệnh" in resource

    # Column statistics are labelled with the title too.
    assert re.search(
        r'<h4 id="col-[^"]+">Cấp cứu 24 giờ <code class="column-name">cap_cuu_24h</code>', page
    )

    desk.client.get("/lang/en")
    english = desk.page(f"/dataset/{name}")
    assert '<span class="column-title">24-hour emergency</span>' in english
    assert "Whether the hospital takes emergencies day and night." in english
    assert "Cấp cứu 24 giờ" not in english
    english_resource = desk.page(f"/dataset/{name}/resource/{resource_id}")
    assert '24-hour emergency</span> <code class="column-name">cap_cuu_24h</code>' in (
        english_resource
    )
    assert "Hospital beds" in english_resource


def test_the_api_and_datapackage_carry_the_titles(desk, tmp_path: Path) -> None:
    name, resource_id = _titled(desk)
    _publish(desk, name)
    desk.logout()
    body = desk.client.get(f"/api/v1/datasets/{name}").get_json()
    fields = body["resources"][0]["fields"]
    assert [f["name"] for f in fields] == ["ma_bv", "cap_cuu_24h", "so_giuong"]
    assert fields[0]["title"] == {"vi": "ma_bv", "en": "ma_bv"}  # the raw name, never empty
    assert fields[1] == {
        "name": "cap_cuu_24h",
        "type": "string",
        "title": {"vi": "Cấp cứu 24 giờ", "en": "24-hour emergency"},
        "description": {
            "vi": "Bệnh viện có nhận cấp cứu suốt ngày đêm không.",
            "en": "Whether the hospital takes emergencies day and night.",
        },
    }
    records = desk.client.get(f"/api/v1/datasets/{name}/resources/{resource_id}/records")
    answer = records.get_json()
    assert answer["items"][0]["cap_cuu_24h"] == "có"  # rows keep the raw names as keys
    by_name = {f["name"]: f for f in answer["fields"]}
    assert by_name["so_giuong"]["title"] == {"vi": "Số giường bệnh", "en": "Hospital beds"}

    descriptor = desk.client.get(f"/dataset/{name}/datapackage.json").get_json()
    schema = descriptor["resources"][0]["schema"]
    assert schema["fields"][1]["title"] == "Cấp cứu 24 giờ"
    assert schema["fields"][1]["title_en"] == "24-hour emergency"
    # The descriptor, pointed at a local copy of the public file, passes `frictionless validate`.
    public = desk.client.get(descriptor["resources"][0]["path"]).get_data()
    assert public.decode().startswith("ma_bv,cap_cuu_24h,so_giuong")  # files keep raw names
    (tmp_path / "benh_vien.csv").write_bytes(public)
    descriptor["resources"][0]["path"] = "benh_vien.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_titles_survive_a_reread_and_a_new_version(desk) -> None:
    name, resource_id = _titled(desk, to_cp1258(CSV))
    desk.post(
        f"/dataset/{name}/resource/{resource_id}/reading",
        {"encoding": "cp1258", "lock_version": _lock(desk.services, name)},
    )
    _r, version = _version(desk.services, name)
    assert version.encoding_override == "cp1258"
    titles = {
        f["name"]: (f.get("title"), f.get("title_en")) for f in version.table_schema["fields"]
    }
    assert titles["cap_cuu_24h"] == ("Cấp cứu 24 giờ", "24-hour emergency")
    assert titles["so_giuong"] == ("Số giường bệnh", "Hospital beds")

    # A new upload of the same resource: matching columns keep their titles, a new one has none.
    _publish(desk, name)
    replacement = (CSV.replace("so_giuong", "so_khoa").replace(",120", ",12")).encode()
    desk.upload(
        name, replacement, "benh_vien_2.csv", path=f"/dataset/{name}/resource/{resource_id}/file"
    )
    _r, newer = _version(desk.services, name)
    assert newer.original_filename == "benh_vien_2.csv"
    fields = {f["name"]: f for f in newer.table_schema["fields"]}
    assert fields["cap_cuu_24h"]["description_en"] == (
        "Whether the hospital takes emergencies day and night."
    )
    assert "title" not in fields["so_khoa"]


def test_new_titles_show_although_the_public_file_is_the_same(desk) -> None:
    """Only the schema changes (the file stays byte for byte the same): no stale page."""
    name, resource_id = _titled(desk)
    _publish(desk, name)
    desk.logout()
    assert "Cấp cứu 24 giờ" in desk.page(f"/dataset/{name}")
    records = f"/api/v1/datasets/{name}/resources/{resource_id}/records"

    def api_title() -> str:  # the records page remembers titles per schema, not per table
        fields = {f["name"]: f for f in desk.client.get(records).get_json()["fields"]}
        return str(fields["cap_cuu_24h"]["title"]["vi"])

    assert api_title() == "Cấp cứu 24 giờ"
    desk.login("publisher")
    form = {
        "field": ["ma_bv", "cap_cuu_24h", "so_giuong"],
        "type-0": "string",
        "type-1": "string",
        "type-2": "integer",
        **TITLES,
        "title-1": "Nhận cấp cứu cả ngày",
        "lock_version": _lock(desk.services, name),
    }
    assert desk.post(f"/dataset/{name}/resource/{resource_id}/schema", form).status_code == 303
    _publish(desk, name)
    desk.logout()
    page = desk.page(f"/dataset/{name}")
    assert "Nhận cấp cứu cả ngày" in page and "Cấp cứu 24 giờ" not in page
    assert api_title() == "Nhận cấp cứu cả ngày"


def test_the_manage_page_labels_personal_data_columns_with_their_titles(desk) -> None:
    name = desk.dataset()
    desk.login("publisher")
    desk.upload(name, b"ma_bv,dien_thoai\nBV01,0903123456\nBV02,0283829123\n")
    resource_id, version = _version(desk.services, name)
    assert [f["column"] for f in version.findings] == ["dien_thoai"]
    form = {
        "field": ["ma_bv", "dien_thoai"],
        "type-0": "string",
        "type-1": "string",
        "title-1": "Điện thoại liên hệ",
        "title_en-1": "Contact phone",
        "lock_version": _lock(desk.services, name),
    }
    assert desk.post(f"/dataset/{name}/resource/{resource_id}/schema", form).status_code == 303
    page = desk.page(f"/dataset/{name}/manage")
    assert re.search(
        r'<td>Điện thoại liên hệ <code class="column-name">dien_thoai</code><input type="hidden"',
        page,
    )
    desk.client.get("/lang/en")
    assert 'Contact phone <code class="column-name">dien_thoai</code>' in desk.page(
        f"/dataset/{name}/manage"
    )
