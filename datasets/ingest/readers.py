"""Row reader for spreadsheet uploads (header, then data rows), and GeoJSON geometry as WKT.

Cells come out as strings: dates in ISO 8601, formulas as their cached values (never
evaluated). JSON and GeoJSON are read by datasets.ingest.json_records.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from datasets.ingest.errors import BadJson, TooManyCells, XlsxBomb

__all__ = ["geometry_to_wkt", "read_xlsx", "xlsx_sheet_names"]

MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # bytes, all members together
MAX_XLSX_RATIO = 200  # uncompressed / compressed, per member larger than 1 MiB
MAX_XLSX_CELLS = 20_000_000


def check_xlsx_bomb(path: Path) -> None:
    """Refuse a workbook whose declared sizes would inflate too far. Raises XlsxBomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise XlsxBomb("xlsx-bomb", {"reason": "bad-zip"}) from exc
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise XlsxBomb("xlsx-bomb", {"uncompressed": total, "limit": MAX_XLSX_UNCOMPRESSED})
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > 1024 * 1024 and ratio > MAX_XLSX_RATIO:
            params = {"member": info.filename, "ratio": round(ratio), "limit": MAX_XLSX_RATIO}
            raise XlsxBomb("xlsx-bomb", params)


def xlsx_sheet_names(path: Path) -> tuple[str, ...]:
    """Return the sheet names after the bomb check. Raises XlsxBomb."""
    check_xlsx_bomb(path)
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses names without an Excel extension, and
    # the extension proves nothing anyway.
    with path.open("rb") as handle:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            return tuple(workbook.sheetnames)
        finally:
            workbook.close()


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, sheet: str) -> Iterator[list[str]]:
    """Yield the rows of ``sheet``; trailing empty rows and cells are dropped.

    Raises XlsxBomb and TooManyCells (declared dimension, then counted while reading).
    """
    check_xlsx_bomb(path)
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        yield from _xlsx_rows(load_workbook(handle, read_only=True, data_only=True), sheet)


def _xlsx_rows(workbook: Any, sheet: str) -> Iterator[list[str]]:
    try:
        worksheet = workbook[sheet]
        declared = (worksheet.max_row or 0) * (worksheet.max_column or 0)
        if declared > MAX_XLSX_CELLS:
            raise TooManyCells("too-many-cells", {"cells": declared, "limit": MAX_XLSX_CELLS})
        cells = 0
        blank_run: list[list[str]] = []
        for raw in worksheet.iter_rows(values_only=True):
            cells += len(raw)
            if cells > MAX_XLSX_CELLS:
                raise TooManyCells("too-many-cells", {"limit": MAX_XLSX_CELLS})
            row = [_xlsx_cell(value) for value in raw]
            while row and row[-1] == "":
                row.pop()
            if not row:
                blank_run.append(row)
                continue
            yield from blank_run
            blank_run = []
            yield row
    finally:
        workbook.close()


def _wkt_coords(coords: Any, depth: int) -> str:
    if depth == 0:
        return " ".join(_number(c) for c in coords)
    return "(" + ", ".join(_wkt_coords(c, depth - 1) for c in coords) + ")"


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_DEPTHS = {
    "Point": 0,
    "LineString": 1,
    "Polygon": 2,
    "MultiPoint": 1,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}


def geometry_to_wkt(geometry: dict[str, Any] | None) -> str:
    """Return the WKT text of a GeoJSON geometry ("" for a null geometry)."""
    if not geometry:
        return ""
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = ", ".join(geometry_to_wkt(g) for g in geometry.get("geometries", []))
        return f"GEOMETRYCOLLECTION ({parts})"
    if kind not in _DEPTHS:
        raise BadJson("bad-json", {"reason": "geometry", "type": str(kind)})
    coords: Any = geometry.get("coordinates") or []
    if kind == "Point":
        return f"POINT ({_wkt_coords(coords, 0)})"
    if kind == "MultiPoint":
        return "MULTIPOINT (" + ", ".join(f"({_wkt_coords(c, 0)})" for c in coords) + ")"
    return f"{str(kind).upper()} {_wkt_coords(coords, _DEPTHS[str(kind)])}"
