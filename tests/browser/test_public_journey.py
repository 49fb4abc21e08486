"""A citizen finds a dataset without accents, previews and downloads it, switches language."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.factories import publish_sample

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_find_preview_download_and_switch_language(services, live_server, page) -> None:
    dataset, _rid, *_ = publish_sample(services, title="Trạm dừng xe buýt đường phố")
    page.goto(live_server.url + "/")
    assert "Dữ liệu mở Thành phố Hồ Chí Minh" in page.title()
    screenshot(page, "home-desktop")
    page.fill("#q", "tram dung xe buyt duong pho")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dataset?q=*")
    link = page.get_by_role("link", name="Trạm dừng xe buýt đường phố")
    assert link.count() == 1
    screenshot(page, "search-desktop")
    link.click()
    page.wait_for_url(f"**/dataset/{dataset.name}")
    assert page.locator("table.preview td", has_text="Trạm Chợ Lớn").count() == 1
    shown = page.locator(".checksum code").first.inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải xuống data.csv").click()
    content = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == shown
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.get_by_role("heading", name="About this dataset").count() == 1
    page.reload()
    assert page.get_by_role("heading", name="About this dataset").count() == 1  # remembered
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "dataset-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
