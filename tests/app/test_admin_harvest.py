"""Admin pages of harvest sources, and provenance on the public dataset page and DCAT."""

from __future__ import annotations

import pytest

from publishers import Role
from tests.conftest import AuthActions, csrf_from
from tests.factories import PASSWORD, make_org, make_user
from tests.harvesters.conftest import csv_route, package, search_page
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"


@pytest.fixture
def hclient(settings):
    from app import create_app
    from app.services import build_services

    local = settings.with_overrides(harvest_allowed_hosts="127.0.0.1")
    svc = build_services(local)
    yield create_app(local, svc).test_client(), svc
    svc.engine.dispose()


def test_admin_registers_runs_and_reads_reports(hclient):
    client, svc = hclient
    org = make_org(svc, "so-admin")
    make_user(svc, sysadmin=True, name="quantri")
    AuthActions(client).login("quantri", PASSWORD)
    with ReplayServer({}) as server:
        url = f"{server.url}/t.csv"
        server.routes[SEARCH] = search_page([package(1, url), package(2, url, tags=("nhap",))])
        server.routes["/t.csv"] = csv_route("ma,so\nA,1\nB,2\n")
        form = {
            "csrf_token": csrf_from(client, "/admin/harvest/new"),
            "name": "nguon-web",
            "type": "ckan",
            "organization": org.name,
            "url": server.url,
            "schedule": "daily",
            "config": '{"approval_tag": "approved", "max_withdraw_share": 2}',
        }
        bad = client.post("/admin/harvest/new", data=form)
        assert bad.status_code == 422
        assert "config.max_withdraw_share" in bad.get_data(as_text=True)
        form["config"] = '{"approval_tag": "approved"}'
        created = client.post("/admin/harvest/new", data=form)
        assert created.headers["Location"].endswith("/admin/harvest/nguon-web")
        listing = client.get("/admin/harvest").get_data(as_text=True)
        assert "nguon-web" in listing and "daily" in listing
        token = csrf_from(client, "/admin/harvest/nguon-web")
        queued = client.post("/admin/harvest/nguon-web/run", data={"csrf_token": token})
        page = client.get(queued.headers["Location"]).get_data(as_text=True)
        assert "00000000-0000-0000-0000-000000000001" in page
        assert "00000000-0000-0000-0000-000000000002" not in page  # not approved
        assert "/dataset/bo-du-lieu-1/manage" in page or "bo-du-lieu-1" in page
    dataset = next(iter(svc.catalog.iter_all()))
    public = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert "nguon-web" in public
    ttl = client.get(f"/dataset/{dataset.name}.ttl").get_data(as_text=True)
    assert "Harvested from nguon-web (ckan)" in ttl
    assert f"{server.url}/dataset/bo-du-lieu-1" in ttl


def test_admin_harvest_pages_are_for_sysadmins_only(hclient):
    client, svc = hclient
    org = make_org(svc, "so-khong")
    make_user(svc, org, Role.STEWARD, name="quanly")
    AuthActions(client).login("quanly", PASSWORD)
    page = client.get("/admin/harvest")
    assert page.status_code == 403 and "nguon" not in page.get_data(as_text=True)
    anonymous = client.application.test_client().get("/admin/harvest")
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def test_job_page_explains_held_licences_in_both_languages(hclient):
    client, svc = hclient
    org = make_org(svc, "so-giay-phep")
    make_user(svc, sysadmin=True, name="quantri2")
    AuthActions(client).login("quantri2", PASSWORD)
    with ReplayServer({}) as server:
        url = f"{server.url}/t.csv"
        server.routes[SEARCH] = search_page(
            [
                package(1, url, license_id="cc-nc"),
                package(2, url, license_id="giay-phep-<b>rieng</b>"),
                package(3, url, license_id=""),
            ]
        )
        server.routes["/t.csv"] = csv_route("ma,so\nA,1\nB,2\n")
        svc.harvester.sources.register("nguon-gp", "ckan", server.url, org.name, "{}")
        token = csrf_from(client, "/admin/harvest/nguon-gp")
        queued = client.post("/admin/harvest/nguon-gp/run", data={"csrf_token": token})
    job_url = queued.headers["Location"]
    client.set_cookie("lang", "en")
    english = client.get(job_url).get_data(as_text=True)
    assert (
        "Held: the source's licence Creative Commons Non-Commercial (cc-nc) is not offered "
        "by this portal." in english
    )
    # the source's text is escaped, the message is not
    assert "Held: the source's licence 'giay-phep-&lt;b&gt;rieng&lt;/b&gt;' is not one" in english
    assert "<b>rieng" not in english
    assert "Held: the source states no licence and the harvest source sets no" in english
    client.set_cookie("lang", "vi")
    vietnamese = client.get(job_url).get_data(as_text=True)
    assert (
        "Tạm giữ: giấy phép của nguồn là Creative Commons Non-Commercial (cc-nc), cổng dữ liệu "
        "này không cung cấp giấy phép đó." in vietnamese
    )
    assert "không nhận ra giấy phép 'giay-phep-&lt;b&gt;rieng&lt;/b&gt;'" in vietnamese
    assert "Tạm giữ: nguồn không nêu giấy phép" in vietnamese
    assert [v.name for v in svc.catalog.iter_all()] == []  # nothing published
