"""``records?_format=geojson`` and ``records?_bbox=`` for tables with coordinates (issue 23).

Which tables have coordinates is decided by ``datasets.geo.coordinate_columns``, the rule
the resource page's map uses, over the columns the caller may read.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from flask import Response, request
from flask_babel import gettext as _

from app.api.streaming import stream_export
from app.table_reads import TableRead
from datasets.datastore import BadQuery, DatastoreQuery
from datasets.geo import GEOJSON_MEDIA_TYPE, coordinate_columns, parse_bbox, write_geojson


class NoCoordinates(BadQuery):
    """The table has no latitude/longitude columns the caller may read."""


def table_coordinates(table: TableRead) -> tuple[str, str] | None:
    """The (latitude, longitude) columns of the table the caller reads, or None."""
    names = [f.name for f in table.store.info(table.resource_id).fields]
    allowed = table.columns
    return coordinate_columns(n for n in names if allowed is None or n in allowed)


def _required(table: TableRead) -> tuple[str, str]:
    columns = table_coordinates(table)
    if columns is None:
        raise NoCoordinates(
            _(
                "This table has no latitude and longitude columns, so it has no GeoJSON "
                "or bounding-box filter."
            )
        )
    return columns


def with_bbox(table: TableRead, query: DatastoreQuery) -> DatastoreQuery:
    """``query`` limited to ``_bbox`` when asked; raise ``BadQuery`` (a 400)."""
    raw = request.args.get("_bbox")
    if raw is None:
        return query
    latitude, longitude = _required(table)
    return replace(query, bbox=parse_bbox(raw, latitude, longitude))


def geojson_export(table: TableRead, query: DatastoreQuery) -> Response:
    """Stream every matching row as a FeatureCollection of points."""
    latitude, longitude = _required(table)
    store, resource_id = table.store, table.resource_id
    whole = replace(query, cursor=None, include_total=False)
    fields = store.fields_for(resource_id, whole)
    if not {latitude, longitude} <= {f.name for f in fields}:
        raise BadQuery(f"_fields must include {latitude} and {longitude} for GeoJSON")

    def write(fields: Any, rows: Any, out: BinaryIO) -> object:
        return write_geojson(fields, rows, latitude, longitude, out)

    body = stream_export(fields, lambda: store.iter_rows(resource_id, whole), "geojson", write)
    response = Response(body, mimetype=GEOJSON_MEDIA_TYPE)
    stem = Path(table.filename or "data").stem or "data"
    plain = stem.encode("ascii", "ignore").decode().replace('"', "") or "data"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{plain}.geojson\"; filename*=UTF-8''{quote(stem)}.geojson"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
