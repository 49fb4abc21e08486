"""Validation issues in the reader's language: one message per Frictionless error code.

The domain stores Frictionless' codes, rows and fields (and its English message); the
page says what is wrong in Vietnamese or English, with the parameters that matter (the
expected type and format, the constraint and its value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext

from app.web.plain_words import type_fix, type_label
from datasets.validation_report import ValidationIssue


def _(message: str, **params: object) -> str:
    return str(gettext(message, **params))


_CONSTRAINT = re.compile(r'constraint "(?P<name>\w+)" is "(?P<value>.*)"\s*$', re.S)


def _constraint_text(name: str) -> str:
    labels = {
        "required": _("a value is required"),
        "unique": _("values must be unique"),
        "minimum": _("the smallest allowed value"),
        "maximum": _("the largest allowed value"),
        "minLength": _("the shortest allowed length"),
        "maxLength": _("the longest allowed length"),
        "pattern": _("the required pattern"),
        "enum": _("the allowed values"),
    }
    return labels.get(name, name)


def _type_error(field: Mapping[str, Any]) -> str:
    kind = str(field.get("type", "?"))
    fmt = str(field.get("format", "") or "")
    if fmt and fmt != "default":
        return _(
            "The value is not a valid %(type)s in the format %(format)s.",
            type=type_label(kind),
            format=fmt,
        )
    return _("The value is not a valid %(type)s.", type=type_label(kind)) + " " + type_fix(kind)


def _constraint_error(issue: ValidationIssue) -> str:
    match = _CONSTRAINT.search(issue.message)
    if match is None:
        return _("The value does not meet a constraint of the column.")
    name, value = match.group("name"), match.group("value")
    if name == "required":
        return _("This column requires a value, but the cell is empty.")
    return _(
        "The value does not meet the constraint: %(constraint)s is %(value)s.",
        constraint=_constraint_text(name),
        value=value,
    )


_SIMPLE: dict[str, Callable[[], str]] = {
    "missing-cell": lambda: _("The row has fewer cells than the header: this cell is missing."),
    "extra-cell": lambda: _("The row has more cells than the header: this cell is extra."),
    "blank-row": lambda: _("The row is completely empty."),
    "duplicate-label": lambda: _("The column name is used twice in the header."),
    "blank-label": lambda: _("The column has no name in the header."),
    "missing-label": lambda: _("The header lacks a column that the schema describes."),
    "extra-label": lambda: _("The header has a column that the schema does not describe."),
    "incorrect-label": lambda: _("The column name does not match the name in the schema."),
    "blank-header": lambda: _("The header row is empty."),
    "unique-error": lambda: _("The value repeats a value above; this column must be unique."),
    "primary-key": lambda: _("The row repeats the primary key of a row above."),
    "primary-key-error": lambda: _("The row repeats the primary key of a row above."),
    "encoding-error": lambda: _("The file could not be decoded in the chosen encoding."),
    "format-error": lambda: _("The file could not be read as a table."),
    "source-error": lambda: _("The file's contents are not consistent."),
    "schema-error": lambda: _("The Table Schema is not valid."),
    "field-error": lambda: _("A field of the Table Schema is not valid."),
    "row-constraint": lambda: _("The row breaks a rule across its columns."),
    "foreign-key": lambda: _("The row refers to a value that does not exist."),
}


def issue_message(issue: ValidationIssue, schema: Mapping[str, Any] | None) -> str:
    """Return the message of one stored issue (``code``, ``row``, ``field_name``...)."""
    code = issue.code
    fields = {f.get("name"): f for f in (schema or {}).get("fields", [])}
    field = fields.get(issue.field_name) or {}
    if code == "type-error":
        return _type_error(field)
    if code == "constraint-error":
        return _constraint_error(issue)
    simple = _SIMPLE.get(code)
    if simple is not None:
        return simple()
    return _("Frictionless reports an error of kind %(code)s.", code=code)


def code_label(code: str) -> str:
    """Return a short name for an error code (summary lines)."""
    labels = {
        "type-error": _("wrong type"),
        "constraint-error": _("constraint not met"),
        "missing-cell": _("missing cell"),
        "extra-cell": _("extra cell"),
        "blank-row": _("blank row"),
        "duplicate-label": _("duplicate column name"),
        "blank-label": _("blank column name"),
        "incorrect-label": _("column name differs from the schema"),
        "unique-error": _("repeated value"),
        "primary-key": _("repeated primary key"),
    }
    return labels.get(code, code)


__all__ = ["code_label", "issue_message"]
