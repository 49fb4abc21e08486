"""Lists answer remembered package JSON (``app.encoded_views``, issue 24): a change is in the
next answer, and what one reader may see never reaches another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.services import Services
from datasets.metadata_input import DatasetMetadata
from tests.datasets.test_sharing import Portal
from tests.factories import publish_sample

SEARCH = "/api/3/action/package_search"
LIST = "/api/3/action/current_package_list_with_resources"


def _result(client, path: str, token: str | None = None, **query: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    response = client.get(path, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["result"]


def _searched(client, name: str, token: str | None = None, **query: Any) -> dict[str, Any]:
    found = _result(client, SEARCH, token, rows=1000, **query)["results"]
    return next(p for p in found if p["name"] == name)


def _revise(services: Services, publisher, steward, name: str, **meta: Any) -> None:
    fields = {"title_vi": "Trạm dừng xe buýt giao thông", **meta}
    services.editor.update_metadata(
        publisher, name, DatasetMetadata(**fields), expected_version=None
    )
    services.workflow.submit(publisher, name)
    services.workflow.approve(steward, name)


def test_an_approved_edit_is_in_the_next_list_answer(services: Services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    for _ in range(2):  # the second answer is the remembered one
        assert _searched(client, dataset.name)["title"] == "Trạm dừng xe buýt giao thông"
    before = _searched(client, dataset.name)
    # An edit waiting for review changes nothing public.
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Tên chưa duyệt", tags=("xe buýt",)),
        expected_version=None,
    )
    assert _searched(client, dataset.name) == before
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    after = _searched(client, dataset.name)
    assert after["title"] == "Tên chưa duyệt"
    assert after["revision_id"] != before["revision_id"]
    assert _searched(client, dataset.name, fl="name,title") == {
        "name": dataset.name,
        "title": "Tên chưa duyệt",
    }
    listed = {p["name"]: p["title"] for p in _result(client, LIST, limit=1000)}
    assert listed[dataset.name] == "Tên chưa duyệt"
    # A withdrawal takes it out of the next answers.
    services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert dataset.name not in [p["name"] for p in _result(client, SEARCH, rows=1000)["results"]]
    assert dataset.name not in [p["name"] for p in _result(client, LIST, limit=1000)]


def test_a_level_closed_after_publication_lists_no_remembered_resources(
    services: Services, client
) -> None:
    dataset, rid, publisher, steward = publish_sample(services)
    open_package = _searched(client, dataset.name)
    assert (open_package["private"], [r["id"] for r in open_package["resources"]]) == (
        False,
        [rid],
    )
    _revise(services, publisher, steward, dataset.name, access_level="restricted")
    closed = _searched(client, dataset.name)
    assert (closed["access_level"], closed["private"], closed["resources"]) == (
        "restricted",
        True,
        [],
    )
    assert closed["num_resources"] == 0
    listed = {p["name"]: p["resources"] for p in _result(client, LIST, limit=1000)}
    assert listed[dataset.name] == []


def test_a_holders_projection_never_reaches_a_list(services: Services, client) -> None:
    portal = Portal(services)
    request = services.sharing.request_access(portal.business, portal.name, purpose="Đối soát")
    services.sharing.approve(
        portal.steward, request.id, expires=datetime.now(UTC) + timedelta(days=7)
    )
    token = services.tokens.create(portal.business.user_id or "", "ckan")
    for _ in range(2):  # the holder's projection, then the lists, both ways round
        shown = _result(client, "/api/3/action/package_show", token, id=portal.name)
        assert [r["id"] for r in shown["resources"]] == [portal.resource_id]
        assert shown["resources"][0]["projection"] == "agency"
        for caller in (token, None):
            found = _searched(client, portal.name, caller)
            assert (found["private"], found["resources"], found["num_resources"]) == (True, [], 0)
            listed = {p["name"]: p["resources"] for p in _result(client, LIST, caller)}
            assert listed[portal.name] == []
            assert b"agency" not in client.get(SEARCH, query_string={"rows": 1000}).get_data()


def test_the_rest_list_answers_the_next_publication_and_level(services: Services, client) -> None:
    dataset, rid, publisher, steward = publish_sample(services)

    def item() -> dict[str, Any]:
        body = client.get("/api/v1/datasets", query_string={"page_size": 100}).get_json()
        return next(d for d in body["items"] if d["name"] == dataset.name)

    assert item() == item() and [r["id"] for r in item()["resources"]] == [rid]
    _revise(services, publisher, steward, dataset.name, title_vi="Tên mới")
    assert item()["title"] == "Tên mới" and [r["id"] for r in item()["resources"]] == [rid]
    _revise(services, publisher, steward, dataset.name, access_level="restricted")
    assert (item()["access_level"], item()["resources"]) == ("restricted", [])
