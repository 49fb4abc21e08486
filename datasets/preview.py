"""A first look at a published table, read straight from its CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class TablePreview:
    """The header and the first rows of a table."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    truncated: bool
    # Columns without a single value in the rows read (``scan`` of ``preview_csv``).
    empty: tuple[str, ...] = ()


def preview_csv(stream: BinaryIO, limit: int = 20, *, scan: int = 0) -> TablePreview:
    """Return the header and up to ``limit`` rows of a UTF-8 CSV stream; with ``scan``, also
    the columns that hold no value in the first ``max(limit, scan)`` rows."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = tuple(next(reader, ()))
    rows: list[tuple[str, ...]] = []
    filled = [False] * len(header)
    truncated = False
    for n, row in enumerate(reader):
        if n >= max(limit, scan):
            break
        if scan:
            for i, cell in enumerate(row[: len(header)]):
                filled[i] = filled[i] or bool(cell.strip())
        if len(rows) >= limit:
            truncated = True
            if not scan:
                break
            continue
        rows.append(tuple(row))
    text.detach()
    empty = tuple(h for h, f in zip(header, filled, strict=True) if not f) if scan and rows else ()
    return TablePreview(header, tuple(rows), truncated, empty)
