"""Issue 21: the citizen on a phone (375 px) and on a desktop (1280 px), in both languages.

Layout is measured in the browser: the map's district names keep a readable size, the map
zooms (buttons, keys, wheel, pinch), the preview sits near the top of the dataset page, the
header takes at most two lines, and the theme checkboxes line up with their names.
Screenshots go to each test's tmp dir (their paths are in the assertion messages).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from publishers import Role
from tests.browser.helpers import axe_violations, seed
from tests.factories import PASSWORD, make_org, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
HEADER_MAX = 72  # two lines of a 16 px font with the header's padding
PREVIEW_MAX = 1.0  # the preview table starts within the first screen of the dataset page


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/user/login")
    page.fill("#login", name)
    page.fill("#password", PASSWORD)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()


def _label_sizes(page) -> list[dict]:
    """The district names drawn on the map that are visible, with their size on screen."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.map svg text'))
            .filter(t => getComputedStyle(t).visibility === 'visible'
                         && getComputedStyle(t).display !== 'none')
            .map(t => ({name: t.textContent, height: t.getBoundingClientRect().height,
                        font: parseFloat(getComputedStyle(t).fontSize),
                        scale: t.ownerSVGElement.getScreenCTM().a}))"""
    )


def _view_box(page) -> list[float]:
    box = page.locator("figure.map svg.map-base").first.get_attribute("viewBox") or ""
    return [float(n) for n in box.split()]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_at_phone_and_desktop_widths(services, live_server, page, tmp_path, language) -> None:
    catalog = seed(services)
    org = make_org(services, title="Sở Xây dựng")
    publisher = make_user(services, org, Role.PUBLISHER, name=f"an-{language}")
    base = live_server.url
    _sign_in(page, base, publisher.name)
    page.goto(f"{base}/lang/{language}")
    pages = {
        "home": "/",
        "search": "/dataset?q=xe+buyt",
        "dataset": f"/dataset/{catalog.stops}",
        "form": "/dataset/new",
    }
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for name, path in pages.items():
            page.goto(base + path)
            shot = _shot(page, tmp_path, f"{name}-{language}-{size['width']}")
            assert page.evaluate("document.documentElement.lang") == language, shot
            assert axe_violations(page) == [], shot
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= size["width"], f"{name} scrolls sideways ({scroll}px): {shot}"
            header = page.locator(".site-header").bounding_box()
            if size is PHONE:
                assert header and header["height"] <= HEADER_MAX, (header, shot)
            if name == "dataset":
                labels = _label_sizes(page)
                assert labels, f"no district name on the map: {shot}"
                small = [x for x in labels if x["height"] < 12 or x["font"] * x["scale"] < 12]
                assert small == [], (small, shot)
                table = page.locator(f"#preview-{catalog.stops_resource} table")
                top = page.evaluate(
                    "e => e.getBoundingClientRect().top + window.scrollY", table.element_handle()
                )
                limit = PREVIEW_MAX * size["height"]
                assert top <= limit, f"the preview starts at {top}px (> {limit}): {shot}"
            if name == "form":
                _assert_checkboxes_aligned(page, shot)


def _assert_checkboxes_aligned(page, shot: Path) -> None:
    offsets = page.evaluate(
        """() => Array.from(document.querySelectorAll('.checks label')).map(label => {
            const box = label.querySelector('input').getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(label);
            range.setStartAfter(label.querySelector('input'));
            const text = range.getBoundingClientRect();
            return {label: label.textContent.trim(),
                    offset: Math.abs((box.top + box.bottom) / 2 - (text.top + text.bottom) / 2),
                    size: box.height};
        })"""
    )
    assert len(offsets) == 2, offsets  # the two seeded themes
    assert all(o["offset"] <= 4 and 12 <= o["size"] <= 24 for o in offsets), (offsets, shot)


def test_map_zooms_with_buttons_keys_wheel_and_pinch(
    services, live_server, browser, tmp_path
) -> None:
    catalog = seed(services)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/dataset/{catalog.stops}")
    whole = _view_box(page)
    frame = page.locator("figure.map .map-frame").first
    shown = len(_label_sizes(page))
    figure = page.locator("figure.map").first
    before = tmp_path / "map-375.png"
    figure.screenshot(path=str(before))

    page.get_by_role("button", name="Phóng to").first.click()
    zoomed = _view_box(page)
    shot = tmp_path / "map-zoomed-375.png"
    figure.screenshot(path=str(shot))
    assert zoomed[2] == pytest.approx(whole[2] / 1.5, abs=0.1), (zoomed, shot)
    assert float(frame.get_attribute("data-zoom") or 0) == pytest.approx(1.5, abs=0.01)
    labels = _label_sizes(page)
    assert len(labels) > shown and all(x["height"] >= 12 for x in labels), (labels, before, shot)

    frame.focus()  # keyboard: arrows move, + and - zoom, 0 shows the whole map
    page.keyboard.press("ArrowRight")
    moved = _view_box(page)
    assert moved[0] > zoomed[0] and moved[2] == zoomed[2], (zoomed, moved)
    page.keyboard.press("+")
    assert _view_box(page)[2] == pytest.approx(zoomed[2] / 1.5, abs=0.1)
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert _view_box(page) == whole
    assert page.get_by_role("button", name="Thu nhỏ").first.is_disabled()

    box = frame.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -100)  # the map has the focus: the wheel zooms it
    page.locator("figure.map .map-frame.zoomed").first.wait_for()
    assert _view_box(page)[2] < whole[2]
    page.get_by_role("button", name="Toàn bản đồ").first.click()
    assert _view_box(page) == whole

    cdp = context.new_cdp_session(page)  # two fingers moving apart
    mid_x, mid_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for spread in (20, 40, 60, 80):
        cdp.send(
            "Input.dispatchTouchEvent",
            {
                "type": "touchStart" if spread == 20 else "touchMove",
                "touchPoints": [
                    {"x": mid_x - spread, "y": mid_y, "id": 1},
                    {"x": mid_x + spread, "y": mid_y, "id": 2},
                ],
            },
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    pinched = _view_box(page)
    assert pinched[2] == pytest.approx(whole[2] / 4, rel=0.05), pinched
    context.close()


def test_phone_menu_and_downloads_work_without_javascript(services, live_server, browser) -> None:
    catalog = seed(services)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/dataset/{catalog.stops}")
    datasets_link = page.locator(".site-header nav").get_by_role("link", name="Bộ dữ liệu")
    assert datasets_link.is_hidden()
    menu = page.locator(".nav-menu > summary")
    menu.focus()
    page.keyboard.press("Enter")  # the menu opens from the keyboard
    assert datasets_link.is_visible()
    assert page.locator(".site-header nav").get_by_role("link", name="EN").is_visible()

    other = page.locator(".other-formats summary")
    assert other.inner_text().endswith("XLSX, PARQUET, JSON, GEOJSON")  # the stops have points
    xlsx = page.get_by_role("link", name="Tải xuống data.xlsx")
    assert xlsx.is_hidden() and page.get_by_role("link", name="Tải xuống data.csv").is_visible()
    other.click()
    assert xlsx.is_visible()
    context.close()

    desktop = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = desktop.new_page()
    page.goto(f"{live_server.url}/dataset/{catalog.stops}")
    assert page.locator(".nav-menu > summary").is_hidden()  # wide: the links always show
    assert page.locator(".site-header nav").get_by_role("link", name="Bộ dữ liệu").is_visible()
    assert page.locator("figure.map .map-controls").is_hidden()  # no script, no zoom buttons
    desktop.close()
