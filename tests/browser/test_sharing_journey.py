"""Issue 18's journey: a business asks for a restricted dataset, the steward approves, the
business downloads the agency projection (a phone number only the agency file has), the
grant expires and the download is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from datasets.sharing_model import Grant
from tests.app.web.sharing_fixtures import PHONE, publish_restricted
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/user/login")
    page.fill("#login", name)
    page.fill("#password", PASSWORD)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.locator("header form button").click()
    page.wait_for_load_state()


def test_request_approve_download_expire(services, live_server, page) -> None:
    shared = publish_restricted(services)
    base = live_server.url
    dataset_page = f"{base}/dataset/{shared.name}"

    # The business reads the level, asks for two columns with a purpose.
    _sign_in(page, base, shared.business_info.name)
    page.goto(dataset_page)
    assert "Hạn chế" in page.inner_text("#access-title")
    assert PHONE not in page.content()
    page.locator(f"a[href$='/dataset/{shared.name}/request-access']").first.click()
    page.wait_for_load_state()
    page.fill("#purpose", "Đối chiếu hồ sơ hộ dân cần hỗ trợ")
    page.fill("#legal_basis", "Nghị định 13/2023/NĐ-CP")
    page.check("input[name=columns][value=ma_ho]")
    page.check("input[name=columns][value=so_dien_thoai]")
    page.fill("#until", (date.today() + timedelta(days=60)).isoformat())
    page.locator("form.request-access button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/user/access")
    assert "đang chờ trả lời" in page.inner_text("table.requests")
    _sign_out(page)

    # The steward finds the queue from the organization page and approves.
    _sign_in(page, base, shared.steward_info.name)
    page.goto(f"{base}/organization/{shared.org.name}")
    page.locator(f"a[href$='/organization/{shared.org.name}/sharing']").first.click()
    page.wait_for_load_state()
    assert "Đối chiếu hồ sơ hộ dân cần hỗ trợ" in page.inner_text(".access-request")
    page.fill("input[name=expires]", (date.today() + timedelta(days=30)).isoformat())
    page.locator("form.approve button[type=submit]").click()
    page.wait_for_load_state()
    assert "đang hoạt động" in page.inner_text("table.grants")
    screenshot(page, "sharing-steward")
    _sign_out(page)

    # The business downloads the agency projection, narrowed to the granted columns.
    _sign_in(page, base, shared.business_info.name)
    page.goto(dataset_page)
    assert PHONE in page.inner_text(".resource table")  # the preview, granted columns only
    assert "Nguyễn Văn An" not in page.content()
    with page.expect_download() as info:
        page.locator(".downloads a.button").first.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "ma_ho,so_dien_thoai"
    assert f"H001,{PHONE}" in text and "Nguyễn Văn An" not in text
    download_url = page.locator(".downloads a.button").first.get_attribute("href")
    log = services.sharing.access_log(shared.steward, shared.name)
    assert [(e.user, e.surface) for e in log] == [
        (shared.business_info.name, "download"),  # newest first
        (shared.business_info.name, "page"),  # the preview of the narrowed agency file
    ]

    # The grant expires: the next download is refused, at once.
    with services.sessions.begin() as session:
        session.execute(update(Grant).values(expires=datetime.now(UTC) - timedelta(minutes=1)))
    response = page.goto(base + download_url)
    assert response is not None and response.status == 403
    assert PHONE not in page.content()
    assert "Yêu cầu truy cập" in page.inner_text("main")
    screenshot(page, "sharing-refused")
    page.goto(base + "/user/access")
    assert "đã hết hạn" in page.inner_text("table.grants")
