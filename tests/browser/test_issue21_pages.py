"""Issue 21: the new and changed pages at 375 and 1280 px, in Vietnamese and English.

Each page is screenshotted (paths in the assertion messages), says what it should in the
page's language, passes axe-core's serious and critical rules and never scrolls sideways:
the site's own pages (about, terms, privacy, contact), data requests, the API reference,
the public page that says what was done to personal data, and the manage page that shows
the public file before it is public.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.metadata_input import DatasetMetadata
from publishers import Role
from tests.browser.helpers import axe_violations, seed
from tests.factories import PASSWORD, actor, make_org, make_user, upload_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

SIZES = ({"width": 375, "height": 812}, {"width": 1280, "height": 900})
REQUEST_FORM = {"vi": "Cho chúng tôi biết", "en": "Tell us which data you need"}
HOUSEHOLDS = (
    "ho_ten,dia_chi,so_nguoi\n"
    'Nguyễn Văn An,"12 Lê Lợi, Phường Bến Nghé, Quận 1",4\n'
    'Trần Thị Bình,"40 Hai Bà Trưng, Phường Bến Nghé, Quận 1",3\n'
    'Lê Văn Cường,"7 Pasteur, Phường Bến Thành, Quận 1",5\n'
).encode()


def _households(services, org, *, publish: bool) -> str:
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    meta = DatasetMetadata(
        title_vi="Hộ gia đình theo phường" + (" (nháp)" if not publish else ""),
        title_en="Households by ward",
        description_vi="Số người mỗi hộ.",
    )
    dataset = services.editor.create(publisher, org.id, meta)
    upload_bytes(services, publisher, dataset.name, HOUSEHOLDS)
    if publish:
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
    return dataset.name


@pytest.mark.parametrize("language", ["vi", "en"])
def test_issue_21_pages_at_phone_and_desktop_widths(
    services, live_server, page, tmp_path: Path, language: str
) -> None:
    seed(services)
    org = make_org(services, title="Sở Tài chính")
    published = _households(services, org, publish=True)
    draft = _households(services, org, publish=False)
    publisher = make_user(services, org, Role.PUBLISHER, name=f"lan-{language}")
    base = live_server.url
    page.goto(f"{base}/lang/{language}")
    vi = language == "vi"
    public = {
        "about": ("/about", "Giới thiệu cổng dữ liệu" if vi else "About this portal"),
        "terms": ("/terms", "Điều khoản sử dụng" if vi else "Terms of use"),
        "privacy": ("/privacy", "cookie theo dõi" if vi else "no tracking cookies"),
        "contact": ("/contact", "hộp thư của cơ quan" if vi else "names the mailbox"),
        "requests": ("/requests", "Yêu cầu dữ liệu" if vi else "Data requests"),
        "request-form": ("/requests/new", REQUEST_FORM[language]),
        "overdue-search": ("/dataset?overdue=1", "Cập nhật trễ hạn" if vi else "Update overdue"),
        "api": ("/api/v1/docs", "Tìm các bộ dữ liệu đã công bố" if vi else "Search published"),
        "protections": (
            f"/dataset/{published}",
            "chỉ giữ phường, xã" if vi else "only the ward or commune",
        ),
    }
    signed_in = {
        "manage": (
            f"/dataset/{draft}/manage",
            "dòng đầu của tệp công khai" if vi else "rows of the public file",
        ),
        "following": (
            "/user/following",
            "Bộ dữ liệu bạn theo dõi" if vi else "Datasets you follow",
        ),
    }
    for size in SIZES:
        page.set_viewport_size(size)
        for pages in (public, signed_in):
            if pages is signed_in:
                _sign_in(page, base, publisher.name)
                page.goto(f"{base}/lang/{language}")
            for name, (path, words) in pages.items():
                page.goto(base + path)
                shot = tmp_path / f"{name}-{language}-{size['width']}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert page.evaluate("document.documentElement.lang") == language, shot
                assert words in page.inner_text("main"), (words, shot)
                assert axe_violations(page) == [], shot
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= size["width"], (name, scroll, _too_wide(page, size), shot)
        page.goto(base + "/user/logout")
        page.context.clear_cookies()
        page.goto(f"{base}/lang/{language}")
    # Nothing of the citizens' names reached the public page.
    page.goto(f"{base}/dataset/{published}")
    assert "Nguyễn Văn An" not in page.content()


def _too_wide(page, size: dict) -> list[str]:
    """The innermost elements that reach past the viewport (what makes a page scroll)."""
    return page.evaluate(
        """width => Array.from(document.querySelectorAll('main *'))
            .filter(e => e.getBoundingClientRect().right > width + 1
                         && !Array.from(e.children).some(
                             c => c.getBoundingClientRect().right > width + 1))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                             Math.round(e.getBoundingClientRect().right))""",
        size["width"],
    )


def _sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/user/login")
    page.fill("#login", name)
    page.fill("#password", PASSWORD)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()
