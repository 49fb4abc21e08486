"""JSON records and GeoJSON features, streamed (ijson): memory is bounded by one record.

Up to three passes over the file: the top level (where the records are; skipped for a
top-level array), the records' columns (and, for GeoJSON, whether every geometry is a
point), then the rows. A record larger than ``MAX_RECORD_BYTES`` fails the file before it
is built whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from datasets.ingest.errors import BadJson, TooManyColumns
from datasets.ingest.limits import MAX_COLUMNS, MAX_JSON_BYTES, MAX_RECORD_BYTES
from datasets.ingest.readers import geometry_to_wkt

__all__ = ["read_geojson", "read_json"]

_RECORD_KEYS = ("data", "records", "items", "rows", "results", "result")
_STARTS = frozenset({"start_map", "start_array"})
_ENDS = frozenset({"end_map", "end_array"})
_SCALARS = frozenset({"string", "number", "boolean", "null"})
_BUFFER = 64 * 1024


class _Utf8:
    """A binary reader of UTF-8 bytes over a text file in another encoding (for ijson)."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8")


@contextmanager
def _utf8(path: Path, encoding: str) -> Iterator[BinaryIO | _Utf8]:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise BadJson("bad-json", {"reason": "too-large", "limit": MAX_JSON_BYTES})
    with path.open("rb") as handle:
        if encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig", "ascii"):
            if handle.read(3) != b"\xef\xbb\xbf":
                handle.seek(0)
            yield handle
        else:
            yield _Utf8(io.TextIOWrapper(handle, encoding=encoding, errors="strict"))


class _Budget:
    """Reads for ijson, refusing a record over ``MAX_RECORD_BYTES`` before it is built whole.

    The reader calls ``next_record`` for each record it receives: the bytes read since then
    are (within one read buffer) the bytes of the record being built.
    """

    def __init__(self, source: BinaryIO | _Utf8) -> None:
        self._source = source
        self.record = 1
        self._bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._bytes += len(data)
        if self._bytes > MAX_RECORD_BYTES + 2 * _BUFFER:
            params = {"reason": "record-too-large", "record": self.record}
            raise BadJson("bad-json", params | {"limit": MAX_RECORD_BYTES})
        return data

    def next_record(self) -> None:
        self.record += 1
        self._bytes = 0


def _items(path: Path, encoding: str, prefix: str) -> Iterator[Any]:
    """Yield the values at ``prefix`` (``item``, ``data.item``, or ``""`` for the root)."""
    try:
        with _utf8(path, encoding) as handle:
            budget = _Budget(handle)
            for item in ijson.items(budget, prefix, use_float=True, buf_size=_BUFFER):
                yield item
                budget.next_record()
    except ijson.JSONError as exc:
        raise BadJson("bad-json", {"reason": "syntax"}) from exc
    except UnicodeDecodeError as exc:
        raise BadJson("bad-json", {"reason": "encoding", "offset": exc.start}) from exc


@dataclass
class _Outline:
    """The top level of a JSON text: its kind, the keys holding arrays, its text values."""

    root: str = ""
    arrays: list[str] = field(default_factory=list)
    scalars: dict[str, Any] = field(default_factory=dict)


def _outline(path: Path, encoding: str) -> _Outline:
    """One pass over the events (stopping at once for a top-level array); checks the syntax."""
    outline = _Outline()
    depth, key = 0, ""
    try:
        with _utf8(path, encoding) as handle:
            for event, value in ijson.basic_parse(handle, buf_size=_BUFFER):
                if not outline.root:
                    outline.root = event
                    if event != "start_map":
                        break
                if event in _STARTS:
                    if depth == 1 and event == "start_array":
                        outline.arrays.append(key)
                    depth += 1
                elif event in _ENDS:
                    depth -= 1
                elif depth == 1:
                    if event == "map_key":
                        key = value
                    elif len(outline.scalars) < 100:
                        outline.scalars[key] = value
    except ijson.JSONError as exc:
        raise BadJson("bad-json", {"reason": "syntax"}) from exc
    except UnicodeDecodeError as exc:
        raise BadJson("bad-json", {"reason": "encoding", "offset": exc.start}) from exc
    return outline


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _chosen(outline: _Outline) -> str:
    if outline.root == "start_array":
        return "item"
    if outline.root == "start_map":
        for key in _RECORD_KEYS:
            if key in outline.arrays:
                return f"{key}.item"
        if len(outline.arrays) == 1:
            return f"{outline.arrays[0]}.item"
    raise BadJson("bad-json", {"reason": "no-records"})


def _add_columns(columns: dict[str, None], keys: Any) -> None:
    columns.update(dict.fromkeys(keys))
    if len(columns) > MAX_COLUMNS:
        params = {"row": 1, "columns": len(columns), "limit": MAX_COLUMNS}
        raise TooManyColumns("too-many-columns", params)


def read_json(path: Path, encoding: str) -> Iterator[list[str]]:
    """Yield a header and rows from an array of objects (or ``{"data": [...]}``, or arrays).

    Raises BadJson and TooManyColumns.
    """
    chosen = _chosen(_outline(path, encoding))
    kinds: set[type] = set()
    columns: dict[str, None] = {}
    for record in _items(path, encoding, chosen):
        kinds.add(type(record))
        if isinstance(record, dict):
            _add_columns(columns, record)
    if kinds - {dict, list} or len(kinds) > 1:
        raise BadJson("bad-json", {"reason": "mixed-records"})
    header = list(columns)
    if kinds == {dict}:
        yield header
    for record in _items(path, encoding, chosen):
        if isinstance(record, list):
            yield [_json_cell(value) for value in record]
        else:
            yield [_json_cell(record.get(name)) for name in header]


def _feature_record(feature: dict[str, Any], points: bool) -> dict[str, Any]:
    record = dict(feature.get("properties") or {})
    geometry = feature.get("geometry")
    if points:
        assert isinstance(geometry, dict)
        lon, lat = geometry["coordinates"][:2]
        record.update({"longitude": lon, "latitude": lat})
    else:
        record["geometry"] = geometry_to_wkt(geometry)
    return record


def _features(path: Path, encoding: str, single: bool) -> Iterator[dict[str, Any]]:
    for feature in _items(path, encoding, "" if single else "features.item"):
        if isinstance(feature, dict):
            yield feature


def read_geojson(path: Path, encoding: str) -> Iterator[list[str]]:
    """Yield properties as columns plus ``longitude``/``latitude`` (all points) or ``geometry``.

    Raises BadJson and TooManyColumns.
    """
    outline = _outline(path, encoding)
    single = outline.root == "start_map" and outline.scalars.get("type") == "Feature"
    if not single and (outline.root != "start_map" or "features" not in outline.arrays):
        raise BadJson("bad-json", {"reason": "not-feature-collection"})
    columns: dict[str, None] = {}
    points, count = True, 0
    for feature in _features(path, encoding, single):
        _add_columns(columns, feature.get("properties") or {})
        geometry = feature.get("geometry")
        points = points and isinstance(geometry, dict) and geometry.get("type") == "Point"
        count += 1
    points = points and count > 0
    header = list(columns) + (["longitude", "latitude"] if points else ["geometry"])
    yield header
    for feature in _features(path, encoding, single):
        record = _feature_record(feature, points)
        yield [_json_cell(record.get(name)) for name in header]
