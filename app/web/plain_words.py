"""Plain words for technical names shown to publishers and stewards: Table Schema types,
text encodings, and how to fix each kind of validation error (issue 21).

The stored values stay the standard names (``integer``, ``cp1258``, ``type-error``); only
what a page says changes, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext


def _(message: str, **params: object) -> str:
    return str(gettext(message, **params))


_TYPES: dict[str, Callable[[], str]] = {
    "string": lambda: _("text"),
    "integer": lambda: _("whole number"),
    "number": lambda: _("number"),
    "boolean": lambda: _("yes/no value"),
    "date": lambda: _("date"),
    "time": lambda: _("time of day"),
    "datetime": lambda: _("date and time"),
    "year": lambda: _("year"),
    "yearmonth": lambda: _("month of a year"),
    "duration": lambda: _("duration"),
    "geopoint": lambda: _("map coordinates"),
    "geojson": lambda: _("map shape (GeoJSON)"),
    "object": lambda: _("JSON object"),
    "array": lambda: _("JSON list"),
    "any": lambda: _("any value"),
}

# A value of each type as the portal reads it by default, to show how to write one.
_EXAMPLES = {
    "integer": "12",
    "number": "12.5",
    "boolean": "true / false",
    "date": "2025-12-31",
    "time": "08:30:00",
    "datetime": "2025-12-31T08:30:00",
    "year": "2025",
    "yearmonth": "2025-12",
    "geopoint": "10.7769, 106.7009",
}


def type_label(kind: str) -> str:
    """Return a Table Schema type in plain words (``integer`` → "whole number")."""
    label = _TYPES.get(kind)
    return label() if label is not None else kind


def type_fix(kind: str) -> str:
    """Return how to fix a value that is not of ``kind``."""
    example = _EXAMPLES.get(kind)
    if example is None:
        return _("Correct the value, or change the column's type in the Table Schema.")
    return _(
        "Write it like %(example)s, or, if the column really holds other values, change its "
        "type in the Table Schema.",
        example=example,
    )


_ENCODINGS: dict[str, Callable[[], str]] = {
    "utf-8": lambda: _("Unicode (UTF-8)"),
    "utf-8-sig": lambda: _("Unicode (UTF-8, with a byte-order mark)"),
    "utf-16": lambda: _("Unicode (UTF-16, as saved by Excel)"),
    "cp1258": lambda: _("Vietnamese Windows (Windows-1258)"),
    "cp1252": lambda: _("Western European Windows (Windows-1252)"),
}


def encoding_label(name: str) -> str:
    """Return a text encoding in plain words (``cp1258`` → "Vietnamese Windows ...")."""
    label = _ENCODINGS.get(name.lower().replace("_", "-"))
    return label() if label is not None else name


_FIXES: dict[str, Callable[[], str]] = {
    "type-error": lambda: _(
        "Correct the marked cells, or change the column's type in the Table Schema."
    ),
    "constraint-error": lambda: _(
        "Correct the marked cells, or relax the column's rule in the Table Schema."
    ),
    "missing-cell": lambda: _("Add the missing cells, or check that no separator is missing."),
    "extra-cell": lambda: _(
        "Remove the extra cells, or put quotes around values that contain a comma."
    ),
    "blank-row": lambda: _("Delete the empty rows."),
    "duplicate-label": lambda: _("Give every column a different name in the header."),
    "blank-label": lambda: _("Give the column a name in the header."),
    "unique-error": lambda: _("Remove or correct the repeated values."),
    "primary-key": lambda: _("Remove or correct the repeated rows."),
    "primary-key-error": lambda: _("Remove or correct the repeated rows."),
    "encoding-error": lambda: _("Choose another text encoding for the file, then read it again."),
}


_DECISION_PROBLEMS: dict[str, Callable[[], str]] = {
    "unknown_column": lambda: _("this column has no personal-data finding"),
    "unknown_action": lambda: _("choose an action from the list"),
    "keep_needs_steward": lambda: _("only a steward may keep personal data"),
    "justification_required": lambda: _("keeping personal data needs a written justification"),
    "cannot_generalize": lambda: _("values of this kind cannot be generalized"),
    "would_empty": lambda: _(
        "generalizing would leave the column empty (no value names a ward, district or year "
        "that could be kept): choose “Drop the column” instead"
    ),
}


def decision_problems(errors: dict[str, list[str]]) -> str:
    """Return the problems of refused personal-data decisions, column by column, in words."""
    return "; ".join(
        f"{column}: "
        + ", ".join(
            _DECISION_PROBLEMS[code]() if code in _DECISION_PROBLEMS else code for code in codes
        )
        for column, codes in errors.items()
    )


def error_fix(code: str) -> str:
    """Return how to fix an error of kind ``code`` ("" when there is no general advice)."""
    fix = _FIXES.get(code)
    return fix() if fix is not None else ""


__all__ = ["decision_problems", "encoding_label", "error_fix", "type_fix", "type_label"]
