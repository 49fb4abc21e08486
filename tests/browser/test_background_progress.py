"""The publisher watches a large upload being validated in the background, then sees the result."""

from __future__ import annotations

import re

import pytest

from tests.app.test_processing_progress import background_portal
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD
from tests.servers import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_manage_page_shows_rows_validated_then_the_result(settings, monkeypatch, page) -> None:
    portal = background_portal(settings, monkeypatch)
    server = LiveServer(portal.app)
    server.start()
    try:
        page.goto(server.url + "/user/login")
        page.fill("#login", portal.user.name)
        page.fill("#password", PASSWORD)
        page.locator("form.form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(f"{server.url}/dataset/{portal.dataset_name}/manage")
        status = page.locator("[data-status-url]")
        assert "Đang kiểm tra (định dạng, hợp lệ, dữ liệu cá nhân)" in status.inner_text()
        portal.start_jobs()
        rows = page.locator(".job-rows")
        # The script shows the step and the rows done, in Vietnamese number format.
        rows.filter(has_text=re.compile(r"^[1-9][\d.]* / 60\.000 dòng$")).wait_for(timeout=60_000)
        assert "Bước 2 trên 4" in page.locator(".job-stage").inner_text()
        value = page.locator(".job-progress progress").evaluate("bar => bar.value")
        assert 0 <= value < 100  # percent of rows validated (1 % is 600 rows)
        screenshot(page, "background-validation-progress")
        # When the job is done the page reloads by itself and shows the result.
        page.locator("p.ok").first.wait_for(timeout=60_000)
        assert page.locator("p.ok").first.inner_text() == "✔ Bảng dữ liệu hợp lệ."
        assert "60.000 dòng" in page.locator("article.resource .meta").first.inner_text()
        assert page.locator("[data-status-url]").count() == 0
    finally:
        server.stop()
        portal.close()
