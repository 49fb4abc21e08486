"""One declaration of the metadata fields (``METADATA_FIELDS``) ties the model, the revision
columns and every edit together: a field left out of it is caught here."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from app.services import Services
from datasets.metadata_input import (
    MAX_EXTRAS,
    METADATA_FIELD_NAMES,
    DatasetMetadata,
    clean_metadata,
    metadata_values,
)
from datasets.model import Revision
from datasets.queries import get_dataset
from datasets.themes import save_theme
from publishers import InvalidInput, Role
from tests.factories import SAMPLE_CSV, actor, make_org, make_user, upload_bytes

THEME = "nang-luong"
# Revision columns that are not metadata: identity, lifecycle and who/when.
_BOOKKEEPING = {
    "id",
    "dataset_id",
    "number",
    "status",
    "created_by",
    "created",
    "submitted_by",
    "submitted_at",
    "decided_by",
    "decided_at",
}


def full_metadata() -> DatasetMetadata:
    """Metadata with every declared field set to a value other than its default."""
    values: dict[str, Any] = {
        "title_vi": "Trạm sạc xe điện",
        "title_en": "Electric vehicle charging stations",
        "description_vi": "Vị trí và công suất các trạm sạc công cộng.",
        "description_en": "Where the public charging stations are and their power.",
        "tags": ("xe điện", "năng lượng"),
        "themes": (THEME,),
        "license_id": "odc-odbl",
        "contact_email": "opendata@sct.tphcm.gov.vn",
        "temporal_start": date(2023, 1, 1),
        "temporal_end": date(2024, 6, 30),
        "spatial": "Khu vực trung tâm",
        "frequency": "MONTHLY",
        "spatial_units": ("26743", "old-760"),
        "access_level": "registered",
        "access_instructions": "Đăng nhập để tải dữ liệu.",
        "extras": {"$frictionless": "package/v2", "nguon": "Sở Công Thương"},
    }
    assert set(values) == set(METADATA_FIELD_NAMES), "give the new field a sample value"
    meta = DatasetMetadata(**values)
    default = DatasetMetadata(title_vi="")
    unchanged = [n for n in METADATA_FIELD_NAMES if getattr(meta, n) == getattr(default, n)]
    assert not unchanged
    return meta


def add_theme(services: Services) -> None:
    admin = actor(services, make_user(services, sysadmin=True))
    save_theme(services.sessions, admin, THEME, "Năng lượng", "Energy", "ENER", 1)


def stored(services: Services, name: str, *, live: bool) -> dict[str, object]:
    """Return the declared fields of a dataset's live (or working) revision."""
    with services.sessions() as session:
        dataset = get_dataset(session, name)
        revision = dataset.live_revision if live else dataset.working_revision
        assert revision is not None
        return {n: getattr(revision, n) for n in METADATA_FIELD_NAMES}


def test_the_declaration_names_every_field_of_the_model_and_every_revision_column() -> None:
    assert [f.name for f in dataclasses.fields(DatasetMetadata)] == list(METADATA_FIELD_NAMES)
    columns = set(Revision.__table__.columns.keys())
    assert columns - _BOOKKEEPING == set(METADATA_FIELD_NAMES)


def test_every_field_survives_the_edits_of_a_published_dataset(services: Services) -> None:
    add_theme(services)
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    meta = full_metadata()
    expected = metadata_values(meta)
    dataset = services.editor.create(publisher, org.id, meta)
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    assert stored(services, dataset.name, live=True) == expected
    # The first edit after publication copies the live revision: a resource change ...
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV, filename="more.csv")
    assert stored(services, dataset.name, live=False) == expected
    # ... then a metadata edit from a surface without extras (the web form, the REST API).
    edit = dataclasses.replace(meta, title_en="EV charging stations", extras=None)
    services.editor.update_metadata(publisher, dataset.name, edit, expected_version=None)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    assert stored(services, dataset.name, live=True) == {
        **expected,
        "title_en": "EV charging stations",
    }
    view = services.catalog.get(dataset.name)
    assert view is not None and view.extras == meta.extras
    assert (view.spatial, view.frequency, view.license_id) == (
        "Khu vực trung tâm",
        "MONTHLY",
        "odc-odbl",
    )
    assert view.spatial_units == ("26743", "old-760")


def test_extras_replace_the_stored_ones_when_given(services: Services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    created = services.editor.create(
        publisher, org.id, DatasetMetadata(title_vi="Bãi đỗ xe", extras={"a": "1", "b": "2"})
    )
    assert stored(services, created.name, live=False)["extras"] == {"a": "1", "b": "2"}
    services.editor.update_metadata(
        publisher,
        created.name,
        DatasetMetadata(title_vi="Bãi đỗ xe", extras={"b": "3", " ": "x", "c": " "}),
        expected_version=None,
    )
    assert stored(services, created.name, live=False)["extras"] == {"b": "3"}
    without = services.editor.create(publisher, org.id, DatasetMetadata(title_vi="Không có"))
    assert stored(services, without.name, live=False)["extras"] == {}


@pytest.mark.parametrize(
    ("extras", "error"),
    [
        ({f"k{n}": "v" for n in range(MAX_EXTRAS + 1)}, "too_many"),
        ({"k" * 101: "v"}, "too_long"),
        ({"k": "v" * 5_001}, "too_long"),
        ({"spatial": "Quận 3"}, "reserved_key"),  # CKAN carries it as the field itself
    ],
)
def test_bad_extras_are_refused_by_name(extras: dict[str, str], error: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_metadata(DatasetMetadata(title_vi="Dữ liệu", extras=extras), set())
    assert refused.value.errors == {"extras": [error]}
