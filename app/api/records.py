"""Tabular rows of a published resource (SPEC §4 "Tabular rows") and filtered exports.

Rows of a dataset at a non-public level are read from the caller's projection in the shared
datastore, narrowed to their grant's columns and logged (``app.table_reads``, issue 18).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Dialect, Text, bindparam, cast, select
from werkzeug.datastructures import MultiDict

from app.api import bp, records_query
from app.api.geojson import geojson_export, with_bbox
from app.api.responses import BadParameter, caller, count_dataset_call
from app.api.streaming import stream_export
from app.context import services
from app.fast_json import json_response
from app.services import Services
from app.table_reads import TableRead, open_table
from datasets.access import AccessLevel
from datasets.column_labels import field_texts
from datasets.conversions import MEDIA_TYPES
from datasets.datastore import AggregateQuery, DatastoreQuery, Facet, FacetQuery
from datasets.model import Dataset, DatasetState, ResourceVersion, Revision, RevisionResource
from datasets.public_cache import BoundedCache
from publishers import Actor, NotFound


def query_from_args() -> DatastoreQuery:
    """Build the datastore query of ``records?...``; raise ``BadParameter``."""
    return records_query.query_from_args(request.args)


# The conditions of ``datasets.public.public_view`` (published dataset, resource in its live
# revision, stripped file present, tabular) in one indexed query, built once: this runs on
# every records request, and building the statement cost more than running it. The schema
# comes as its JSON text: parsed (and its column titles built) once per text, not per request.
_PUBLISHED_TABLE = (
    select(
        Dataset.id,
        ResourceVersion.filename,
        Revision.access_level,
        cast(ResourceVersion.public_schema, Text),
    )
    .join(Revision, Revision.id == Dataset.live_revision_id)
    .join(RevisionResource, RevisionResource.revision_id == Dataset.live_revision_id)
    .join(ResourceVersion, ResourceVersion.id == RevisionResource.version_id)
    .where(
        (Dataset.name == bindparam("name")) | (Dataset.id == bindparam("name")),
        Dataset.state == DatasetState.PUBLISHED.value,
        RevisionResource.resource_id == bindparam("resource_id"),
        ResourceVersion.is_tabular.is_(True),
        ResourceVersion.public_sha256.is_not(None),
    )
)
_SCHEMAS: BoundedCache[str, tuple[Any, dict[str, dict[str, Any]]]] = BoundedCache(256)


def _schema(text: str | None) -> tuple[Any, dict[str, dict[str, Any]] | None]:
    """The Table Schema of its JSON text and its columns' titles (``TableRead.labels``)."""
    if text is None:
        return None, None
    return _SCHEMAS.get_or_build(text, lambda: _parsed(text))


