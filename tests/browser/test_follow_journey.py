"""A signed-in reader follows a dataset from its page and finds it on /user/following."""

from __future__ import annotations

import pytest

from tests.browser.helpers import axe_violations, seed
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reader_follows_a_dataset_and_lists_it(services, live_server, browser) -> None:
    catalog = seed(services)
    make_user(services, name="nguoi-theo-doi")
    page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    page.goto(live_server.url + "/user/login")
    page.fill("#login", "nguoi-theo-doi")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.goto(f"{live_server.url}/dataset/{catalog.parking}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Theo dõi", exact=True).click()
    assert page.get_by_role("button", name="Bỏ theo dõi").count() == 1
    page.goto(live_server.url + "/user/account")
    page.get_by_role("link", name="Bộ dữ liệu bạn theo dõi").click()
    assert page.locator(f"a[href='/dataset/{catalog.parking}']").count() == 1
    assert axe_violations(page) == []
