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


def preview_csv(stream: BinaryIO, limit: int = 20) -> TablePreview:
    """Return the header and up to ``limit`` rows of a UTF-8 CSV stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = tuple(next(reader, ()))
    rows: list[tuple[str, ...]] = []
    truncated = False
    for row in reader:
        if len(rows) >= limit:
            truncated = True
            break
        rows.append(tuple(row))
    text.detach()
    return TablePreview(header, tuple(rows), truncated)
