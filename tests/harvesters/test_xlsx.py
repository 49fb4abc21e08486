"""XLSX resources from harvest sources: stripped by the source's policy, published as CSV.

Real workbooks written with openpyxl (Vietnamese text, one ward name with decomposed tone
marks as some spreadsheet exports carry), served on 127.0.0.1 as a file source (a single
URL and a folder described by a sidecar) and as a CKAN resource. The checks read what the
public gets: the download, the REST records API and CKAN's datastore_search, and
everything the portal stored (database rows, files, decrypted vault originals).
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from openpyxl import Workbook

from tests.harvesters.conftest import package, register, search_page
from tests.harvesters.test_sanitize import _everything_stored
from tests.servers import Recorded, ReplayServer

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEARCH = "/api/action/package_search"
HEADER = ["ho_ten", "so_dien_thoai", "so_cccd", "phuong", "so_nhan_khau"]
ROWS = [
    ["Nguyễn Văn Bình", "0903123456", "079203001234", "Bến Nghé", 4],
    ["Trần Thị Mai", "0912765432", "079185004321", "Đa Kao", 3],
    ["Lê Văn Cường", "0987001122", "079190007788", unicodedata.normalize("NFD", "Tân Định"), 5],
]
RAW = ("Nguyễn Văn Bình", "Trần Thị Mai", "Lê Văn Cường", "0903123456", "0912765432")
RAW += ("0987001122", "079203001234", "079185004321", "079190007788")
POLICY = {"policy": {"person_name": "drop", "phone": "drop", "citizen_id": "hash"}}
PUBLIC_COLUMNS = ["so_cccd", "phuong", "so_nhan_khau"]


def workbook(header: list[str], rows: list[list[Any]], sheet: str = "Hộ dân") -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = sheet
    page.append(header)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx(data: bytes) -> Recorded:
    return Recorded(200, data, {"Content-Type": XLSX_TYPE})


@pytest.fixture
def web(hsettings, hservices):
    from app import create_app

    return create_app(hsettings, hservices).test_client()


def _check_public(svc: Any, web: Any, title: str) -> None:
    """The dataset is published as normalized CSV without the stripped columns anywhere."""
    views = {v.title: v for v in svc.catalog.iter_all()}
    view = views[title]
    resource = view.resources[0]
    assert resource.format == "CSV"
    assert resource.row_count == 3
    assert [f["name"] for f in resource.table_schema["fields"]] == PUBLIC_COLUMNS
    page = web.get(f"/dataset/{view.name}")
    assert page.status_code == 200
    links = re.findall(rf'/dataset/{view.name}/resource/{resource.id}/download/[^"]+', page.text)
    assert links, "no download link on the dataset page"
    csv_link = next(link for link in links if link.endswith(".csv"))
    download = web.get(csv_link)
    assert download.status_code == 200
    text = download.data.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(PUBLIC_COLUMNS)
    assert unicodedata.is_normalized("NFC", text)
    assert ",Tân Định,5" in text and ",Bến Nghé,4" in text  # composed tone marks
    hashed = [line.split(",")[0] for line in lines[1:]]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashed)  # the ID column, hashed
    records = web.get(f"/api/v1/datasets/{view.name}/resources/{resource.id}/records").get_json()
    assert [sorted(item) for item in records["items"]] == [sorted(PUBLIC_COLUMNS)] * 3
    assert [item["phuong"] for item in records["items"]] == ["Bến Nghé", "Đa Kao", "Tân Định"]
    assert [item["so_cccd"] for item in records["items"]] == hashed
    ckan = web.get(f"/api/3/action/datastore_search?resource_id={resource.id}").get_json()
    assert ckan["success"] is True
    assert [f["id"] for f in ckan["result"]["fields"] if f["id"] != "_id"] == PUBLIC_COLUMNS
    assert len(ckan["result"]["records"]) == 3
    for surface in (text, str(records), str(ckan), page.text):
        for value in RAW:
            assert value not in surface
    stored = _everything_stored(svc)
    for value in RAW:
        assert value not in stored, f"{value!r} was stored"


def test_single_xlsx_url_is_stripped_and_published_as_csv(hservices, org, web):
    data = workbook(HEADER, ROWS)
    with ReplayServer({"/tep/ho-dan.xlsx": _xlsx(data)}) as server:
        register(hservices, "tep-xlsx", "file", f"{server.url}/tep/ho-dan.xlsx", org, POLICY)
        report = hservices.harvester.run("tep-xlsx")
    assert [(i.outcome.value, i.held) for i in report.items] == [("created", False)], (
        report.to_dict()
    )
    _check_public(hservices, web, "ho-dan")


def test_sidecar_folder_with_xlsx_and_csv_files(hservices, org, web):
    sidecar = {
        "datasets": [
            {"file": "ho-dan.xlsx", "title": "Hộ dân theo phường", "approved": "yes"},
            {"file": "cho.csv", "title": "Danh sách chợ", "approved": "yes"},
        ]
    }
    table = "ten_cho,quan\nChợ Bến Thành,Quận 1\n"
    with ReplayServer(
        {
            "/kho/metadata.json": ReplayServer.json(sidecar),
            "/kho/ho-dan.xlsx": _xlsx(workbook(HEADER, ROWS)),
            "/kho/cho.csv": Recorded(200, table.encode(), {"Content-Type": "text/csv"}),
        }
    ) as server:
        config = {"approval_extra": "approved=yes", **POLICY}
        register(hservices, "kho-xlsx", "file", f"{server.url}/kho/metadata.json", org, config)
        report = hservices.harvester.run("kho-xlsx")
    outcomes = sorted((i.remote_id.rsplit("/", 1)[-1], i.outcome.value) for i in report.items)
    assert outcomes == [("cho.csv", "created"), ("ho-dan.xlsx", "created")], report.to_dict()
    _check_public(hservices, web, "Hộ dân theo phường")


def test_ckan_resource_in_xlsx(hservices, org, web):
    with ReplayServer({}) as server:
        url = f"{server.url}/dataset/ho-dan/resource/r1/download/ho-dan.xlsx"
        listed = package(1, url, title="Hộ dân (CKAN)")
        listed["resources"][0]["format"] = "XLSX"
        server.routes[SEARCH] = search_page([listed])
        server.routes["/dataset/ho-dan/resource/r1/download/ho-dan.xlsx"] = _xlsx(
            workbook(HEADER, ROWS)
        )
        register(hservices, "ckan-xlsx", "ckan", server.url, org, POLICY)
        report = hservices.harvester.run("ckan-xlsx")
    assert [(i.outcome.value, i.held) for i in report.items] == [("created", False)], (
        report.to_dict()
    )
    _check_public(hservices, web, "Hộ dân (CKAN)")


def test_xlsx_with_an_undecided_column_is_held_and_not_public(hservices, org, web):
    data = workbook(HEADER, ROWS)
    partial = {"policy": {"phone": "drop", "citizen_id": "hash"}}  # names: nobody decided
    with ReplayServer({"/tep/ho-dan.xlsx": _xlsx(data)}) as server:
        register(hservices, "tep-xlsx-giu", "file", f"{server.url}/tep/ho-dan.xlsx", org, partial)
        report = hservices.harvester.run("tep-xlsx-giu")
    item = report.items[0]
    assert item.outcome.value == "created" and item.held
    assert item.reason == "undecided_personal_data: ho_ten (person_name)"
    assert list(hservices.catalog.iter_all()) == []
    assert "ho-dan" not in web.get("/dataset").get_data(as_text=True)
    stored = _everything_stored(hservices)
    for value in RAW:
        assert value not in stored, f"{value!r} was stored"
