"""A citizen finds a dataset without accents, filters, previews, downloads, switches language."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.browser.helpers import seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _first_cells(page, rid: str) -> list[str]:
    return page.locator(f"#preview-{rid} tbody tr td:first-child").all_inner_texts()


def test_find_filter_preview_download_and_switch_language(services, live_server, page) -> None:
    catalog = seed(services)
    page.goto(live_server.url + "/")
    assert "Dữ liệu mở Thành phố Hồ Chí Minh" in page.title()
    page.fill("#q", "tram dung xe buyt duong pho")  # no accents
    page.keyboard.press("Enter")
    page.wait_for_url("**/dataset?q=*")
    assert page.locator("article.card").count() == 1
    assert page.locator("article.card mark").first.inner_text() == "Trạm"

    page.goto(live_server.url + "/dataset")
    assert page.locator("article.card").count() == 3
    page.locator(".facets").get_by_role("link", name="Giao thông", exact=True).click()  # facet
    page.wait_for_url("**theme=giao-thong**")
    assert page.locator("article.card").count() == 2
    assert page.locator(".chip.removable", has_text="Giao thông").count() == 1
    page.get_by_role("link", name="Trạm dừng xe buýt đường phố").click()
    page.wait_for_url(f"**/dataset/{catalog.stops}")

    rid = catalog.stops_resource
    assert _first_cells(page, rid)[:2] == ["T000", "T001"]
    page.locator(f"#preview-{rid} a[rel=next]").click()  # next page, in place
    # A locator, not wait_for_function: string predicates need eval, which the CSP refuses.
    page.locator(f"#preview-{rid} .preview-summary", has_text="11–20").wait_for()
    assert _first_cells(page, rid)[0] == "T010"
    page.locator(f"#preview-{rid} th a", has_text="so_cho").click()  # sort ascending
    page.wait_for_selector(f"#preview-{rid} th[aria-sort=ascending]")
    page.locator(f"#preview-{rid} th a", has_text="so_cho").click()  # then descending
    page.wait_for_selector(f"#preview-{rid} th[aria-sort=descending]")
    values = page.locator(f"#preview-{rid} tbody tr td:nth-child(6)").all_inner_texts()
    assert values == sorted(values, key=int, reverse=True) and int(values[0]) >= 55
    assert "sort=so_cho" in page.url and "desc=1" in page.url  # the URL can be shared

    shown = page.locator(".checksum code").first.inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải xuống data.csv").click()
    content = Path(info.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == shown

    page.get_by_role("link", name="EN", exact=True).click()
    assert page.get_by_role("heading", name="About this dataset").count() == 1
    page.reload()
    assert page.get_by_role("heading", name="About this dataset").count() == 1  # remembered
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Open data of Ho Chi Minh City").count() == 1


def test_preview_works_without_javascript(services, live_server, browser) -> None:
    catalog = seed(services)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    rid = catalog.stops_resource
    page.goto(f"{live_server.url}/dataset/{catalog.stops}/resource/{rid}")
    page.locator(f"#preview-{rid} th a", has_text="ten_tram").click()
    page.wait_for_url("**sort=ten_tram**")
    assert _first_cells(page, rid)[0] == "T000"
    page.locator(f"#preview-{rid} a[rel=next]").click()
    page.wait_for_url("**page=2**")
    assert _first_cells(page, rid)[0] == "T025"
    context.close()


def test_keyboard_reaches_search_through_the_skip_link(services, live_server, page) -> None:
    seed(services)
    page.goto(live_server.url + "/dataset")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip" and page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
