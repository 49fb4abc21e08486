"""Reading the dataset form into domain values (no business rules here)."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from datasets.editing import ResourceInput
from datasets.metadata_input import DatasetMetadata
from datasets.schema_edit import FieldEdit


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def metadata_from_form(form: MultiDict[str, str]) -> DatasetMetadata:
    """Return the metadata entered in the dataset form."""
    return DatasetMetadata(
        title_vi=form.get("title_vi", ""),
        title_en=form.get("title_en", ""),
        description_vi=form.get("description_vi", ""),
        description_en=form.get("description_en", ""),
        tags=tuple(t.strip() for t in form.get("tags", "").split(",") if t.strip()),
        themes=tuple(form.getlist("themes")),
        license_id=form.get("license_id", "cc-by-4.0"),
        contact_email=form.get("contact_email", ""),
        temporal_start=_date(form.get("temporal_start")),
        temporal_end=_date(form.get("temporal_end")),
        spatial=form.get("spatial", ""),
        frequency=form.get("frequency", ""),
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
