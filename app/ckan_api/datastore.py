"""``datastore_search`` and ``datastore_search_sql`` over published tabular resources.

Only resources of published datasets are answered (checked through the public view);
``datastore_search`` on a dataset at a non-public level reads the caller's projection from
the shared datastore when ``Readers`` allows it (``app.table_reads``, issue 18), which
``datastore_search_sql`` never connects to: it reads public tables only.
``datastore_search_sql`` is read-only (the datastore runs it on its own guarded connection)
and refuses any query naming a table that is not a public resource; tables of withdrawn
datasets are also dropped from the datastore when the withdrawal commits
(``datasets.datastore_sync``), so they cannot be reached however a query is written.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from app.ckan_api.errors import RATE_LIMIT, CkanError, denied, not_found, validation_error
from app.ckan_api.params import ActionRequest, flag, integer, json_value, required, text, text_list
from app.ckan_api.read import dataset_of_resource
from app.context import services
from app.table_reads import TableRead, open_table
from datasets.datastore import MAX_LIMIT, DatastoreField, DatastoreQuery, DatastoreResult
from datasets.datastore_sync import non_public_resource_ids, resource_ids_in
from publishers import NotFound

# CKAN's datastore type names for the portal's column types.
_CKAN_TYPES = {
    "text": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}
_FORMATS = ("objects", "lists", "csv", "tsv")


def _table(req: ActionRequest, resource_id: str) -> TableRead:
    """Return the table the caller reads (``app.table_reads``): the public datastore for a
    public dataset, the caller's projection in the shared one otherwise. Raise ``Not Found
    Error`` (also to an anonymous caller without access) or ``Authorization Error``."""
    record = services().catalog.get(dataset_of_resource(resource_id))
    try:
        return open_table(req.caller.actor, record, resource_id)
    except NotFound:
        raise not_found(resource_id) from None


def _filters(params: Mapping[str, Any]) -> dict[str, list[str]]:
    value = json_value(params, "filters")
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise validation_error({"filters": [_("Must be a JSON object of column: value")]})
    out: dict[str, list[str]] = {}
    for column, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not all(isinstance(v, (str, int, float, bool)) for v in values):
            raise validation_error({"filters": [_("Filter values must be text or numbers")]})
        out[str(column)] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return out


def _sort(params: Mapping[str, Any]) -> tuple[list[tuple[str, bool]], dict[str, str]]:
    """Return the sort keys and where NULLs go: ``col``, ``col desc``, ``col asc nulls last``
    (or ``col nulls first``), comma-separated, as CKAN takes them."""
    keys, nulls = [], {}
    for clause in text(params, "sort").split(","):
        parts = clause.split()
        if not parts:
            continue
        column, rest = parts[0].strip('"'), [p.lower() for p in parts[1:]]
        direction = rest.pop(0) if rest and rest[0] in ("asc", "desc") else "asc"
        if rest and (len(rest) != 2 or rest[0] != "nulls" or rest[1] not in ("first", "last")):
            raise validation_error(
                {"sort": [_("Use column names with asc or desc, and nulls first or nulls last")]}
            )
        if rest:
            nulls[column] = rest[1]
        keys.append((column, direction == "desc"))
    return keys, nulls


def _fields_dicts(
    fields: Sequence[DatastoreField],
    labels: Mapping[str, Mapping[str, Any]] | None = None,
    language: str = "vi",
) -> list[dict[str, Any]]:
    """CKAN's field dicts; with ``labels`` (``TableRead.labels``), each column's data
    dictionary entry as CKAN keeps it: ``info.label`` and ``info.notes`` in ``language``,
    and ``info.label_en``/``info.notes_en`` in English."""
    out: list[dict[str, Any]] = []
    for f in fields:
        field: dict[str, Any] = {"id": f.name, "type": _CKAN_TYPES.get(f.type, "text")}
        texts = (labels or {}).get(f.name)
        if texts is not None and _described(texts):
            field["info"] = {
                "label": texts["title"][language],
                "notes": texts["description"][language],
                "label_en": texts["title"]["en"],
                "notes_en": texts["description"]["en"],
            }
        out.append(field)
    return out


def _described(texts: Mapping[str, Any]) -> bool:
    """True when the column has a title or description of its own (CKAN answers ``info``
    only for columns its data dictionary describes)."""
    titles, notes = texts["title"], texts["description"]
    return any(t != texts["name"] for t in titles.values()) or any(notes.values())


def _language(params: Mapping[str, Any]) -> str:
    """The caller's language: the ``lang`` parameter (``vi``/``en``), else the language
    cookie, else Vietnamese."""
    chosen = params.get("lang") or str(get_locale() or "vi")
    return "en" if chosen == "en" else "vi"


def _records(result: DatastoreResult, records_format: str) -> Any:
    names = [f.name for f in result.fields]
    if records_format == "objects":
        return result.records
    rows = [[r.get(n) for n in names] for r in result.records]
    if records_format == "lists":
        return rows
    out = io.StringIO()
    delimiter = "\t" if records_format == "tsv" else ","
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _link_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _links(params: Mapping[str, Any], offset: int, limit: int) -> dict[str, str]:
    """CKAN's ``start`` and ``next`` links, keeping every parameter of the call (a POST's
    JSON filters too, written as JSON in the query string as a GET takes them)."""
    base = {k: _link_value(v) for k, v in params.items() if k != "offset" and v is not None}
    path = request.path
    return {
        "start": f"{path}?{urlencode(base)}",
        "next": f"{path}?{urlencode({**base, 'offset': offset + limit})}",
    }


def datastore_info(req: ActionRequest) -> dict[str, Any]:
    """The columns and row count of a table the caller may read (``app.table_reads``); for
    non-public data the listing is logged like ``package_show``'s."""
    params = req.params
    resource_id = text(params, "resource_id").strip() or required(params, "id")
    table = _table(req, resource_id)
    info = table.store.info(resource_id)
    if table.reader is not None:  # a listing of non-public data: logged, as package_show
        services().readers.record(table.actor, table.reader, surface="ckan-datastore-info")
    allowed = table.columns
    fields = [f for f in info.fields if allowed is None or f.name in allowed]
    return {
        "meta": {
            "id": resource_id,
            "count": info.row_count,
            "table_type": "BASE TABLE",
            "aliases": [],
        },
        "fields": [
            {**f, "schema": {"native_type": f["type"]}}
            for f in _fields_dicts(fields, table.labels(), _language(params))
        ],
        # CKAN before 2.10 answered the columns as ``schema``; some clients still read it.
        "schema": {f.name: _CKAN_TYPES.get(f.type, "text") for f in fields},
    }


