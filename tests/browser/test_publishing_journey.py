"""Issue 4's journey: a publisher publishes a Windows-1258 CSV and an XLSX through the form.

The publisher creates the dataset, uploads both files (with the progress bar), fixes a column
type in the schema editor and submits; a steward rejects with a comment; the publisher
resubmits; the steward approves; the public page shows the data with every Vietnamese
character intact.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from publishers import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, make_org, make_user
from tests.vietnamese_files import to_cp1258

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

CSV_TEXT = (
    "ma_cho,ten_cho,dia_ban,ngay_khai_truong,so_sap\r\n"
    "C01,Chợ Bến Thành,Phường Bến Thành,28/03/1914,1500\r\n"
    "C02,Chợ Bình Tây,Phường 2 Quận 6,15/07/1930,2300\r\n"
    "C03,Chợ Hạnh Thông Tây,Phường 11 Gò Vấp,01/01/1995,820\r\n"
)
XLSX_ROWS = [
    ["ma_cho", "mat_hang", "ghi_chu"],
    ["C01", "Vải vóc, quần áo", "Ưu tiên hàng Việt"],
    ["C02", "Đồ khô, gạo", "Đông khách dịp Tết"],
]


def _xlsx(path: Path) -> None:
    book = Workbook()
    book.active.title = "Mặt hàng"
    for row in XLSX_ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def _sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/user/login")
    page.fill("#login", name)
    page.fill("#password", PASSWORD)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.locator("header form button").click()
    page.wait_for_load_state()


def _upload(page, path: Path) -> None:
    form = page.locator("form[data-upload]").last
    form.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_publisher_to_public_page_with_rejection(services, live_server, page, tmp_path) -> None:
    org = make_org(services, title="Sở Công Thương")
    publisher = make_user(services, org, Role.PUBLISHER, name="lan-ban-tin")
    steward = make_user(services, org, Role.STEWARD, name="minh-duyet")
    base = live_server.url
    csv_path, xlsx_path = tmp_path / "cho.csv", tmp_path / "mat-hang.xlsx"
    csv_path.write_bytes(to_cp1258(CSV_TEXT))
    _xlsx(xlsx_path)

    _sign_in(page, base, publisher.name)
    page.goto(base + "/dataset/new")
    page.fill("#title_vi", "Chợ truyền thống thành phố")
    page.fill("#title_en", "Traditional markets")
    page.fill("#tags", "chợ, thương mại")
    page.fill("#contact_email", "sct@tphcm.gov.vn")
    page.get_by_role("button", name="Tạo bộ dữ liệu").click()
    page.wait_for_url("**/dataset/cho-truyen-thong-thanh-pho/manage")

    _upload(page, csv_path)
    assert page.locator(".encoding").first.get_attribute("data-encoding") == "cp1258"
    _upload(page, xlsx_path)
    assert page.locator("article.resource").count() == 2
    assert "Mặt hàng" in page.locator(".sheet").first.inner_text()
    screenshot(page, "publishing-uploaded")

    page.get_by_role("link", name="Sửa lược đồ bảng (Table Schema)").first.click()
    page.wait_for_url("**/schema")
    row = page.locator("tr", has=page.locator("code", has_text="ngay_khai_truong"))
    row.locator("select").select_option("date")
    row.locator("input[name^=format]").fill("%d/%m/%Y")
    row.locator("input[name^='title-']").fill("Ngày khai trương")
    page.get_by_role("button", name="Lưu và kiểm tra lại").click()
    page.wait_for_url("**/report")
    assert "Bảng hợp lệ" in page.locator(".summary").inner_text()
    page.get_by_role("link", name="Quay lại bộ dữ liệu").click()
    page.get_by_role("button", name="Gửi phê duyệt").click()
    page.wait_for_load_state()
    assert "Đã gửi phê duyệt." in page.content()
    _sign_out(page)

    _sign_in(page, base, steward.name)
    page.goto(base + "/review")
    assert "lan-ban-tin" in page.locator("table.review-queue").inner_text()
    page.locator("table.review-queue").get_by_role(
        "link", name="Chợ truyền thống thành phố"
    ).click()
    page.fill("#reject-comment", "Thêm mô tả tiếng Anh cho cột so_sap")
    page.get_by_role("button", name="Trả lại").click()
    page.wait_for_load_state()
    _sign_out(page)

    _sign_in(page, base, publisher.name)
    page.goto(base + "/dataset/cho-truyen-thong-thanh-pho/manage")
    assert "Thêm mô tả tiếng Anh cho cột so_sap" in page.locator(".activity").inner_text()
    page.get_by_role("button", name="Gửi phê duyệt").click()
    page.wait_for_load_state()
    _sign_out(page)

    _sign_in(page, base, steward.name)
    page.goto(base + "/dataset/cho-truyen-thong-thanh-pho/manage")
    page.get_by_role("button", name="Phê duyệt và công bố").click()
    page.wait_for_url("**/dataset/cho-truyen-thong-thanh-pho")
    _sign_out(page)

    page.goto(base + "/dataset/cho-truyen-thong-thanh-pho")
    text = page.locator("main").inner_text()
    for expected in (
        "Chợ Bến Thành",
        "Phường 11 Gò Vấp",
        "Chợ Hạnh Thông Tây",
        "Đông khách dịp Tết",
        "Ưu tiên hàng Việt",
        "Vải vóc, quần áo",
    ):
        assert expected in text, expected
    screenshot(page, "publishing-public-page")
