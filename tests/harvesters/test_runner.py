"""The runner end to end against a CKAN-shaped source served on 127.0.0.1."""

from __future__ import annotations

from sqlalchemy import select

from datasets.model import Dataset
from harvesters import HarvestObject
from search_index import SearchQuery
from tests.factories import make_org
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import Recorded, ReplayServer

TABLE = "ma,ten_tram,so_cho\nT1,Trạm A,10\nT2,Trạm B,20\n"
SEARCH = "/api/action/package_search"


def _serve(packages, extra=None):
    routes = {SEARCH: search_page(packages), "/files/t.csv": csv_route(TABLE)}
    routes.update(extra or {})
    return ReplayServer(routes)


def _states(svc):
    with svc.sessions() as session:
        return {d.harvest_remote_id: d.state for d in session.scalars(select(Dataset)).all()}


def test_harvest_creates_publishes_and_skips_unchanged(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes.update(
            {
                SEARCH: search_page([package(1, url), package(2, url)]),
                "/files/t.csv": csv_route(TABLE),
            }
        )
        register(hservices, "ckan-a", "ckan", server.url, org)
        report = hservices.harvester.run("ckan-a")
        assert report.counts()["created"] == 2, report.to_dict()
        states = _states(hservices)
        assert set(states.values()) == {"published"}
        view = hservices.catalog.get(next(iter(_ids(hservices))))
        assert view is not None and view.provenance is not None
        assert view.provenance.source_name == "ckan-a"
        assert view.provenance.remote_url.startswith(server.url + "/dataset/bo-du-lieu-")
        assert view.resources[0].format == "CSV"
        hits = hservices.search.search(SearchQuery(text="bộ dữ liệu")).hits
        assert sorted(h.name for h in hits) == ["bo-du-lieu-1", "bo-du-lieu-2"]  # indexed
        downloads = len([r for r in server.requests if r.startswith("/files/")])

        again = hservices.harvester.run("ckan-a")
        assert again.counts()["unchanged"] == 2
        assert again.counts()["created"] == again.counts()["updated"] == 0
        # unchanged stamps: no file was downloaded again
        assert len([r for r in server.requests if r.startswith("/files/")]) == downloads


def _ids(svc):
    with svc.sessions() as session:
        return [d.id for d in session.scalars(select(Dataset)).all()]


def test_lost_approval_withdraws_and_changed_stamp_updates(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url), package(2, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "ckan-b", "ckan", server.url, org, {"approval_tag": "approved"})
        hservices.harvester.run("ckan-b")
        changed = package(1, url, modified="2026-02-02T00:00:00", title="Tên mới")
        server.routes[SEARCH] = search_page([changed, package(2, url, tags=("draft",))])
        report = hservices.harvester.run("ckan-b")
        outcomes = {i.remote_id[-1]: i.outcome.value for i in report.items}
        assert outcomes == {"1": "updated", "2": "withdrawn"}
        states = _states(hservices)
        assert sorted(states.values()) == ["published", "withdrawn"]
        titles = [v.title for v in hservices.catalog.iter_all()]
        assert titles == ["Tên mới"]
        hits = hservices.search.search(SearchQuery(text="bộ dữ liệu 2")).hits
        assert "bo-du-lieu-2" not in [h.name for h in hits]  # withdrawn: out of the index


def test_safety_stop_withdraws_nothing(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(n, url) for n in range(12)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "ckan-c", "ckan", server.url, org, {"max_withdraw_share": 0.5})
        assert hservices.harvester.run("ckan-c").counts()["created"] == 12
        server.routes[SEARCH] = search_page([package(n, url) for n in range(3)])
        report = hservices.harvester.run("ckan-c")
        assert report.status == "stopped" and report.error == "would_withdraw:9/12"
        assert list(_states(hservices).values()).count("published") == 12
        job = hservices.harvester.jobs("ckan-c")[0]
        assert job.status == "stopped" and job.error == "would_withdraw:9/12"


def test_transient_errors_are_retried_then_reported(hservices, org):
    fail = Recorded(500, b"<html>oops</html>")
    with ReplayServer({}) as server:
        ok_url, bad_url = f"{server.url}/files/t.csv", f"{server.url}/files/broken.csv"
        server.routes[SEARCH] = [fail, fail, search_page([package(1, ok_url), package(2, bad_url)])]
        server.routes["/files/t.csv"] = [fail, csv_route(TABLE)]
        server.routes["/files/broken.csv"] = fail
        register(hservices, "ckan-d", "ckan", server.url, org)
        hservices.harvester._deps = _fast(hservices.harvester._deps)
        report = hservices.harvester.run("ckan-d")
        items = {i.remote_id[-1]: i for i in report.items}
        assert items["1"].outcome.value == "created" and items["1"].attempts == 2
        assert items["2"].outcome.value == "failed" and items["2"].reason == "http_500"
        assert items["2"].attempts == 3
        assert [r for r in server.requests if r.startswith(SEARCH)].__len__() == 3


def _fast(deps):
    from dataclasses import replace

    return replace(deps, sleep=lambda s: None)


def test_failed_listing_touches_nothing(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "ckan-e", "ckan", server.url, org)
        hservices.harvester.run("ckan-e")
        server.routes[SEARCH] = Recorded(
            200, b"\x00garbage not json", {"Content-Type": "text/html"}
        )
        report = hservices.harvester.run("ckan-e")
        assert report.status == "failed" and report.error.startswith("ckan_")
        assert list(_states(hservices).values()) == ["published"]


def test_require_review_and_org_map(hservices, org):
    other = make_org(hservices, "so-khac")
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url, org="remote-x"), package(2, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        config = {"require_review": True, "org_map": {"remote-x": "so-khac"}}
        register(hservices, "ckan-f", "ckan", server.url, org, config)
        report = hservices.harvester.run("ckan-f")
        assert all(i.held and i.reason == "review_required" for i in report.items)
        with hservices.sessions() as session:
            rows = {d.harvest_remote_id[-1]: d for d in session.scalars(select(Dataset)).all()}
            assert rows["1"].organization_id == other.id and rows["2"].organization_id == org.id
            assert {d.state for d in rows.values()} == {"submitted"}
        assert list(hservices.catalog.iter_all()) == []


def test_dry_run_stores_nothing(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "ckan-g", "ckan", server.url, org)
        report = hservices.harvester.run("ckan-g", dry_run=True)
        assert report.dry_run and report.counts()["created"] == 1
        assert _states(hservices) == {}
        with hservices.sessions() as session:
            assert session.scalars(select(HarvestObject)).all() == []
