"""The update-overdue flag (issue 21) on the dataset page, in search (page and REST), and on
the stewards' work page, with the services' clock moved instead of waiting."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date

from publishers import Role
from tests.factories import (
    PASSWORD,
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    upload_bytes,
)


def _publish(services, org, publisher, steward, title: str, frequency: str) -> str:
    dataset = make_dataset(services, publisher, org, title=title, frequency=frequency)
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset.name


def _catalog(services):
    org = make_org(services)
    publisher_info = make_user(services, org, Role.PUBLISHER)
    steward_info = make_user(services, org, Role.STEWARD)
    publisher, steward = actor(services, publisher_info), actor(services, steward_info)
    monthly = _publish(services, org, publisher, steward, "Giá cả thị trường", "MONTHLY")
    annual = _publish(services, org, publisher, steward, "Niên giám thống kê", "ANNUAL")
    irregular = _publish(services, org, publisher, steward, "Danh bạ cơ quan", "IRREG")
    return monthly, annual, irregular, steward_info


def test_overdue_flag_moves_with_the_clock_on_pages_search_and_api(services, client) -> None:
    monthly, annual, irregular, _steward = _catalog(services)
    published = services.catalog.get(monthly).modified
    due = (published + timedelta(days=30)).date()

    services.freshness.clock = lambda: published + timedelta(days=20)
    page = client.get(f"/dataset/{monthly}").get_data(as_text=True)
    assert "Cập nhật trễ hạn" not in page
    found = client.get("/dataset?overdue=1").get_data(as_text=True)
    assert f'href="/dataset/{monthly}"' not in found
    assert client.get("/api/v1/datasets?overdue=1").get_json()["total"] == 0

    services.freshness.clock = lambda: published + timedelta(days=40)
    page = client.get(f"/dataset/{monthly}").get_data(as_text=True)
    assert "Cập nhật trễ hạn: lẽ ra đã cập nhật trước ngày" in page
    assert f"lẽ ra đã cập nhật trước ngày {format_date(due, 'medium', locale='vi')}." in page
    assert "Cập nhật trễ hạn" not in client.get(f"/dataset/{annual}").get_data(as_text=True)
    found = client.get("/dataset?overdue=1").get_data(as_text=True)
    assert f'href="/dataset/{monthly}"' in found
    assert f'href="/dataset/{annual}"' not in found
    assert f'href="/dataset/{irregular}"' not in found
    assert 'class="badge overdue-badge"' in found
    everything = client.get("/dataset").get_data(as_text=True)
    assert everything.count('class="badge overdue-badge"') == 1
    listed = client.get("/api/v1/datasets?overdue=1").get_json()
    assert [item["name"] for item in listed["items"]] == [monthly]
    assert client.get("/api/v1/datasets").get_json()["total"] == 3
    assert client.get("/api/v1/datasets?overdue=yes").status_code == 400

    services.freshness.clock = lambda: published + timedelta(days=500)
    listed = client.get("/api/v1/datasets?overdue=1").get_json()
    assert sorted(item["name"] for item in listed["items"]) == sorted([monthly, annual])


def test_stewards_see_their_overdue_datasets_on_the_work_page(services, client, auth) -> None:
    monthly, annual, _irregular, steward = _catalog(services)
    other_monthly = _catalog(services)[0]  # another organization's late dataset
    published = services.catalog.get(monthly).modified
    assert auth.login(steward.name, PASSWORD).status_code == 302
    services.freshness.clock = lambda: published + timedelta(days=10)
    page = client.get("/review").get_data(as_text=True)
    assert "Trễ hạn cập nhật" not in page
    services.freshness.clock = lambda: published + timedelta(days=40)
    page = client.get("/review").get_data(as_text=True)
    assert "Trễ hạn cập nhật" in page
    section = page[page.index("Trễ hạn cập nhật") :]
    section = section[: section.index("</section>")]
    assert f"/dataset/{monthly}/manage" in section
    assert f"/dataset/{annual}/manage" not in section
    assert f"/dataset/{other_monthly}/manage" not in section
