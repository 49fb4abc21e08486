"""Each tabular resource's JSON shape says how its original was read: encoding and sheet."""

from __future__ import annotations

import io

import requests
from openpyxl import Workbook

from tests.app.api.conftest import Team
from tests.vietnamese_files import to_cp1258

STREETS = "ma,ten_duong\r\n1,Nguyễn Thị Minh Khai\r\n2,Điện Biên Phủ\r\n3,Võ Văn Tần\r\n"


def _workbook() -> bytes:
    book = Workbook()
    routes = book.active
    routes.title = "Tuyến xe"
    book.create_sheet("Ghi chú").append(["Bảng tính của Sở Giao thông Vận tải"])
    for row in (
        ["ma_tuyen", "ten_tuyen"],
        ["01", "Bến Thành - Chợ Lớn"],
        ["19", "Bến Thành - ĐHQG"],
    ):
        routes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(base: str, team: Team, name: str, filename: str, data: bytes) -> dict:
    answer = requests.post(
        f"{base}/datasets/{name}/resources",
        files={"file": (filename, data)},
        data={"name": filename},
        headers=team.publisher,
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_resource_shapes_carry_the_encoding_and_sheet_read(live_server, team: Team) -> None:
    base = f"{live_server.url}/api/v1"
    created = requests.post(
        f"{base}/datasets",
        json={"organization": team.org.name, "title": "Đường phố và tuyến xe"},
        headers=team.publisher,
        timeout=30,
    )
    name = created.json()["name"]
    csv_id = _upload(base, team, name, "duong.csv", to_cp1258(STREETS))["id"]
    xlsx_id = _upload(base, team, name, "tuyen.xlsx", _workbook())["id"]
    pdf_id = _upload(base, team, name, "ghi-chu.pdf", b"%PDF-1.4\n%%EOF\n")["id"]
    member = requests.get(f"{base}/datasets/{name}", headers=team.publisher, timeout=30).json()
    by_id = {r["id"]: r for r in member["resources"]}
    assert (by_id[csv_id]["encoding"], by_id[csv_id]["sheet"]) == ("cp1258", None)
    assert (by_id[xlsx_id]["encoding"], by_id[xlsx_id]["sheet"]) == (None, "Tuyến xe")
    assert by_id[xlsx_id]["row_count"] == 2
    assert (by_id[pdf_id]["encoding"], by_id[pdf_id]["sheet"]) == (None, None)

    assert requests.post(f"{base}/datasets/{name}/submit", headers=team.publisher, timeout=30).ok
    approved = requests.post(
        f"{base}/datasets/{name}/approve", json={"comment": "OK"}, headers=team.steward, timeout=30
    )
    assert approved.json()["state"] == "published", approved.text
    public = requests.get(f"{base}/datasets/{name}", timeout=30).json()
    by_id = {r["id"]: r for r in public["resources"]}
    assert (by_id[csv_id]["encoding"], by_id[csv_id]["sheet"]) == ("cp1258", None)
    assert (by_id[xlsx_id]["encoding"], by_id[xlsx_id]["sheet"]) == (None, "Tuyến xe")
    assert (by_id[pdf_id]["encoding"], by_id[pdf_id]["sheet"]) == (None, None)
