"""``datastore_create``, ``datastore_upsert`` and ``datastore_delete`` on published tables.

Rows go through ``datasets.live_feed.LiveFeed``: validated against the approved Table
Schema, stripped by the approved personal-data decisions, paused for a steward when the
scan finds personal data those decisions do not strip. Differences from CKAN (README,
"CKAN Action API"): no new resource or schema is made here (``fields`` must match the
approved schema, ``primary_key`` the approved key); deleting every row needs
``force: true``; the answer carries counts, not the records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.ckan_api.errors import validation_error
from app.ckan_api.params import ActionRequest, flag, json_value, text
from app.ckan_api.write import writer_of
from app.context import services
from datasets.live_batch import METHODS, Batch
from datasets.live_feed import Written


def _resource_id(params: Mapping[str, Any]) -> str:
    given = text(params, "resource_id").strip()
    resource = json_value(params, "resource")
    if not given and isinstance(resource, dict):
        given = str(resource.get("id") or "").strip()
    if not given:
        raise validation_error(
            {
                "resource_id": [
                    _(
                        "Name a published table resource: new resources are made by upload "
                        "and review, not by datastore_create"
                    )
                ]
            }
        )
    return given


def _records(params: Mapping[str, Any], needed: bool) -> list[dict[str, Any]]:
    value = json_value(params, "records")
    if value is None and not needed:
        return []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise validation_error({"records": [_("Must be a list of JSON objects")]})
    return value


def _declared_fields(params: Mapping[str, Any]) -> list[tuple[str, str | None]] | None:
    value = json_value(params, "fields")
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(f, dict) and isinstance(f.get("id"), str) for f in value
    ):
        raise validation_error({"fields": [_("Must be a list of objects with an id")]})
    return [(f["id"], str(f["type"]) if f.get("type") else None) for f in value]


def _declared_key(params: Mapping[str, Any]) -> list[str] | None:
    value = json_value(params, "primary_key")
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise validation_error({"primary_key": [_("Must be a list of field names")]})


def _answer(written: Written, method: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "resource_id": written.resource_id,
        "method": method,
        "fields": [{"id": f.get("name"), "type": f.get("type")} for f in written.fields],
        "rows_affected": written.affected,
        "total": written.row_count,
        **extra,
    }


def datastore_create(req: ActionRequest) -> dict[str, Any]:
    """Append ``records`` to a published table (as CKAN appends to an existing table).

    ``fields`` and ``primary_key``, when given, must match the approved Table Schema: the
    schema changes only through review. The records are validated against that schema and
    stripped by the approved personal-data decisions; a batch with any error is refused
    whole. Needs an API token of a publisher or steward of the dataset's organization.
    """
    actor = writer_of(req)
    params = req.params
    batch = Batch(
        "insert",
        _records(params, needed=False),
        fields=_declared_fields(params),
        key=_declared_key(params),
    )
    written = services().live_feed.write(actor, _resource_id(params), batch)
    return _answer(written, "insert", {})


def datastore_upsert(req: ActionRequest) -> dict[str, Any]:
    """Write ``records`` to a published table: ``method`` ``upsert`` (the default: replace
    the row with the same primary key, else add it), ``insert`` or ``update`` (only rows
    already there; fields not given keep their values). Validated and stripped like
    ``datastore_create``; a batch with any error is refused whole."""
    actor = writer_of(req)
    params = req.params
    method = text(params, "method", "upsert").strip() or "upsert"
    if method not in METHODS:
        raise validation_error({"method": [_("Use insert, upsert or update")]})
    batch = Batch(method, _records(params, needed=True))
    written = services().live_feed.write(actor, _resource_id(params), batch)
    return _answer(written, method, {})


def datastore_delete(req: ActionRequest) -> dict[str, Any]:
    """Delete the rows of a published table matching ``filters`` (column: value or list of
    values). Deleting every row (no filters) needs ``"force": true``."""
    actor = writer_of(req)
    params = req.params
    filters = json_value(params, "filters")
    if filters is not None and filters != "" and not isinstance(filters, dict):
        raise validation_error({"filters": [_("Must be a JSON object of column: value")]})
    batch = Batch("delete", filters=filters or None, force=flag(params, "force"))
    written = services().live_feed.write(actor, _resource_id(params), batch)
    return _answer(written, "delete", {"filters": filters or {}})
