"""The change feed of one dataset (issue 23): ``/api/v1/datasets/<name>/changes?since=``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from datasets.metadata_input import DatasetMetadata
from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user, publish_sample


def _new_version(services, publisher, steward, name: str) -> None:
    services.editor.update_metadata(
        publisher,
        name,
        DatasetMetadata(title_vi="Trạm dừng xe buýt giao thông", description_vi="Bản mới."),
        expected_version=None,
    )
    services.workflow.submit(publisher, name)
    services.workflow.approve(steward, name)


def test_one_datasets_changes_since_a_moment_with_a_cursor(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    other, *_ = publish_sample(services, title="Bãi đỗ xe")
    _new_version(services, publisher, steward, dataset.name)
    services.workflow.withdraw(steward, dataset.name, "Sai số liệu")
    feed = client.get(f"/api/v1/datasets/{dataset.name}/changes").get_json()
    assert [i["change"] for i in feed["items"]] == ["published", "updated", "withdrawn"]
    assert {i["dataset_name"] for i in feed["items"]} == {dataset.name}  # not the other one
    assert feed["next"] is None
    everything = client.get("/api/v1/changes").get_json()["items"]
    assert {i["dataset_name"] for i in everything} == {dataset.name, other.name}
    # since: only what happened at or after the moment.
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    since = client.get(f"/api/v1/datasets/{dataset.name}/changes", query_string={"since": later})
    assert since.status_code == 200 and since.get_json()["items"] == []
    # paged with a cursor that stays on this dataset
    page = client.get(f"/api/v1/datasets/{dataset.name}/changes?limit=2").get_json()
    assert [i["change"] for i in page["items"]] == ["published", "updated"]
    assert f"/api/v1/datasets/{dataset.name}/changes?" in page["next"]
    rest = client.get(page["next"]).get_json()
    assert [i["change"] for i in rest["items"]] == ["withdrawn"]
    bad = client.get(f"/api/v1/datasets/{dataset.name}/changes?since=yesterday")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"


def test_a_dataset_never_published_has_no_feed(services, client) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org)
    for name in (draft.name, "khong-co-bo-du-lieu-nay"):
        response = client.get(f"/api/v1/datasets/{name}/changes")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
