"""Why a file failed processing, in the reader's language.

The domain stores an error code and plain parameters on the version (datasets.ingest.errors,
datasets.processing); this module words them for the publisher's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_decimal, gettext


def _(message: str, **params: object) -> str:
    return str(gettext(message, **params))


def _n(value: Any) -> str:
    return str(format_decimal(value)) if isinstance(value, int | float) else str(value)


def failure_reason(code: str | None, params: Mapping[str, Any] | None) -> str:
    """One or two sentences saying why the file failed and what the publisher can do."""
    p = dict(params or {})
    worded = _WORDED.get(code or "")
    if worded is not None:
        return worded(p)
    fixed = {
        "empty-file": _("The file is empty."),
        "not-tabular": _("The file is not a table."),
        "bad-csv": _("The file is not a well-formed CSV file."),
        "xlsx-bomb": _("The spreadsheet is damaged or would inflate past the limits."),
        "too-many-cells": _("The spreadsheet has too many cells."),
    }
    return fixed.get(code or "", code or "")


def _bad_json(p: dict[str, Any]) -> str:
    if p.get("reason") == "too-large":
        mib = int(p.get("limit", 0)) // (1024 * 1024)
        return _("The JSON file is larger than %(limit)s MB, the most that can be read.", limit=mib)
    if p.get("reason") == "record-too-large":
        mib = int(p.get("limit", 0)) // (1024 * 1024)
        return _(
            "Record %(record)s of the JSON file is larger than %(limit)s MB, the most one "
            "record may hold.",
            record=_n(p.get("record", "?")),
            limit=mib,
        )
    if p.get("reason") in ("syntax", "encoding"):
        return _("The file is not well-formed JSON.")
    return _("The JSON file does not hold a list of records.")


def _extra_cells(p: dict[str, Any]) -> str:
    text = _(
        "Row %(row)s has %(cells)s cells but the first row names only %(header)s columns. "
        "Cells without a column name cannot be checked for personal data, so the table is "
        "not published: name every column in the first row, or remove the extra cells.",
        row=_n(p.get("row", "?")),
        cells=_n(p.get("cells", "?")),
        header=_n(p.get("header", "?")),
    )
    if p.get("comment") in (True, "True", "true"):
        text += " " + _(
            "The first line looks like a comment (it starts with #): the first line must "
            "hold the column names."
        )
    return text


_WORDED: dict[str, Callable[[dict[str, Any]], str]] = {
    "undecodable": lambda p: _(
        "The text could not be decoded with the encoding %(encoding)s: choose another "
        "encoding below.",
        encoding=p.get("encoding", "?"),
    ),
    "unknown-sheet": lambda p: _(
        "The sheet %(sheet)s does not exist. Sheets: %(sheets)s",
        sheet=p.get("sheet", "?"),
        sheets=p.get("sheets", ""),
    ),
    "interrupted": lambda p: _(
        "Checking the file was interrupted %(attempts)s times (the server stopped or ran out "
        "of memory): upload it again or ask the site administrator.",
        attempts=p.get("attempts", "?"),
    ),
    "time-limit": lambda p: _(
        "Checking the file took longer than the limit of %(seconds)s seconds: split the file "
        "or ask the site administrator.",
        seconds=p.get("seconds", "?"),
    ),
    "bad-json": _bad_json,
    "extra-cells": _extra_cells,
    "row-too-long": lambda p: _(
        "Row %(row)s is longer than %(limit)s characters, the most one row may hold: check "
        "that the file is a table with a line break after each row.",
        row=_n(p.get("row", "?")),
        limit=_n(p.get("limit", "?")),
    ),
    "too-many-columns": lambda p: _(
        "Row %(row)s has %(columns)s cells; a table may have at most %(limit)s columns.",
        row=_n(p.get("row", "?")),
        columns=_n(p.get("columns", "?")),
        limit=_n(p.get("limit", "?")),
    ),
    "markup-not-table": lambda p: _(
        "The file is named %(extension)s but holds %(format)s (a web page or markup), not a "
        "table: upload the table itself.",
        extension=p.get("extension", "?"),
        format=p.get("format", "?"),
    ),
    "processing-failed": lambda p: _(
        "An unexpected problem stopped the checks of this file, so it was not published. Try "
        "again, or ask the site administrator, quoting reference %(reference)s.",
        reference=p.get("reference", "?"),
    ),
}
