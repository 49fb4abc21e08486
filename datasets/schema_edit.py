"""Edit a resource's Table Schema: field titles, types, formats and constraints.

Titles and descriptions come in Vietnamese (``title``, ``description``) and English
(``title_en``, ``description_en``: see ``datasets.column_labels``).

The publisher edits the inferred schema field by field; ``schema_from_edits`` turns the
edits into a Frictionless Table Schema descriptor and refuses anything Frictionless would
not read the same way (unknown types, constraints that do not fit the type), so that the
re-validation that follows means what the publisher meant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from datasets.column_labels import DESCRIPTION_EN, TITLE_EN, humanise
from publishers import InvalidInput

FIELD_TYPES = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "object",
    "array",
    "any",
)
_STRING_FORMATS = frozenset({"default", "email", "uri", "uuid", "binary"})
_TIME_TYPES = frozenset({"date", "time", "datetime"})
_GEOPOINT_FORMATS = frozenset({"default", "array", "object"})
_ORDERED = frozenset({"integer", "number", "date", "year"})
_MAX_TEXT = 2000
_MAX_TITLE = 300


@dataclass(frozen=True)
class FieldEdit:
    """The publisher's edit of one field (as typed in the schema editor)."""

    name: str
    title: str = ""  # Vietnamese (the Table Schema's own ``title``)
    description: str = ""
    title_en: str = ""  # English (the ``title_en`` extension property)
    description_en: str = ""
    type: str = "string"
    format: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()
    minimum: str = ""
    maximum: str = ""


def edits_from_schema(schema: Mapping[str, Any]) -> list[FieldEdit]:
    """Return the schema's fields as editable rows (the editor's starting point)."""
    rows = []
    for field in schema.get("fields", []):
        constraints = field.get("constraints", {}) or {}
        rows.append(
            FieldEdit(
                name=str(field.get("name", "")),
                title=str(field.get("title", "")),
                description=str(field.get("description", "")),
                title_en=str(field.get(TITLE_EN, "")),
                description_en=str(field.get(DESCRIPTION_EN, "")),
                type=str(field.get("type", "any")),
                format=str(field.get("format", "")),
                required=bool(constraints.get("required", False)),
                unique=bool(constraints.get("unique", False)),
                enum=tuple(str(v) for v in constraints.get("enum", []) or []),
                minimum=_text(constraints.get("minimum")),
                maximum=_text(constraints.get("maximum")),
            )
        )
    return rows


def with_proposed_titles(rows: Sequence[FieldEdit]) -> list[FieldEdit]:
    """Return ``rows`` with an empty Vietnamese title proposed from the header (``humanise``)."""
    return [row if row.title.strip() else replace(row, title=humanise(row.name)) for row in rows]


def schema_from_edits(base: Mapping[str, Any], edits: Sequence[FieldEdit]) -> dict[str, Any]:
    """Return ``base`` with its fields replaced by ``edits`` (same names, same order).

    Raises ``InvalidInput`` with ``{field name: [codes]}`` when a field is unknown, missing,
    of an unknown type, or has a format or constraint that does not fit its type.
    """
    names = [str(f.get("name", "")) for f in base.get("fields", [])]
    by_name = {e.name: e for e in edits}
    errors: dict[str, list[str]] = {}
    if sorted(by_name) != sorted(names) or len(edits) != len(names):
        errors["fields"] = ["fields_changed"]
        raise InvalidInput("schema fields changed", errors)
    fields = []
    for name in names:
        field, problems = _field(by_name[name])
        if problems:
            errors[name] = problems
        fields.append(field)
    if errors:
        raise InvalidInput("invalid schema", errors)
    descriptor = {k: v for k, v in base.items() if k != "fields"}
    descriptor["fields"] = fields
    check_schema(descriptor)
    return descriptor


def check_schema(descriptor: Mapping[str, Any]) -> None:
    """Raise ``InvalidInput`` unless Frictionless accepts ``descriptor`` as a Table Schema."""
    from frictionless import FrictionlessException, Schema  # here: a second to import

    try:
        metadata_errors = list(Schema.metadata_validate(dict(descriptor)))
        if not metadata_errors:
            Schema.from_descriptor(dict(descriptor))
    except FrictionlessException:
        metadata_errors = [None]
    if metadata_errors:
        raise InvalidInput("invalid schema", {"schema": ["invalid_schema"]})


def _field(edit: FieldEdit) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    if edit.type not in FIELD_TYPES:
        return {"name": edit.name, "type": "any"}, ["unknown_type"]
    field: dict[str, Any] = {"name": edit.name, "type": edit.type}
    for key, value, size in (
        ("title", edit.title, _MAX_TITLE),
        ("description", edit.description, _MAX_TEXT),
        (TITLE_EN, edit.title_en, _MAX_TITLE),
        (DESCRIPTION_EN, edit.description_en, _MAX_TEXT),
    ):
        if value.strip():
            field[key] = value.strip()[:size]
    fmt = edit.format.strip()
    if fmt and fmt != "default":
        if _format_fits(edit.type, fmt):
            field["format"] = fmt
        else:
            problems.append("bad_format")
    constraints: dict[str, Any] = {}
    if edit.required:
        constraints["required"] = True
    if edit.unique:
        constraints["unique"] = True
    if edit.enum:
        values = [v.strip() for v in edit.enum if v.strip()]
        if values:
            constraints["enum"] = values
    for key, raw in (("minimum", edit.minimum), ("maximum", edit.maximum)):
        if not raw.strip():
            continue
        value = _bound(edit.type, raw.strip())
        if value is None:
            problems.append(f"bad_{key}")
        else:
            constraints[key] = value
    if {"minimum", "maximum"} <= constraints.keys() and (
        constraints["minimum"] > constraints["maximum"]
    ):
        problems.append("minimum_above_maximum")
    if constraints:
        field["constraints"] = constraints
    return field, problems


def _format_fits(field_type: str, fmt: str) -> bool:
    if field_type == "string":
        return fmt in _STRING_FORMATS
    if field_type in _TIME_TYPES:
        return fmt == "any" or "%" in fmt
    if field_type == "geopoint":
        return fmt in _GEOPOINT_FORMATS
    return False


def _bound(field_type: str, raw: str) -> Any:
    """Return the constraint value in the type Frictionless expects, or None."""
    if field_type not in _ORDERED:
        return None
    try:
        if field_type in ("integer", "year"):
            return int(raw)
        if field_type == "number":
            return float(raw)
        date.fromisoformat(raw)
        return raw
    except ValueError:
        return None


def _text(value: object) -> str:
    return "" if value is None else str(value)


__all__ = [
    "FIELD_TYPES",
    "FieldEdit",
    "check_schema",
    "edits_from_schema",
    "schema_from_edits",
    "with_proposed_titles",
]
