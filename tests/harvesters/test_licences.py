"""Licences of harvested datasets, on recorded catalogs of ../shared/conformance/harvest.

A licence the portal offers is stored under its id whatever the spelling; a licence it
does not offer, an unrecognised one, or none (without ``default_license``) holds the
dataset for a steward with a reason naming the source licence. A dry run reports exactly
what the real run then does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from datasets.errors import SubmissionBlocked
from datasets.model import Dataset, DatasetState
from datasets.vocab import LICENSE_NOT_CHOSEN
from harvesters.decision import Hold, decide_licence
from harvesters.report import HarvestReport
from publishers import InvalidInput, Role
from tests.conftest import conformance_dir
from tests.factories import actor, make_user
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import Recorded, ReplayServer

DCAT = conformance_dir() / "harvest" / "dcat-rdf" / "ckanext-dcat"
DATAJSON = conformance_dir() / "harvest" / "datajson" / "gsa-ckanext-datajson"


def _outcomes(report: HarvestReport) -> list[tuple[str, str, bool, str, str]]:
    return [(i.remote_id, i.outcome.value, i.held, i.reason, i.detail) for i in report.items]


def _datasets(svc: Any) -> list[Dataset]:
    with svc.sessions() as session:
        return list(session.scalars(select(Dataset)).all())


def _stored(svc: Any) -> dict[str, tuple[str, str]]:
    """remote id -> (state, licence of the working revision, else the live one)."""
    with svc.sessions() as session:
        rows = session.scalars(select(Dataset)).all()
        return {
            str(d.harvest_remote_id): (
                d.state,
                (d.working_revision or d.live_revision).license_id,
            )
            for d in rows
        }


def test_licence_rules() -> None:
    nc = "http://creativecommons.org/licenses/by-nc/3.0/"
    assert decide_licence({"license": nc}, "cc-by-4.0").hold == Hold(
        "licence_not_offered", f"CC BY-NC 3.0 ({nc})"
    )
    assert decide_licence({"license": "cc-nc"}, "").hold == Hold(
        "licence_not_offered", "Creative Commons Non-Commercial (cc-nc)"
    )
    odd = "https://data.some.org/link/to/license"
    assert decide_licence({"license": odd}, "cc-by-4.0").hold == Hold("licence_unrecognised", odd)
    assert decide_licence({}, "").hold == Hold("licence_missing")
    assert decide_licence({}, "odc-by").license_id == "odc-by"
    unknown = "https://project-open-data.cio.gov/unknown-license"
    assert decide_licence({"license": unknown}, "odc-by").license_id == "odc-by"
    mapped = decide_licence({"license": "http://dcat-ap.de/def/licenses/cc-by/4.0"}, "odc-by")
    assert mapped.license_id == "cc-by-4.0" and mapped.hold is None
    # CKAN's id with a title beside it: the id decides
    assert decide_licence({"license": "cc-by", "license_title": "x"}, "").license_id == "cc-by-4.0"


def test_eu_licence_not_offered_is_held_never_replaced_by_default(hservices, org):
    path = DCAT / "dataset_health.ttl"
    with ReplayServer({}) as server:
        body = path.read_bytes()
        for remote in (
            b"https://fair.healthdata.be/sites/default/files/distribution/"
            b"d43a158e-7d13-4660-bbc3-9d3f8d5501e5/Technical_report_number_of_unique_"
            b"study_subjects_available_by_environment_for_project_HDBP0250.csv",
            b"https://github.com/CAVDgit/EHDS2_UC_Sciensano/blob/main/"
            b"use_case_1_synthetic_data_10K_individuals.csv",
        ):
            assert remote in body
            body = body.replace(remote, f"{server.url}/t.csv".encode())
        server.routes["/t.csv"] = Recorded(200, b"nhom,so_luong\nA,12\nB,7\n")
        server.routes["/c.ttl"] = Recorded(200, body, {"Content-Type": "text/turtle"})
        config = {"default_license": "cc-by-4.0"}
        register(hservices, "eu-health", "dcat", f"{server.url}/c.ttl", org, config)
        dry = hservices.harvester.run("eu-health", dry_run=True)
        real = hservices.harvester.run("eu-health")
    eu = "http://publications.europa.eu/resource/authority/licence/CC_BYNCND_3_0"
    assert [i[1:] for i in _outcomes(real)] == [
        ("created", True, "licence_not_offered", f"CC BY-NC-ND 3.0 ({eu})")
    ]
    assert _outcomes(dry) == _outcomes(real)
    # held for a steward: submitted, not published under the source's default licence
    ((state, licence),) = _stored(hservices).values()
    assert state == DatasetState.SUBMITTED.value
    assert list(hservices.catalog.iter_all()) == []
    # No licence stands in for the source's: a steward must choose one to approve it.
    assert licence == LICENSE_NOT_CHOSEN
    steward = actor(hservices, make_user(hservices, org, Role.STEWARD))
    (name,) = [d.name for d in _datasets(hservices)]
    with pytest.raises(SubmissionBlocked) as blocked:
        hservices.workflow.approve(steward, name)
    assert [p.code for p in blocked.value.problems] == ["licence_not_chosen"]
    with pytest.raises(InvalidInput):
        hservices.workflow.approve(steward, name, license_id="cc-by-nc-3.0")
    hservices.workflow.approve(steward, name, "Sở cho phép dùng CC0", license_id="cc0-1.0")
    (view,) = hservices.catalog.iter_all()
    assert view.license_id == "cc0-1.0"


def test_dcat_ap_de_licence_is_stored_as_ours(hservices, org):
    path = DCAT / "dataset_gov_de.rdf"
    remote = "https://geo.sv.rostock.de/download/opendata/lieferservices/lieferservices"
    xlsx = f'<dcat:downloadURL rdf:resource="{remote}.xlsx"/>'.encode()
    body = path.read_bytes()
    assert xlsx in body and f"{remote}.csv".encode() in body
    with ReplayServer({}) as server:
        # the spreadsheet stays a link; the CSV is served here instead of from abroad
        body = body.replace(xlsx, b"").replace(
            f"{remote}.csv".encode(), f"{server.url}/t.csv".encode()
        )
        server.routes["/t.csv"] = Recorded(200, b"ten,quan\nA,1\nB,3\n")
        server.routes["/c.rdf"] = Recorded(200, body, {"Content-Type": "application/rdf+xml"})
        register(hservices, "gov-de", "dcat", f"{server.url}/c.rdf", org)  # no default_license
        report = hservices.harvester.run("gov-de")
    assert [i[1:4] for i in _outcomes(report)] == [("created", False, "")], report.to_dict()
    (view,) = hservices.catalog.iter_all()
    assert view.license_id == "cc0-1.0"


def _datajson_with_licences() -> bytes:
    doc = json.loads((DATAJSON / "arm.data.json").read_bytes())
    first = doc["dataset"][0]
    entries = []
    for n, licence in enumerate(
        [
            "http://creativecommons.org/licenses/by-nc/3.0/",
            None,
            "https://data.some.org/link/to/license",
            "https://creativecommons.org/licenses/by/4.0/legalcode",
            "https://project-open-data.cio.gov/unknown-license",
        ]
    ):
        entry = {**first, "identifier": f"arm-{n}", "title": f"ARM {n}"}
        if licence is None:
            entry.pop("license", None)
        else:
            entry["license"] = licence
        entries.append(entry)
    entries.append({**first, "identifier": "arm-no-files", "distribution": []})
    return json.dumps({**doc, "dataset": entries}).encode()


def test_datajson_dry_run_reports_what_the_real_run_does(hservices, org):
    body = _datajson_with_licences()
    with ReplayServer(
        {"/data.json": Recorded(200, body, {"Content-Type": "application/json"})}
    ) as s:
        config = {"approval_extra": "accessLevel=public"}  # no default_license
        register(hservices, "dj-lic", "datajson", f"{s.url}/data.json", org, config)
        dry = hservices.harvester.run("dj-lic", dry_run=True)
        assert _stored(hservices) == {}  # a dry run stores nothing
        real = hservices.harvester.run("dj-lic")
    assert _outcomes(real) == [
        (
            "arm-0",
            "created",
            True,
            "licence_not_offered",
            "CC BY-NC 3.0 (http://creativecommons.org/licenses/by-nc/3.0/)",
        ),
        ("arm-1", "created", True, "licence_missing", ""),
        ("arm-2", "created", True, "licence_unrecognised", "https://data.some.org/link/to/license"),
        ("arm-3", "created", False, "", ""),
        ("arm-4", "created", True, "licence_missing", ""),
        ("arm-no-files", "failed", False, "submission_blocked", "no_resources"),
    ]
    assert _outcomes(dry) == _outcomes(real)
    stored = _stored(hservices)
    assert stored["arm-3"] == (DatasetState.PUBLISHED.value, "cc-by-4.0")
    assert {stored[f"arm-{n}"][0] for n in (0, 1, 2, 4)} == {DatasetState.SUBMITTED.value}
    assert "arm-no-files" not in stored  # refused before a draft was created
    assert [v.license_id for v in hservices.catalog.iter_all()] == ["cc-by-4.0"]


def test_default_licence_fills_only_a_missing_licence(hservices, org):
    body = _datajson_with_licences()
    with ReplayServer(
        {"/data.json": Recorded(200, body, {"Content-Type": "application/json"})}
    ) as s:
        config = {"approval_extra": "accessLevel=public", "default_license": "odc-by"}
        register(hservices, "dj-def", "datajson", f"{s.url}/data.json", org, config)
        report = hservices.harvester.run("dj-def")
    held = {i.remote_id: i.reason for i in report.items if i.held}
    assert held == {"arm-0": "licence_not_offered", "arm-2": "licence_unrecognised"}
    stored = _stored(hservices)
    assert stored["arm-1"] == (DatasetState.PUBLISHED.value, "odc-by")
    assert stored["arm-4"] == (DatasetState.PUBLISHED.value, "odc-by")
    assert stored["arm-3"] == (DatasetState.PUBLISHED.value, "cc-by-4.0")


def test_update_to_a_licence_not_offered_keeps_the_stored_licence(hservices, org):
    search = "/api/action/package_search"
    with ReplayServer({}) as server:
        url = f"{server.url}/t.csv"
        server.routes["/t.csv"] = csv_route("ma,so\nA,1\nB,2\n")
        server.routes[search] = search_page([package(1, url, license_id="odc-odbl")])
        register(hservices, "ckan-lic", "ckan", server.url, org, {"default_license": "cc0-1.0"})
        first = hservices.harvester.run("ckan-lic")
        changed = package(1, url, license_id="cc-by-nd", modified="2026-02-01T00:00:00")
        server.routes[search] = search_page([changed])
        dry = hservices.harvester.run("ckan-lic", dry_run=True)
        second = hservices.harvester.run("ckan-lic")
    assert [i[1:] for i in _outcomes(first)] == [("created", False, "", "")]
    assert [i[1:] for i in _outcomes(second)] == [
        ("updated", True, "licence_not_offered", "CC BY-ND (cc-by-nd)")
    ]
    assert _outcomes(dry) == _outcomes(second)
    # the pending change keeps the licence a steward approved; the live version is unchanged
    ((_state, pending),) = _stored(hservices).values()
    assert pending == "odc-odbl"
    assert [v.license_id for v in hservices.catalog.iter_all()] == ["odc-odbl"]
