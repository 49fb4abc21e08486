"""The bulk-archive paths of the OpenAPI document, and the records API's GeoJSON (issue 23)."""

from __future__ import annotations

from typing import Any

from app.api.openapi_examples import EXAMPLES
from app.api.openapi_parts import OPTIONAL_AUTH, errors, ok, param
from app.api.openapi_schemas import N_, SCHEMAS, list_of, obj, ref

_ARCHIVE = {
    "filename": "opendata-2026-12-07.zip",
    "url": "https://opendata.tphcm.gov.vn.example/api/v1/bulk/opendata-2026-12-07.zip",
    "size": 48213957,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "created": "2026-12-07T02:00:41Z",
    "datasets": 212,
    "tables": 388,
}
SCHEMAS["BulkArchive"] = obj(
    {
        "filename": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "created": {"type": "string", "format": "date-time"},
        "datasets": {"type": "integer", "minimum": 0},
        "tables": {"type": "integer", "minimum": 0},
    }
)
SCHEMAS["BulkArchiveList"] = list_of(ref("BulkArchive"))
EXAMPLES["BulkArchive"] = _ARCHIVE
EXAMPLES["BulkArchiveList"] = {"items": [_ARCHIVE], "total": 1, "next": None}

_FILENAME = param(
    "filename",
    "path",
    {"type": "string", "pattern": r"^opendata-\d{4}-\d{2}-\d{2}\.zip$"},
    N_("The archive's file name, from the list."),
) | {"example": "opendata-2026-12-07.zip"}

BULK_PATHS: dict[str, Any] = {
    "/bulk": {
        "get": {
            "summary": N_("Bulk archives of every public table and of the catalog, newest first"),
            "description": (
                "Each ZIP holds `catalog/catalog.ttl`, `catalog/catalog.rdf`, "
                "`catalog/data.json`, `datasets/<name>/datapackage.json` with the published "
                "CSV of each table of every public dataset, and `SHA256SUMS`."
            ),
            "security": OPTIONAL_AUTH,
            "responses": {**ok("BulkArchiveList", N_("The archives served.")), **errors()},
        }
    },
    "/bulk/{filename}": {
        "get": {
            "summary": N_("Download one bulk archive (its SHA-256 is the ETag)"),
            "security": OPTIONAL_AUTH,
            "parameters": [_FILENAME],
            "responses": {
                "200": {
                    "description": N_("The ZIP file."),
                    "content": {
                        "application/zip": {"schema": {"type": "string", "format": "binary"}}
                    },
                },
                **errors(404),
            },
        }
    },
}

BBOX_PARAM = param(
    "_bbox",
    "query",
    {"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$"},
    N_(
        "minlon,minlat,maxlon,maxlat: rows whose point lies in the box (tables with "
        "latitude/longitude columns; 400 otherwise)."
    ),
) | {"example": "106.69,10.77,106.71,10.78"}

GEOJSON_CONTENT = {
    "application/geo+json": {
        "schema": {"type": "string"},
        "example": (
            '{"type":"FeatureCollection","features":[\n{"type":"Feature","geometry":'
            '{"type":"Point","coordinates":[106.698,10.7722]},"properties":'
            '{"ma_tram":"T001","ten_tram":"Trạm Bến Thành"}}\n],"skipped":0}\n'
        ),
    }
}
