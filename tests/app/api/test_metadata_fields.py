"""Every field of ``METADATA_FIELDS`` round-trips through the REST API's dataset shape."""

from __future__ import annotations

from datasets.metadata_input import METADATA_FIELDS, DatasetMetadata
from datasets.queries import get_dataset
from publishers import Role
from tests.app.api.conftest import Team
from tests.datasets.test_metadata_fields import add_theme, full_metadata
from tests.factories import actor, make_user

_TRANSLATED = {
    "title_vi": ("title_translated", "vi"),
    "title_en": ("title_translated", "en"),
    "description_vi": ("description_translated", "vi"),
    "description_en": ("description_translated", "en"),
}


def dataset_body(meta: DatasetMetadata) -> dict:
    """Return the JSON a client sends for ``meta`` (extras are not carried by this API)."""
    body: dict = {"title_translated": {}, "description_translated": {}}
    for spec in METADATA_FIELDS:
        value = getattr(meta, spec.name)
        if spec.name in _TRANSLATED:
            key, lang = _TRANSLATED[spec.name]
            body[key][lang] = value
        elif spec.kind == "names":
            body[spec.name] = list(value)
        elif spec.kind == "date":
            body[spec.name] = value.isoformat()
        elif spec.kind == "text":
            body[spec.name] = value
        else:
            assert spec.kind == "extras", f"{spec.name} has no REST mapping"
    return body


def test_every_field_round_trips_and_a_patch_keeps_the_extras(client, services, team: Team) -> None:
    add_theme(services)
    meta = full_metadata()
    body = dataset_body(meta)
    created = client.post(
        "/api/v1/datasets", json={**body, "organization": team.org.name}, headers=team.publisher
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    shown = created.get_json()
    assert {k: shown[k] for k in body} == body
    # A dataset with extras (given through the CKAN API, here the editor) keeps them.
    colleague = actor(services, make_user(services, team.org, Role.PUBLISHER))
    name = services.editor.create(colleague, team.org.id, meta).name
    url = f"/api/v1/datasets/{name}"
    etag = client.get(url, headers=team.publisher).headers["ETag"]
    edited = client.patch(
        url, json={"spatial": "Quận 3"}, headers={**team.publisher, "If-Match": etag}
    )
    assert edited.status_code == 200, edited.get_data(as_text=True)
    # Text alone replaces the coverage: "Quận 3" names one (old) unit, stored as its key.
    shown = edited.get_json()
    assert {k: shown[k] for k in body} == {**body, "spatial": "", "spatial_units": ["old-770"]}
    assert [(p["name"], p["obsolete"]) for p in shown["spatial_places"]] == [("Quận 3", True)]
    assert shown["spatial_places"][0]["uri"].endswith("/places/old-770")
    with services.sessions() as session:
        revision = get_dataset(session, name).working_revision
        assert revision is not None and revision.extras == meta.extras
