"""A sysadmin creates an organization and a user and gives a role; the user creates a token."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser]


def _sign_in(page, url: str, name: str, password: str) -> None:
    page.goto(url + "/user/login")
    page.fill("#login", name)
    page.fill("#password", password)
    page.click("form.form button[type=submit]")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sysadmin_sets_up_a_department_and_its_publisher_creates_a_token(
    services, live_server, browser
) -> None:
    make_user(services, sysadmin=True, name="quantri")
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(admin, live_server.url, "quantri", PASSWORD)
    admin.goto(live_server.url + "/admin/organizations")
    admin.fill("#name", "so-xay-dung")
    admin.fill("#title", "Sở Xây dựng")
    admin.fill("#email", "sxd@tphcm.example")
    admin.get_by_role("button", name="Tạo tổ chức").click()
    assert admin.get_by_role("cell", name="Sở Xây dựng").count() == 1
    admin.goto(live_server.url + "/admin/users")
    admin.fill("#name", "can-bo-sxd")
    admin.fill("#email", "canbo@tphcm.example")
    admin.fill("#password", "mat khau moi 2026")
    admin.get_by_role("button", name="Tạo người dùng").click()
    admin.goto(live_server.url + "/organization/so-xay-dung/members")
    admin.fill("#user", "can-bo-sxd")
    admin.select_option("#role", "publisher")
    admin.get_by_role("button", name="Thêm thành viên").click()
    assert admin.locator("tr[data-user=can-bo-sxd]").count() == 1
    screenshot(admin, "admin-members")

    user = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(user, live_server.url, "can-bo-sxd", "mat khau moi 2026")
    user.goto(live_server.url + "/user/account")
    user.fill("#token-name", "nhập dữ liệu hằng đêm")
    user.select_option("#token-scope", "read-write")
    user.get_by_role("button", name="Tạo khóa").click()
    token = user.locator("#new-token").inner_text()
    assert re.fullmatch(r"odp_[A-Za-z0-9_-]{40,}", token)
    assert services.tokens.verify(token).user_id == services.accounts.get_user("can-bo-sxd").id
    assert user.locator("tr[data-token='nhập dữ liệu hằng đêm']").count() == 1
    screenshot(user, "account-token")
