"""Row readers for spreadsheet and JSON uploads: each yields the header, then data rows.

Cells come out as strings: dates in ISO 8601, formulas as their cached values (never
evaluated), nested JSON as JSON text, GeoJSON geometry as WKT (or longitude/latitude columns
when every feature is a point).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from datasets.ingest_errors import BadJson, TooManyCells, XlsxBomb

__all__ = ["read_geojson", "read_json", "read_xlsx", "xlsx_sheet_names"]

MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # bytes, all members together
MAX_XLSX_RATIO = 200  # uncompressed / compressed, per member larger than 1 MiB
MAX_XLSX_CELLS = 20_000_000
MAX_JSON_BYTES = 512 * 1024 * 1024
_RECORD_KEYS = ("data", "records", "items", "rows", "results", "result")


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


def _load_json(path: Path, encoding: str) -> Any:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise BadJson("bad-json", {"reason": "too-large", "limit": MAX_JSON_BYTES})
    try:
        with path.open(encoding=encoding) as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise BadJson(
            "bad-json", {"reason": "syntax", "line": exc.lineno, "column": exc.colno}
        ) from exc
    except UnicodeDecodeError as exc:
        raise BadJson("bad-json", {"reason": "encoding", "offset": exc.start}) from exc


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _records(data: Any) -> list[Any]:
    if isinstance(data, dict):
        for key in _RECORD_KEYS:
            if isinstance(data.get(key), list):
                return list(data[key])
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == 1:
            return list(lists[0])
        raise BadJson("bad-json", {"reason": "no-records"})
    if isinstance(data, list):
        return data
    raise BadJson("bad-json", {"reason": "no-records"})


def _table(records: list[dict[str, Any]], extra: list[str] | None = None) -> Iterator[list[str]]:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    header = list(columns) + (extra or [])
    yield header
    for record in records:
        yield [_json_cell(record.get(name)) for name in header]


def read_json(path: Path, encoding: str) -> Iterator[list[str]]:
    """Yield a header and rows from an array of objects (or ``{"data": [...]}``, or arrays).

    Raises BadJson.
    """
    records = _records(_load_json(path, encoding))
    if records and all(isinstance(item, list) for item in records):
        for item in records:
            yield [_json_cell(value) for value in item]
        return
    if not all(isinstance(item, dict) for item in records):
        raise BadJson("bad-json", {"reason": "mixed-records"})
    yield from _table(records)


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


def read_geojson(path: Path, encoding: str) -> Iterator[list[str]]:
    """Yield properties as columns plus ``longitude``/``latitude`` (all points) or ``geometry``.

    Raises BadJson.
    """
    data = _load_json(path, encoding)
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise BadJson("bad-json", {"reason": "not-feature-collection"})
    features = [f for f in data["features"] if isinstance(f, dict)]
    geometries = [f.get("geometry") for f in features]
    points = bool(geometries) and all(
        isinstance(g, dict) and g.get("type") == "Point" for g in geometries
    )
    records = []
    for feature, geometry in zip(features, geometries, strict=True):
        record = dict(feature.get("properties") or {})
        if points:
            assert isinstance(geometry, dict)
            lon, lat = geometry["coordinates"][:2]
            record.update({"longitude": lon, "latitude": lat})
        else:
            record["geometry"] = geometry_to_wkt(geometry)
        records.append(record)
    yield from _table(records)
