"""Tables with coordinates: the one rule that finds them, bounding boxes, GeoJSON output.

``coordinate_columns`` is the rule the resource page's map uses (``app.web.maps``) and the
records API's ``_format=geojson`` and ``_bbox`` use: a table has a map when it has one of
the latitude/longitude column pairs of ``COORDINATE_PAIRS`` (names folded: case, accents
and spaces ignored).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from datasets.conversions import ConversionError
from datasets.datastore import (
    BadQuery,
    BoundingBox,
    DatastoreField,
    LoadFailed,
    fields_from_table_schema,
    read_typed_rows,
)
from datasets.text import slug_fold

COORDINATE_PAIRS = (
    ("vi_do", "kinh_do"),
    ("latitude", "longitude"),
    ("lat", "lon"),
    ("lat", "lng"),
    ("lat", "long"),
)
GEOJSON_MEDIA_TYPE = "application/geo+json"


def coordinate_columns(names: Iterable[str]) -> tuple[str, str] | None:
    """Return the (latitude, longitude) column names of a table, or None."""
    folded = {slug_fold(n).strip().lower().replace(" ", "_"): n for n in names}
    for lat, lon in COORDINATE_PAIRS:
        if lat in folded and lon in folded:
            return folded[lat], folded[lon]
    return None


def parse_bbox(raw: str, latitude: str, longitude: str) -> BoundingBox:
    """Parse ``minlon,minlat,maxlon,maxlat``; raise ``BadQuery`` saying what is wrong."""
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadQuery("_bbox must be four numbers: minlon,minlat,maxlon,maxlat")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise BadQuery("_bbox must be four numbers: minlon,minlat,maxlon,maxlat") from None
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        raise BadQuery("_bbox must be four finite numbers")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise BadQuery("_bbox longitudes must be between -180 and 180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BadQuery("_bbox latitudes must be between -90 and 90")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise BadQuery("_bbox needs minlon < maxlon and minlat < maxlat")
    return BoundingBox(latitude, longitude, min_lon, min_lat, max_lon, max_lat)


def _point(lat: Any, lon: Any) -> tuple[float, float] | None:
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        return None
    return la, lo


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass(frozen=True)
class GeoJsonCount:
    """What ``write_geojson`` wrote: features, and rows skipped for bad coordinates."""

    features: int
    skipped: int


def write_geojson(
    fields: Sequence[DatastoreField],
    rows: Iterable[Sequence[Any]],
    latitude: str,
    longitude: str,
    out: BinaryIO,
) -> GeoJsonCount:
    """Write ``rows`` as a GeoJSON FeatureCollection of points, one feature a row.

    Properties are the other columns. A row whose coordinates are missing, not numbers or
    out of range is skipped; the count of skipped rows closes the collection as the
    foreign member ``skipped`` (RFC 7946 §6.1), after ``features``, so the output streams.
    """
    names = [f.name for f in fields]
    lat_at, lon_at = names.index(latitude), names.index(longitude)
    others = [(i, n) for i, n in enumerate(names) if i not in (lat_at, lon_at)]
    out.write(b'{"type":"FeatureCollection","features":[')
    written = skipped = 0
    for row in rows:
        point = _point(row[lat_at], row[lon_at])
        if point is None:
            skipped += 1
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
            "properties": {n: _plain(row[i]) for i, n in others},
        }
        text = json.dumps(feature, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        out.write((b",\n" if written else b"\n") + text.encode())
        written += 1
    out.write(f'\n],"skipped":{skipped}}}\n'.encode())
    return GeoJsonCount(written, skipped)


def table_coordinates(table_schema: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """The (latitude, longitude) columns of a Table Schema, or None."""
    fields = (table_schema or {}).get("fields", [])
    return coordinate_columns(str(f.get("name", "")) for f in fields)


def csv_to_geojson(src_csv: Path, table_schema: Mapping[str, Any], out: BinaryIO) -> GeoJsonCount:
    """Convert a published table with coordinates to GeoJSON, streaming it.

    Raises ``ConversionError`` when the table has no coordinate columns or is malformed.
    """
    columns = table_coordinates(table_schema)
    if columns is None:
        raise ConversionError("the table has no latitude and longitude columns")
    try:
        fields = fields_from_table_schema(table_schema)
        rows = read_typed_rows(src_csv, table_schema)
        return write_geojson(fields, rows, columns[0], columns[1], out)
    except LoadFailed as exc:
        raise ConversionError(exc.message) from exc
