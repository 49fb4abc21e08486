"""Every field of ``METADATA_FIELDS`` round-trips through CKAN package dicts, extras included."""

from __future__ import annotations

import io
from typing import Any

import ckanapi
import pytest

from datasets.metadata_input import METADATA_FIELDS, DatasetMetadata
from datasets.places import coverage_label, place_catalogue
from tests.app.ckan_api.conftest import CkanPortal
from tests.datasets.test_metadata_fields import add_theme, full_metadata
from tests.factories import SAMPLE_CSV

_TRANSLATED = {
    "title_vi": ("title_translated", "vi"),
    "title_en": ("title_translated", "en"),
    "description_vi": ("notes_translated", "vi"),
    "description_en": ("notes_translated", "en"),
}

# Fields that are keys of the package dict itself.
_TOP_LEVEL = ("license_id", "access_level", "access_instructions")


def package_params(meta: DatasetMetadata) -> dict[str, Any]:
    """Return the CKAN package keys a client sends for ``meta``."""
    params: dict[str, Any] = {"title_translated": {}, "notes_translated": {}, "extras": []}
    for spec in METADATA_FIELDS:
        value = getattr(meta, spec.name)
        if spec.name in _TRANSLATED:
            key, lang = _TRANSLATED[spec.name]
            params[key][lang] = value
        elif spec.name in ("tags", "themes"):
            params["tags" if spec.name == "tags" else "groups"] = [{"name": v} for v in value]
        elif spec.name in _TOP_LEVEL:
            params[spec.name] = value
        elif spec.name == "spatial_units":
            continue  # CKAN carries the units by name in the ``spatial`` extra
        elif spec.name == "spatial":
            label = coverage_label(place_catalogue(), meta.spatial_units, value)
            params["extras"].append({"key": spec.name, "value": label})
        elif spec.ckan_extra:
            params["extras"].append({"key": spec.name, "value": str(value)})
        elif spec.kind == "extras":
            params["extras"] += [{"key": k, "value": v} for k, v in value.items()]
        else:
            raise AssertionError(f"{spec.name} has no CKAN mapping")
    return params


def fields_of(package: dict[str, Any]) -> dict[str, Any]:
    """Return the metadata a package dict (sent or answered) carries, by field."""
    extras = {e["key"]: e["value"] for e in package["extras"]}
    out: dict[str, Any] = {}
    for spec in METADATA_FIELDS:
        if spec.name in _TRANSLATED:
            key, lang = _TRANSLATED[spec.name]
            out[spec.name] = package[key][lang]
        elif spec.name in ("tags", "themes"):
            out[spec.name] = sorted(
                v["name"] for v in package[spec.name.replace("themes", "groups")]
            )
        elif spec.name in _TOP_LEVEL:
            out[spec.name] = package[spec.name]
        elif spec.ckan_extra:
            out[spec.name] = extras.pop(spec.name)
    out["extras"] = extras
    return out


def test_every_field_round_trips_through_create_patch_and_publication(
    portal: CkanPortal,
) -> None:
    add_theme(portal.services)
    org = portal.anonymous.action.package_show(id=portal.dataset.name)["organization"]["name"]
    sent = package_params(full_metadata())
    expected = fields_of(sent)
    ckan = portal.as_publisher
    created = ckan.action.package_create(name="tram-sac", owner_org=org, **sent)
    assert fields_of(created) == expected
    assert {"key": "$frictionless", "value": "package/v2"} in created["extras"]
    assert fields_of(ckan.action.package_patch(id="tram-sac", url="")) == expected
    ckan.action.resource_create(package_id="tram-sac", upload=("tram.csv", io.BytesIO(SAMPLE_CSV)))
    ckan.action.package_patch(id="tram-sac", state="active")
    portal.services.workflow.approve(portal.steward, "tram-sac")
    assert fields_of(portal.anonymous.action.package_show(id="tram-sac")) == expected
    # An edit of the published dataset opens a pending revision that keeps every field.
    pending = ckan.action.package_patch(id="tram-sac", title="Trạm sạc xe điện công cộng")
    assert fields_of(pending) == {**expected, "title_vi": "Trạm sạc xe điện công cộng"}
    assert fields_of(ckan.action.package_update(id="tram-sac", owner_org=org, **sent)) == expected


def test_package_update_replaces_the_extras_and_bad_ones_are_refused(portal: CkanPortal) -> None:
    ckan = portal.as_publisher
    org = portal.anonymous.action.package_show(id=portal.dataset.name)["organization"]["name"]
    ckan.action.package_create(
        name="bai-do-xe", title="Bãi đỗ xe", owner_org=org, extras=[{"key": "a", "value": "1"}]
    )
    updated = ckan.action.package_update(
        id="bai-do-xe", title="Bãi đỗ xe", extras=[{"key": "b", "value": "2"}]
    )
    assert updated["extras"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.package_patch(
            id="bai-do-xe", extras=[{"key": f"k{n}", "value": "v"} for n in range(51)]
        )
    assert refused.value.error_dict["extras"] == ["Quá nhiều giá trị"]  # Vietnamese first
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.package_patch(id="bai-do-xe", extras=[{"value": "no key"}])
    assert refused.value.error_dict["extras"] == ["Phải là một danh sách các đối tượng key/value"]
    kept = ckan.action.package_show(id="bai-do-xe")
    assert kept["extras"] == [{"key": "b", "value": "2"}]
