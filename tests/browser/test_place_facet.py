"""A reader narrows the search to a place: from the facet list, then by typing an old ward's
name, without accents, in the facet's box (issue 22)."""

from __future__ import annotations

import pytest

from datasets.metadata_input import DatasetMetadata
from publishers import Role
from tests.browser.helpers import axe_violations, seed
from tests.factories import SAMPLE_CSV, actor, make_org, make_user, upload_bytes

pytestmark = [pytest.mark.browser]


def _publish_covering(services, title: str, **coverage: object) -> None:
    org = make_org(services, title="Ủy ban nhân dân Phường Bến Thành")
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    meta = DatasetMetadata(title_vi=title, description_vi=f"{title}.", **coverage)
    dataset = services.editor.create(publisher, org.id, meta)
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reader_filters_by_a_ward_by_its_current_and_old_names(services, live_server, page) -> None:
    seed(services)  # three datasets covering the whole city
    _publish_covering(services, "Quầy hàng chợ Bến Thành", spatial_units=("26743",))
    _publish_covering(services, "Nhà trọ khu Phạm Ngũ Lão", spatial="Phường Phạm Ngũ Lão, Quận 1")
    _publish_covering(services, "Bến xe Thủ Đức", spatial_units=("26824",))
    page.goto(live_server.url + "/dataset")
    facet = page.locator("details.facet", has=page.locator("summary", has_text="Địa bàn"))
    assert facet.count() == 1
    facet.get_by_role("link", name="Phường Bến Thành", exact=True).click()
    assert page.get_by_role("status").first.inner_text().startswith("Tìm thấy 2 bộ dữ liệu")
    titles = page.locator(".results h3").all_inner_texts()
    assert {t.strip() for t in titles} == {"Quầy hàng chợ Bến Thành", "Nhà trọ khu Phạm Ngũ Lão"}
    assert page.locator(".active-filters").inner_text().count("Phường Bến Thành") == 1
    assert axe_violations(page) == []
    # Typed in the facet's box: an old ward's name without accents finds what covers the
    # ward it became part of.
    page.goto(live_server.url + "/dataset")
    page.fill("#place-name", "pham ngu lao")
    page.locator("form.place-filter button[type=submit]").click()
    titles = page.locator(".results h3").all_inner_texts()
    assert {t.strip() for t in titles} == {"Quầy hàng chợ Bến Thành", "Nhà trọ khu Phạm Ngũ Lão"}
    assert "Phường Phạm Ngũ Lão, Quận 1" in page.locator(".active-filters").inner_text()
    assert axe_violations(page) == []
    # The place's own page, reached from the dataset page
    page.get_by_role("link", name="Quầy hàng chợ Bến Thành", exact=True).click()
    page.get_by_role("link", name="Phường Bến Thành", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Phường Bến Thành"
    assert page.get_by_role("link", name="Phường Phạm Ngũ Lão, Quận 1").count() == 1
    assert axe_violations(page) == []
