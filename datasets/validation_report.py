"""The validation report of a table, as stored on its resource version and shown (SPEC §4).

Kept apart from ``datasets.validation`` (which runs Frictionless) so that reading a stored
report does not load the validator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datasets.place_report import PlaceColumn


@dataclass(frozen=True)
class ValidationIssue:
    """One finding: a Frictionless error code at a row (header = 1) and field (from 1)."""

    code: str
    row: int | None
    field_number: int | None
    field_name: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        """Return the JSON shape of SPEC §4 (``code``, ``row``, ``field_number``, ...)."""
        return {
            "code": self.code,
            "row": self.row,
            "field_number": self.field_number,
            "field_name": self.field_name,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ValidationIssue:
        """Rebuild an issue stored with ``to_json``."""
        return cls(
            code=str(data["code"]),
            row=data.get("row"),
            field_number=data.get("field_number"),
            field_name=data.get("field_name"),
            message=str(data.get("message", "")),
        )


@dataclass(frozen=True)
class ValidationReport:
    """The stored validation report of a tabular resource.

    ``row_count`` counts the data rows read (all of them unless the error cap stopped the
    run, which sets ``truncated``). ``places`` holds the columns of administrative units
    recognized in the table and the notes on their values (issue 22): notes for the
    publisher, which never make the table invalid.
    """

    valid: bool
    row_count: int
    errors: tuple[ValidationIssue, ...]
    truncated: bool = False
    places: tuple[PlaceColumn, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return ``{"valid", "row_count", "errors": [...], "truncated", "places": [...]}``."""
        return {
            "valid": self.valid,
            "row_count": self.row_count,
            "errors": [issue.to_json() for issue in self.errors],
            "truncated": self.truncated,
            "places": [column.to_json() for column in self.places],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ValidationReport:
        """Rebuild a report stored with ``to_json``."""
        return cls(
            valid=bool(data["valid"]),
            row_count=int(data["row_count"]),
            errors=tuple(ValidationIssue.from_json(item) for item in data.get("errors", ())),
            truncated=bool(data.get("truncated", False)),
            places=tuple(PlaceColumn.from_json(item) for item in data.get("places", ())),
        )

    def place_column(self, column: str) -> PlaceColumn | None:
        """The recognized place column of that name, or None."""
        return next((p for p in self.places if p.column == column), None)
