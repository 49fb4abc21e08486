"""CKAN sources: another portal's Action API, and real CKAN responses replayed."""

from __future__ import annotations

import json

from harvesters import AddressPolicy, CkanSource, open_session, parse_config
from tests.conftest import conformance_dir
from tests.factories import publish_sample
from tests.harvesters.conftest import register
from tests.servers import Recorded, ReplayServer

LOCAL = AddressPolicy.from_setting("127.0.0.1")


def test_second_portal_is_harvested_through_its_action_api(hservices, org, second_portal):
    other = second_portal.app.extensions["opendata"]
    first, *_ = publish_sample(other, title="Trạm xe buýt nguồn khác")
    second, *_ = publish_sample(other, title="Điểm wifi nguồn khác")
    register(hservices, "cong-khac", "ckan", second_portal.url, org)
    report = hservices.harvester.run("cong-khac")
    assert report.counts()["created"] == 2, report.to_dict()
    titles = sorted(v.title for v in hservices.catalog.iter_all())
    assert titles == ["Trạm xe buýt nguồn khác", "Điểm wifi nguồn khác"]
    view = next(v for v in hservices.catalog.iter_all() if v.title.startswith("Trạm"))
    assert view.provenance is not None and view.provenance.remote_id == first.id
    assert view.resources[0].row_count == 4  # the CSV came across, validated and stripped
    again = hservices.harvester.run("cong-khac")
    assert again.counts()["unchanged"] == 2
    other.workflow.withdraw(_steward_of(other, second.name), second.name, "Hết hiệu lực")
    third = hservices.harvester.run("cong-khac")
    assert [i.outcome.value for i in third.items if i.remote_id == second.id] == ["withdrawn"]


def _steward_of(svc, name):
    from publishers import Role

    with svc.sessions() as session:
        from datasets.model import Dataset

        dataset = session.query(Dataset).filter_by(name=name).one()
        org_id = dataset.organization_id
    from publishers import Membership

    with svc.sessions() as session:
        member = (
            session.query(Membership)
            .filter_by(organization_id=org_id, role=Role.STEWARD.value)
            .first()
        )
        return svc.accounts.actor_for(member.user_id)


def test_real_ckan_package_search_response_is_read() -> None:
    folder = conformance_dir() / "ckan-api" / "alphagov-ckan-functional-tests" / "example_responses"
    body = (folder / "package_search.json").read_bytes()
    expected = json.loads(body)["result"]
    with ReplayServer(
        {"/api/action/package_search": Recorded(200, body, {"Content-Type": "application/json"})}
    ) as server:
        source = CkanSource(server.url, parse_config({}), open_session(LOCAL))
        refs = list(source.gather())
    ids = [p["id"] for p in expected["results"]]
    assert [r.remote_id for r in refs][: len(ids)] == ids
    first = expected["results"][0]
    assert refs[0].stamp == first["metadata_modified"]
    assert refs[0].org == (first.get("organization") or {}).get("name", "")
    assert refs[0].facts.tags == tuple(t["name"] for t in first.get("tags", []))


def test_real_ckan_error_envelope_fails_the_job(hservices, org):
    folder = conformance_dir() / "ckan-api" / "frictionless-py-cassettes"
    body = (folder / "package_show.legado-dados-gov-br.not-found.404.json").read_bytes()
    with ReplayServer({"/api/action/package_search": Recorded(404, body)}) as server:
        register(hservices, "ckan-404", "ckan", server.url, org)
        report = hservices.harvester.run("ckan-404")
    assert report.status == "failed" and report.error == "ckan_notfound"
