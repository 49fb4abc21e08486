"""What members see of a published dataset, the same over the REST and the CKAN API.

Both are built from ``datasets.members``; these pin the rules the two copies used to
disagree on.
"""

from __future__ import annotations

import io
from pathlib import Path

from datasets.metadata_input import DatasetMetadata
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from tests.app.api.conftest import bearer
from tests.factories import SAMPLE_CSV, publish_sample


def _both(client, name: str, headers: dict[str, str]) -> tuple[dict, dict]:
    rest = client.get(f"/api/v1/datasets/{name}", headers=headers)
    ckan = client.get("/api/3/action/package_show", query_string={"id": name}, headers=headers)
    assert rest.status_code == 200 and ckan.status_code == 200
    return rest.get_json(), ckan.get_json()["result"]


def test_a_new_version_has_no_download_link_until_approved_even_with_same_bytes(
    client, services
) -> None:
    dataset, rid, publisher, _steward = publish_sample(services)
    assert publisher.user_id is not None
    headers = bearer(services.tokens.create(publisher.user_id, "script"))
    staged = receive(
        io.BytesIO(SAMPLE_CSV),
        "data.csv",
        Path(services.settings.data_dir) / "staging",
        services.settings.max_upload_bytes,
    )
    services.editor.add_upload(publisher, dataset.name, staged, ResourceInput(), resource_id=rid)
    rest, ckan = _both(client, dataset.name, headers)
    public = client.get(f"/api/v1/datasets/{dataset.name}").get_json()["resources"][0]
    assert rest["has_pending_revision"] is True and ckan["has_pending_revision"] is True
    assert rest["resources"][0]["sha256"] == public["sha256"]  # identical public file...
    assert rest["resources"][0]["download_url"] is None  # ...but not the published version
    assert ckan["resources"][0]["url"] == ""
    assert public["download_url"].endswith(f"/resource/{rid}/download/data.csv")


def test_an_unchanged_resource_of_a_pending_revision_keeps_its_download_link(
    client, services
) -> None:
    dataset, rid, publisher, _steward = publish_sample(services)
    assert publisher.user_id is not None
    headers = bearer(services.tokens.create(publisher.user_id, "script"))
    rest, ckan = _both(client, dataset.name, headers)
    # Nothing pending: REST shows the member shape, CKAN the public package.
    assert rest["revision_status"] == "approved" and rest["has_pending_revision"] is False
    assert "revision_status" not in ckan and ckan["resources"][0]["datastore_active"] is True
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Trạm dừng xe buýt (cập nhật)"),
        expected_version=None,
    )
    rest, ckan = _both(client, dataset.name, headers)
    assert rest["title"] == ckan["title"] == "Trạm dừng xe buýt (cập nhật)"
    assert rest["revision_status"] == ckan["revision_status"] == "draft"
    link = f"/resource/{rid}/download/data.csv"
    assert rest["resources"][0]["download_url"].endswith(link)
    assert ckan["resources"][0]["url"].endswith(link)
