"""The rows around validation errors, with the offending cells marked (members only).

Reads the normalized CSV (UTF-8, header first) once, streaming, and keeps only the rows
near an error, so the report page costs the same for a 10-row and a 10-million-row file
up to the last row shown.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datasets.validation_report import ValidationIssue

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class MarkedRow:
    """One data row: its Frictionless row number, cells and the marked cell positions.

    ``marked`` holds 1-based field numbers; ``whole_row`` marks errors about the row itself
    (a blank row, a repeated primary key).
    """

    number: int
    cells: tuple[str, ...]
    marked: frozenset[int]
    whole_row: bool


@dataclass(frozen=True)
class ErrorPreview:
    """The header and the rows shown around the errors (in file order)."""

    header: tuple[str, ...]
    rows: tuple[MarkedRow, ...]
    marked_header: frozenset[int]


_ROW_CODES = frozenset({"blank-row", "primary-key", "primary-key-error", "foreign-key"})
_HEADER_CODES = frozenset(
    {"duplicate-label", "blank-label", "incorrect-label", "missing-label", "extra-label"}
)


def rows_around_errors(
    csv_path: Path,
    issues: Iterable[ValidationIssue],
    *,
    context: int = 1,
    max_rows: int = 200,
) -> ErrorPreview:
    """Return the header and up to ``max_rows`` rows within ``context`` rows of an error.

    Row numbers are Frictionless' (the header is row 1, the first data row is row 2).
    """
    cells: dict[int, set[int]] = {}
    whole: set[int] = set()
    header_marks: set[int] = set()
    for issue in issues:
        code, row, field = issue.code, issue.row, issue.field_number
        if code in _HEADER_CODES and field:
            header_marks.add(int(field))
        if not isinstance(row, int):
            continue
        if code in _ROW_CODES or not field:
            whole.add(row)
        else:
            cells.setdefault(row, set()).add(int(field))
    wanted: set[int] = set()
    for row in set(cells) | whole:
        wanted.update(range(max(2, row - context), row + context + 1))
    last = max(wanted, default=0)
    rows: list[MarkedRow] = []
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        for number, values in enumerate(reader, start=2):
            if number > last or len(rows) >= max_rows:
                break
            if number in wanted:
                rows.append(
                    MarkedRow(
                        number,
                        tuple(values),
                        frozenset(cells.get(number, ())),
                        number in whole,
                    )
                )
    return ErrorPreview(header, tuple(rows), frozenset(header_marks))


__all__ = ["ErrorPreview", "MarkedRow", "rows_around_errors"]
