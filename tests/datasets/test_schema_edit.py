"""The schema editor's rules: edits become a Frictionless schema, or clear error codes."""

from __future__ import annotations

import dataclasses

import pytest

from datasets.schema_edit import FieldEdit, edits_from_schema, schema_from_edits
from publishers import InvalidInput

BASE = {
    "fields": [
        {"name": "ma_tram", "type": "string"},
        {"name": "so_cho", "type": "integer"},
        {"name": "ngay_mo", "type": "string"},
    ],
    "primaryKey": ["ma_tram"],
}


def test_round_trip_keeps_the_schema() -> None:
    assert schema_from_edits(BASE, edits_from_schema(BASE)) == BASE


def test_edits_set_titles_types_formats_and_constraints() -> None:
    rows = edits_from_schema(BASE)
    rows[1] = dataclasses.replace(
        rows[1], title="Số chỗ", required=True, minimum="0", maximum="500", unique=False
    )
    rows[2] = dataclasses.replace(rows[2], type="date", format="%d/%m/%Y", description="Ngày mở")
    rows[0] = dataclasses.replace(rows[0], enum=("T001", "T002"), unique=True)
    schema = schema_from_edits(BASE, rows)
    assert schema["fields"] == [
        {
            "name": "ma_tram",
            "type": "string",
            "constraints": {"unique": True, "enum": ["T001", "T002"]},
        },
        {
            "name": "so_cho",
            "type": "integer",
            "title": "Số chỗ",
            "constraints": {"required": True, "minimum": 0, "maximum": 500},
        },
        {"name": "ngay_mo", "type": "date", "description": "Ngày mở", "format": "%d/%m/%Y"},
    ]
    assert schema["primaryKey"] == ["ma_tram"]
    assert edits_from_schema(schema)[1].minimum == "0"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"type": "bogus"}, "unknown_type"),
        ({"minimum": "abc"}, "bad_minimum"),
        ({"minimum": "9", "maximum": "1"}, "minimum_above_maximum"),
        ({"format": "email"}, "bad_format"),
    ],
)
def test_bad_edits_are_refused_with_a_code(change: dict[str, str], code: str) -> None:
    rows = edits_from_schema(BASE)
    rows[1] = dataclasses.replace(rows[1], **change)
    with pytest.raises(InvalidInput) as caught:
        schema_from_edits(BASE, rows)
    assert caught.value.errors == {"so_cho": [code]}


def test_renamed_or_missing_fields_are_refused() -> None:
    rows = [*edits_from_schema(BASE)[:2], FieldEdit(name="khac")]
    with pytest.raises(InvalidInput) as caught:
        schema_from_edits(BASE, rows)
    assert caught.value.errors == {"fields": ["fields_changed"]}


def test_date_bounds_must_be_iso_dates() -> None:
    rows = edits_from_schema(BASE)
    rows[2] = dataclasses.replace(rows[2], type="date", minimum="2020-01-01", maximum="01/02/2020")
    with pytest.raises(InvalidInput) as caught:
        schema_from_edits(BASE, rows)
    assert caught.value.errors == {"ngay_mo": ["bad_maximum"]}
