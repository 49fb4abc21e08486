"""Issue 21's journey: a citizen finds nothing, asks for the data from the empty search page;
the asked department's steward finds the request on their work page and answers it."""

from __future__ import annotations

import pytest

from publishers import Role
from tests.browser.conftest import screenshot
from tests.browser.helpers import axe_violations
from tests.factories import PASSWORD, make_org, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

EMAIL = "cu.dan.hoi@example.org"


def test_citizen_asks_from_empty_search_and_steward_answers(services, live_server, page) -> None:
    org = make_org(services, title="Sở Công Thương")
    steward = make_user(services, org, Role.STEWARD)
    base = live_server.url

    # A citizen searches, finds nothing and asks from the empty result.
    page.goto(f"{base}/dataset?q=giá điện theo giờ")
    page.get_by_role("link", name="Không tìm thấy? Yêu cầu dữ liệu").click()
    page.wait_for_load_state()
    assert page.input_value("#title") == "giá điện theo giờ"
    page.fill("#description", "Để so sánh chi phí sạc xe điện theo giờ")
    page.select_option("#organization", org.name)
    page.fill("#contact_email", EMAIL)
    assert axe_violations(page) == []
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đang chờ" in page.inner_text("main")
    assert EMAIL not in page.content()
    request_url = page.url
    page.goto(f"{base}/requests")
    assert "giá điện theo giờ" in page.inner_text("main") and EMAIL not in page.content()

    # The department's steward sees it on their work page and answers from its page.
    page.goto(base + "/user/login")
    page.fill("#login", steward.name)
    page.fill("#password", PASSWORD)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{base}/review")
    page.locator("ul.open-requests a", has_text="giá điện theo giờ").click()
    page.wait_for_load_state()
    assert page.url == request_url
    page.select_option("#answer-status", "planned")
    page.fill("#answer-note", "Sở sẽ công bố vào quý 3")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Lưu câu trả lời").click()
    page.wait_for_load_state()
    history = page.inner_text("ol.request-history")
    assert "Đã lên kế hoạch: Sở sẽ công bố vào quý 3" in history
    screenshot(page, "data-request-answered")
    mail = services.mailer.messages()[-1]
    assert mail["To"] == EMAIL and "Sở sẽ công bố vào quý 3" in mail.get_content()
