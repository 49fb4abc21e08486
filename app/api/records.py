"""Tabular rows of a published resource (SPEC §4 "Tabular rows") and filtered exports.

Rows of a dataset at a non-public level are read from the caller's projection in the shared
datastore, narrowed to their grant's columns and logged (``app.table_reads``, issue 18).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.api import bp
from app.api.datasets import int_arg
from app.api.geojson import geojson_export, with_bbox
from app.api.responses import BadParameter, caller, count_dataset_call
from app.api.streaming import stream_export
from app.context import services
from app.table_reads import TableRead, open_table
from datasets.access import AccessLevel
from datasets.conversions import MEDIA_TYPES
from datasets.datastore import DatastoreQuery
from datasets.model import Dataset, DatasetState, ResourceVersion, Revision, RevisionResource
from publishers import NotFound

RESERVED = frozenset({"_q", "_sort", "_fields", "_limit", "_cursor", "_format", "_bbox"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def query_from_args() -> DatastoreQuery:
    """Build the datastore query of ``records?...``; raise ``BadParameter``."""
    args = request.args
    unknown = [k for k in args if k.startswith("_") and k not in RESERVED]
    if unknown:
        raise BadParameter(f"unknown parameter: {unknown[0]}")
    filters = {k: args.getlist(k) for k in args if not k.startswith("_")}
    sort = []
    for item in _split(args.get("_sort", "")):
        column = item.removeprefix("-")
        if not column:
            raise BadParameter("_sort needs a column name")
        sort.append((column, item.startswith("-")))
    fields = _split(args.get("_fields", "")) or None
    return DatastoreQuery(
        filters=filters,
        q=args.get("_q", "").strip() or None,
        fields=fields,
        sort=tuple(sort),
        limit=int_arg("_limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        cursor=args.get("_cursor") or None,
    )


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _table(name: str, resource_id: str) -> TableRead:
    """Return the table the caller reads for the resource; raise ``NotFound``/``PermissionDenied``.

    For a dataset at the ``public`` level: the same conditions as
    ``datasets.public.public_view`` (published dataset, resource in its live revision,
    stripped file present, tabular), checked with one indexed query instead of loading the
    whole projection: this runs on every records request. Any other level goes through
    ``Readers`` (``app.table_reads``): the caller's projection in the shared datastore.
    """
    query = (
        select(
            Dataset.id,
            ResourceVersion.filename,
            Revision.access_level,
            ResourceVersion.public_schema,
        )
        .join(Revision, Revision.id == Dataset.live_revision_id)
        .join(RevisionResource, RevisionResource.revision_id == Dataset.live_revision_id)
        .join(ResourceVersion, ResourceVersion.id == RevisionResource.version_id)
        .where(
            (Dataset.name == name) | (Dataset.id == name),
            Dataset.state == DatasetState.PUBLISHED.value,
            RevisionResource.resource_id == resource_id,
            ResourceVersion.is_tabular.is_(True),
            ResourceVersion.public_sha256.is_not(None),
        )
    )
    with services().sessions() as session:
        row = session.execute(query).first()
    if row is None:
        raise NotFound("resource not found")
    actor = caller().actor
    if row[2] == AccessLevel.PUBLIC.value:
        return TableRead(
            services().datastore, resource_id, str(row[0]), str(row[1]), actor, schema=row[3]
        )
    return open_table(actor, services().catalog.get(str(row[0])), resource_id)


@bp.get("/datasets/<slug:name>/resources/<slug:resource_id>/records")
def records(name: str, resource_id: str) -> ResponseReturnValue:
    caller()
    table = _table(name, resource_id)
    fmt = request.args.get("_format", "json")
    if fmt not in MEDIA_TYPES and fmt != "geojson":
        raise BadParameter("_format must be json, csv, xlsx, parquet or geojson")
    query = table.narrow(with_bbox(table, query_from_args()))
    result = table.store.search(resource_id, query)  # validates columns before anything streams
    count_dataset_call(table.dataset_id)
    if fmt == "geojson":
        table.log("records", result.total)
        return geojson_export(table, query)
    if fmt != "json":
        table.log("records", result.total)
        return _export(table, query, fmt)
    table.log("records", len(result.records))
    next_url = None
    if result.next_cursor:
        args: dict[str, Any] = {**request.args.to_dict(flat=False), "_cursor": result.next_cursor}
        next_url = url_for(
            "api.records", name=name, resource_id=resource_id, _external=True, **args
        )
    labels = table.labels()
    return jsonify(
        {
            "fields": [_field(f.name, f.type, labels.get(f.name)) for f in result.fields],
            "items": result.records,
            "total": result.total,
            "next": next_url,
        }
    )


def _field(name: str, kind: str, texts: Mapping[str, Any] | None) -> dict[str, Any]:
    """A column of the answer: its name and type, and its titles when it has a schema."""
    if texts is None:  # ``_id``: no Table Schema field
        return {"name": name, "type": kind}
    return {
        "name": name,
        "type": kind,
        "title": texts["title"],
        "description": texts["description"],
    }


def _export(table: TableRead, query: DatastoreQuery, fmt: str) -> Response:
    store, resource_id = table.store, table.resource_id
    whole = replace(query, cursor=None, include_total=False)
    fields = store.fields_for(resource_id, whole)
    body = stream_export(fields, lambda: store.iter_rows(resource_id, whole), fmt)
    stem = Path(table.filename or "data").stem or "data"
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = MEDIA_TYPES["csv"]
    plain = stem.encode("ascii", "ignore").decode().replace('"', "") or "data"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{plain}.{fmt}\"; filename*=UTF-8''{quote(stem)}.{fmt}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
