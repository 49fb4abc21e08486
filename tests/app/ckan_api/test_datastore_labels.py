"""``datastore_search`` fields carry the data dictionary as CKAN does (``info.label``,
``info.notes``), read through the real ``ckanapi`` client (issue 21)."""

from __future__ import annotations

from dataclasses import replace

from datasets.queries import get_dataset
from datasets.schema_edit import edits_from_schema, schema_from_edits
from tests.app.ckan_api.conftest import CkanPortal


def _title_columns(portal: CkanPortal) -> None:
    """Give two columns titles and descriptions in both languages, and publish them."""
    services, name = portal.services, portal.dataset.name
    with services.sessions() as session:
        version = get_dataset(session, name).live_revision.entries[0].version
        schema = version.table_schema
    edits = {e.name: e for e in edits_from_schema(schema)}
    edits["ten_tram"] = replace(
        edits["ten_tram"],
        title="Tên trạm",
        title_en="Stop name",
        description="Tên trạm dừng xe buýt.",
        description_en="The name of the bus stop.",
    )
    edits["so_cho"] = replace(edits["so_cho"], title="Số chỗ")
    descriptor = schema_from_edits(schema, list(edits.values()))
    services.editor.set_schema(portal.publisher, name, portal.resource_id, descriptor)
    services.workflow.submit(portal.publisher, name)
    services.workflow.approve(portal.steward, name)


def test_datastore_search_fields_carry_labels_and_notes(portal: CkanPortal) -> None:
    _title_columns(portal)
    ckan, rid = portal.anonymous, portal.resource_id
    found = ckan.action.datastore_search(resource_id=rid, limit=1)
    fields = {f["id"]: f for f in found["fields"]}
    assert fields["ten_tram"] == {
        "id": "ten_tram",
        "type": "text",
        "info": {
            "label": "Tên trạm",
            "notes": "Tên trạm dừng xe buýt.",
            "label_en": "Stop name",
            "notes_en": "The name of the bus stop.",
        },
    }
    # English falls back to the Vietnamese title; a column without any keeps no info.
    assert fields["so_cho"]["info"] == {
        "label": "Số chỗ",
        "notes": "",
        "label_en": "Số chỗ",
        "notes_en": "",
    }
    assert fields["ma_tram"] == {"id": "ma_tram", "type": "text"}
    assert "ten_tram" in found["records"][0]  # the rows keep the raw names as keys

    english = ckan.action.datastore_search(resource_id=rid, limit=1, lang="en")
    by_id = {f["id"]: f for f in english["fields"]}
    assert by_id["ten_tram"]["info"]["label"] == "Stop name"
    assert by_id["ten_tram"]["info"]["notes"] == "The name of the bus stop."

    info = ckan.action.datastore_info(id=rid)
    assert {f["id"]: f.get("info", {}).get("label") for f in info["fields"]}["ten_tram"] == (
        "Tên trạm"
    )
