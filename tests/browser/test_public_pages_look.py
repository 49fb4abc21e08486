"""The main public pages at desktop and phone widths: axe-core, screenshots, no sideways scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.helpers import axe_violations, seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _pages(catalog) -> dict[str, str]:
    return {
        "home": "/",
        "search": "/dataset?q=xe+buyt&theme=giao-thong",
        "search-empty": "/dataset?q=khong+co+gi+het",
        "dataset": f"/dataset/{catalog.stops}",
        "resource": f"/dataset/{catalog.stops}/resource/{catalog.stops_resource}",
        "organization": f"/organization/{catalog.org}",
        "organizations": "/organization",
        "theme": "/group/giao-thong",
        "themes": "/group",
    }


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_serious_accessibility_violations(services, live_server, page, language) -> None:
    catalog = seed(services)
    page.goto(f"{live_server.url}/lang/{language}")
    problems = {}
    for name, path in _pages(catalog).items():
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang") == language
        found = axe_violations(page)
        if found:
            problems[name] = found
    assert problems == {}, problems


def test_screenshots_at_desktop_and_phone_widths(services, live_server, page) -> None:
    catalog = seed(services)
    for width, label in ((1280, "desktop"), (375, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in _pages(catalog).items():
            page.goto(live_server.url + path)
            path_png = screenshot(page, f"{name}-{label}")
            assert path_png.stat().st_size > 5000
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name} scrolls sideways at {width}px ({scroll}px)"
