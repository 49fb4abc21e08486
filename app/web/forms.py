"""Reading the dataset form into domain values (no business rules here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from datasets import DEFAULT_LICENSE_ID, METADATA_FIELDS, DatasetMetadata, ResourceInput
from datasets.schema_edit import FieldEdit


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def metadata_from_form(form: MultiDict[str, str]) -> DatasetMetadata:
    """Return the metadata entered in the dataset form (one input per field, named after it).

    Extras have no input: the stored ones stay.
    """
    values: dict[str, Any] = {}
    for spec in METADATA_FIELDS:
        if spec.kind in ("translated", "text"):
            values[spec.name] = form.get(spec.name, "")
        elif spec.kind == "date":
            values[spec.name] = _date(form.get(spec.name))
    values["license_id"] = form.get("license_id", DEFAULT_LICENSE_ID)
    values["access_level"] = form.get("access_level") or "public"
    return DatasetMetadata(
        **values,
        tags=tuple(t.strip() for t in form.get("tags", "").split(",") if t.strip()),
        themes=tuple(form.getlist("themes")),
        spatial_units=tuple(form.getlist("spatial_units")),
    )


def resource_input_from_form(form: MultiDict[str, str]) -> ResourceInput:
    """Return a resource's name and description as entered."""
    return ResourceInput(name=form.get("name", ""), description=form.get("description", ""))


def schema_edits_from_form(form: MultiDict[str, str]) -> list[FieldEdit]:
    """Return the schema editor's rows (``field`` repeats; columns are ``<key>-<n>``)."""
    edits = []
    for n, name in enumerate(form.getlist("field")):
        edits.append(
            FieldEdit(
                name=name,
                title=form.get(f"title-{n}", ""),
                description=form.get(f"description-{n}", ""),
                title_en=form.get(f"title_en-{n}", ""),
                description_en=form.get(f"description_en-{n}", ""),
                type=form.get(f"type-{n}", "string"),
                format=form.get(f"format-{n}", ""),
                required=form.get(f"required-{n}") == "on",
                unique=form.get(f"unique-{n}") == "on",
                enum=tuple(v.strip() for v in form.get(f"enum-{n}", "").split(",") if v.strip()),
                minimum=form.get(f"minimum-{n}", ""),
                maximum=form.get(f"maximum-{n}", ""),
            )
        )
    return edits