def _parsed(text: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    schema = json.loads(text)
    return schema, {f["name"]: f for f in field_texts(schema)}


_COMPILED: dict[tuple[str, str], tuple[str, Callable[[str, str], Any]]] = {}


def _published_sql(dialect: Dialect) -> tuple[str, Callable[[str, str], Any]]:
    """``_PUBLISHED_TABLE`` compiled once per kind of database, and its parameters."""
    key = (dialect.name, dialect.paramstyle)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _compile(dialect)
    return found


def _compile(dialect: Dialect) -> tuple[str, Callable[[str, str], Any]]:
    compiled = _PUBLISHED_TABLE.compile(dialect=dialect)
    fixed = compiled.construct_params({"name": "", "resource_id": ""})
    if compiled.positional:
        order = tuple(compiled.positiontup or ())

        def positional(name: str, resource_id: str) -> Any:
            given = {**fixed, "name": name, "resource_id": resource_id}
            return tuple(given[key] for key in order)

        return str(compiled), positional
    return str(compiled), lambda name, resource_id: {
        **fixed,
        "name": name,
        "resource_id": resource_id,
    }


def published_table(svc: Services, name: str, resource_id: str) -> tuple[Any, ...]:
    """The row of ``_PUBLISHED_TABLE`` of the resource; raise ``NotFound``.

    Run on a pooled DBAPI connection: a Core ``execute`` cost twice the query itself.
    """
    sql, params = _published_sql(svc.engine.dialect)
    conn = svc.engine.raw_connection()
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(sql, params(name, resource_id))
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        conn.close()  # back to the pool, which ends the read's transaction
    if row is None:
        raise NotFound("resource not found")
    return tuple(row)


def public_table(
    svc: Services, actor: Actor, row: tuple[Any, ...], resource_id: str
) -> TableRead | None:
    """The table of ``published_table``'s ``row`` when its dataset is at the ``public`` level
    (everyone reads it whole), else None: ``open_table`` decides who reads what."""
    if row[2] != AccessLevel.PUBLIC.value:
        return None
    schema, labels = _schema(row[3])
    return TableRead(
        svc.datastore, resource_id, str(row[0]), str(row[1]), actor, schema=schema, texts=labels
    )


def _table(name: str, resource_id: str) -> TableRead:
    """Return the table the caller reads for the resource; raise ``NotFound``/``PermissionDenied``.

    For a dataset at the ``public`` level: ``public_table`` instead of loading the whole
    projection. Any other level goes through ``Readers`` (``app.table_reads``): the
    caller's projection in the shared datastore.
    """
    svc = services()
    row = published_table(svc, name, resource_id)
    actor = caller().actor
    return public_table(svc, actor, row, resource_id) or open_table(
        actor, svc.catalog.get(str(row[0])), resource_id
    )


@bp.get("/datasets/<slug:name>/resources/<slug:resource_id>/records")
def records(name: str, resource_id: str) -> ResponseReturnValue:
    caller()
    table = _table(name, resource_id)
    fmt = request.args.get("_format", "json")
    if fmt not in MEDIA_TYPES and fmt != "geojson":
        raise BadParameter("_format must be json, csv, xlsx, parquet or geojson")
    timeout_ms = services().settings.sql_timeout_ms
    if records_query.wants_aggregate(request.args):
        if fmt == "geojson":
            raise BadParameter("aggregates have no geojson format: json, csv, xlsx or parquet")
        rows = records_query.query_from_args(request.args, rows=False)
        where = table.narrow(with_bbox(table, rows))
        aggregate = records_query.aggregate_from_args(request.args, where, timeout_ms)
        table.allow(records_query.aggregate_columns(aggregate))
        return _aggregate(table, aggregate, fmt, name)
    query = table.narrow(with_bbox(table, query_from_args()))
    facets = _facets(table, query, fmt, timeout_ms)
    result = table.store.search(resource_id, query)  # validates columns before anything streams
    count_dataset_call(table.dataset_id)
    if fmt == "geojson":
        table.log("records", result.total)
        return geojson_export(table, query)
    if fmt != "json":
        table.log("records", result.total)
        return _export(table, query, fmt)
    table.log("records", len(result.records))
    return _page(
        table,
        name,
        result.fields,
        result.records,
        result.total,
        result.next_cursor,
        facets,
        rows=True,
    )


def _facets(table: TableRead, where: DatastoreQuery, fmt: str, timeout_ms: int) -> Any:
    """The facets asked with ``_facet`` (JSON answers only), or None."""
    query: FacetQuery | None = records_query.facets_from_args(request.args, where, timeout_ms)
    if query is None:
        return None
    if fmt != "json":
        raise BadParameter("_facet applies to JSON answers only")
    table.allow(query.columns)
    return [_facet(f) for f in table.store.facets(table.resource_id, query)]


def _facet(facet: Facet) -> dict[str, Any]:
    values = [{"value": value, "count": count} for value, count in facet.values]
    return {"column": facet.column, "type": facet.type, "values": values, "more": facet.more}


def _aggregate(table: TableRead, query: AggregateQuery, fmt: str, name: str) -> Response:
    """Groups of the table's rows: a page as JSON, or every group as a file."""
    store, resource_id = table.store, table.resource_id
    if fmt != "json":
        whole = store.aggregate(resource_id, query, paged=False)
        count_dataset_call(table.dataset_id)
        table.log("records", len(whole.records))
        names = [f.name for f in whole.fields]
        rows = [tuple(r[n] for n in names) for r in whole.records]
        return _file(table, stream_export(whole.fields, lambda: rows, fmt), fmt)
    facets = _facets(table, query.where, fmt, query.timeout_ms)
    result = store.aggregate(resource_id, query)
    count_dataset_call(table.dataset_id)
    table.log("records", len(result.records))
    return _page(table, name, result.fields, result.records, None, result.next_cursor, facets)


def _page(
    table: TableRead,
    name: str,
    fields: Any,
    items: list[dict[str, Any]],
    total: int | None,
    cursor: str | None,
    facets: Any,
    *,
    rows: bool = False,
) -> Response:
    """The JSON answer: ``fields``, ``items``, ``total``, ``next`` (and ``facets`` if asked).

    ``rows``: the items are rows of the table, whose floats are all finite (the load turns
    NaN and infinities into NULL); groups may hold a sum that overflowed to infinity.
    """
    next_url = None
    if cursor:
        route = url_for("api.records", name=name, resource_id=table.resource_id, _external=True)
        next_url = next_page_url(route, request.args, cursor)
    return json_response(page_body(table, fields, items, total, next_url, facets), finite=rows)


_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug's ``_urlencode``: what ``url_for`` leaves as is


def next_page_url(route: str, args: MultiDict[str, str], cursor: str) -> str:
    """The next page's link: every parameter of the request, then ``_cursor``.

    The parameters go in the query string as given, never as the route's values, so a
    column named ``name`` or ``resource_id`` filters as any other."""
    items = {**args.to_dict(flat=False), "_cursor": [cursor]}
    pairs = [(key, value) for key, values in items.items() for value in values]
    return f"{route}?{urlencode(pairs, safe=_QUERY_SAFE)}"


def page_body(
    table: TableRead,
    fields: Any,
    items: list[dict[str, Any]],
    total: int | None,
    next_url: str | None,
    facets: Any = None,
) -> dict[str, Any]:
    """The JSON answer of a page (``_page``, and ``app.api.records_lean``'s)."""
    labels = table.labels()
    body: dict[str, Any] = {
        "fields": [_field(f.name, f.type, labels.get(f.name)) for f in fields],
        "items": items,
        "total": total,
        "next": next_url,
    }
    if facets is not None:
        body["facets"] = facets
    return body


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
    return _file(table, body, fmt)


def _file(table: TableRead, body: Iterator[bytes], fmt: str) -> Response:
    """An export's streamed body as an attachment named after the published file."""
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