def datastore_search(req: ActionRequest) -> dict[str, Any]:
    """Rows of a published tabular resource: filters, q, fields, sort, limit, offset."""
    params = req.params
    resource_id = text(params, "resource_id").strip() or required(params, "id")
    table = _table(req, resource_id)
    records_format = text(params, "records_format", "objects")
    if records_format not in _FORMATS:
        raise validation_error({"records_format": [_("Use objects, lists, csv or tsv")]})
    words = []
    for key in ("q", "full_text"):
        value = json_value(params, key)
        if value is not None and not isinstance(value, str):
            raise validation_error({key: [_("Must be a string")]})
        words.append(value or "")
    # CKAN clamps a larger limit to its maximum rather than refusing it.
    limit = min(integer(params, "limit", 100, 0, 1_000_000_000), MAX_LIMIT)
    offset = integer(params, "offset", 0, 0, 100_000_000)
    fields = text_list(params, "fields")
    sort, nulls = _sort(params)
    query = DatastoreQuery(
        filters=_filters(params),
        q=" ".join(w for w in words if w.strip()) or None,
        fields=fields,
        sort=sort,
        nulls=nulls,
        limit=limit,
        offset=offset,
        distinct=flag(params, "distinct"),
        include_total=flag(params, "include_total", True),
        with_id=fields is None,  # CKAN answers _id first unless fields are named
    )
    result = table.store.search(resource_id, table.narrow(query))
    table.log("ckan-datastore", len(result.records))
    out: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": _fields_dicts(result.fields, table.labels(), _language(params)),
        "records": _records(result, records_format),
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "_links": _links(params, offset, limit),
    }
    if result.total is not None:
        out["total"] = result.total
        out["total_was_estimated"] = False
    return out


def _sql_slots(size: int) -> threading.BoundedSemaphore:
    """Return this process's SQL slots: a query never waits for one, it is refused (429).

    Each query holds a server thread until it ends (at most the time limit); the slots keep
    threads free for every other request however many queries arrive at once.
    """
    slots: threading.BoundedSemaphore | None = current_app.extensions.get("opendata_sql_slots")
    if slots is None:
        slots = current_app.extensions.setdefault(
            "opendata_sql_slots", threading.BoundedSemaphore(size)
        )
    return slots


def datastore_search_sql(req: ActionRequest) -> dict[str, Any]:
    """One read-only SELECT over public datastore tables (named by resource id)."""
    sql = required(req.params, "sql")
    hidden = non_public_resource_ids(services().sessions, resource_ids_in(sql))
    if hidden:
        raise denied(_("Not authorized to read resource %(id)s", id=sorted(hidden)[0]))
    settings = services().settings
    slots = _sql_slots(settings.sql_concurrency)
    if not slots.acquire(blocking=False):
        wait = max(1, math.ceil(settings.sql_timeout_ms / 1000))
        raise CkanError(
            429,
            RATE_LIMIT,
            _("Too many SQL queries are running: try again in %(n)s seconds.", n=wait),
            headers={"Retry-After": str(wait)},
        )
    try:
        result = services().datastore.search_sql(
            sql,
            timeout_ms=settings.sql_timeout_ms,
            max_rows=settings.sql_max_rows,
            max_bytes=settings.sql_max_bytes,
        )
    finally:
        slots.release()
    return {
        "sql": sql,
        "fields": _fields_dicts(result.fields),
        "records": result.records,
        "records_truncated": result.truncated,
    }
