"""REST routes of datasets: search, create, read, edit (``If-Match``), delete a draft."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.responses import (
    BadParameter,
    PreconditionRequired,
    caller,
    count_dataset_call,
    json_body,
    usage,
    writer,
)
from app.api.shapes import member_dataset_json, public_dataset_json, public_datasets_json
from app.context import services
from app.fast_json import json_response
from app.place_filters import filter_keys
from datasets import (
    DEFAULT_LICENSE_ID,
    METADATA_FIELDS,
    DatasetMetadata,
    StaleVersion,
    Subject,
    member_dataset,
)
from datasets.access import ACCESS_LEVELS
from datasets.places import OLD_KEY_PREFIX
from datasets.queries import get_dataset_row
from publishers import Actor, InvalidInput, NotFound
from search_index import SearchQuery, SortOrder

MAX_PAGE_SIZE = 100


def int_arg(
    name: str, default: int, low: int, high: int, args: Mapping[str, str] | None = None
) -> int:
    """Return an integer query parameter in ``low..high``; raise ``BadParameter``.

    ``args``: the query's parameters (default: the current request's).
    """
    raw = (request.args if args is None else args).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}")
    return value


def list_json(items: list[Any], total: int, next_url: str | None, **extra: Any) -> Response:
    """Return the list shape ``{"items", "total", "next"}`` (and ``extra`` keys)."""
    return json_response({"items": items, "total": total, "next": next_url, **extra})


def access_level_arg() -> str:
    """Return the ``access_level`` filter ("" for none); raise ``BadParameter``."""
    level = request.args.get("access_level", "").strip()
    if level and level not in ACCESS_LEVELS:
        raise BadParameter(f"access_level must be one of: {', '.join(ACCESS_LEVELS)}")
    return level


@bp.get("/datasets")
def search_datasets() -> ResponseReturnValue:
    caller()
    page = int_arg("page", 1, 1, 1000)
    size = int_arg("page_size", 20, 1, MAX_PAGE_SIZE)
    org = request.args.get("organization", "").strip()
    level = access_level_arg()
    text = request.args.get("q", "")
    filters: dict[str, tuple[str, ...]] = {"organization": (org,)} if org else {}
    if level:
        filters["access_level"] = (level,)
    places = filter_keys(request.args.getlist("place"))
    if places:
        filters["place"] = places
    overdue = request.args.get("overdue", "").strip()
    if overdue not in ("", "0", "1"):
        raise BadParameter("overdue must be 1 (only datasets overdue for an update) or 0")
    query = SearchQuery(
        text=text,
        filters=filters,
        sort=SortOrder.RELEVANCE if text.strip() else SortOrder.MODIFIED,
        offset=(page - 1) * size,
        limit=size,
        facets=("access_level", "place"),
        facet_limit=-1,
        overdue_at=services().freshness.now() if overdue == "1" else None,
    )
    result = services().catalog.search(query)
    items = public_datasets_json(result.views)
    more = page * size < result.total
    args: dict[str, Any] = {**request.args.to_dict(), "page": page + 1, "page_size": size}
    next_url = url_for("api.search_datasets", _external=True, **args) if more else None
    # Every level is counted (0 where none matches), over every hit, not only this page.
    counts = dict(result.facets.get("access_level", ()))
    facets: dict[str, Any] = {
        "access_level": {name: counts.get(name, 0) for name in ACCESS_LEVELS},
        # Current units only (the index also holds old units, for filtering by old names).
        "place": {
            k: n for k, n in result.facets.get("place", ()) if not k.startswith(OLD_KEY_PREFIX)
        },
    }
    return list_json(items, result.total, next_url, facets=facets)


def dataset_shape(
    actor: Actor, name: str, *, surface: str | None = None
) -> tuple[dict[str, Any], int, str]:
    """Return the caller's view of a dataset, its lock version and its id; raise ``NotFound``.

    Members of the organization see the revision they work on (drafts included); everyone
    else sees the published record with the resources their access allows
    (``services.readers``): none for a dataset at a level they may not read. With a
    ``surface``, a read of non-public data is logged.
    """
    svc = services()
    with svc.sessions() as session:
        try:
            member = member_dataset(session, actor, name)
        except NotFound:
            record = svc.catalog.get(name)
            if record is None:
                raise
            lock = get_dataset_row(session, record.id).lock_version
        else:
            return member_dataset_json(member), member.lock_version, member.id
    reader = svc.readers.view(actor, record)
    if surface is not None:
        svc.readers.record(actor, reader, surface=surface)
    return public_dataset_json(reader.dataset), lock, record.id


def etag_for(shape: dict[str, Any], lock_version: int) -> str:
    """Return the ETag of a dataset shape: its lock version and a digest of its content."""
    digest = hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()
    return f"{lock_version}-{digest[:16]}"


def _dataset_response(
    actor: Actor, name: str, status: int = 200, *, surface: str | None = None
) -> Response:
    shape, lock, dataset_id = dataset_shape(actor, name, surface=surface)
    tag = etag_for(shape, lock)
    shape["usage"] = usage_of(dataset_id)
    response = jsonify(shape)
    response.status_code = status
    response.set_etag(tag)
    return response


def usage_of(dataset_id: str) -> dict[str, int]:
    """Return the dataset's usage counts (downloads and API calls)."""
    from app.api.shapes import usage_json

    return usage_json(usage().totals(Subject.DATASET, dataset_id))


@bp.get("/datasets/<slug:name>")
def read_dataset(name: str) -> ResponseReturnValue:
    response = _dataset_response(caller().actor, name, surface="api")
    count_dataset_call(str(response.get_json()["id"]))
    return response


@bp.post("/datasets")
def create_dataset() -> ResponseReturnValue:
    who = writer()
    body = json_body()
    org = services().accounts.find_organization(_string(body, "organization"))
    if org is None:
        raise InvalidInput("unknown organization", {"organization": ["unknown_organization"]})
    meta = metadata_from_json(body, None)
    dataset = services().editor.create(who.actor, org.id, meta, name=_string(body, "name"))
    response = _dataset_response(who.actor, dataset.name, 201)
    response.headers["Location"] = url_for("api.read_dataset", name=dataset.name, _external=True)
    return response


@bp.patch("/datasets/<slug:name>")
def patch_dataset(name: str) -> ResponseReturnValue:
    who = writer()
    expected = request.headers.get("If-Match", "").strip()
    if not expected:
        raise PreconditionRequired()
    shape, lock, _id = dataset_shape(who.actor, name)
    if expected != "*" and expected.removeprefix("W/").strip('"') != etag_for(shape, lock):
        raise StaleVersion("dataset changed", current=lock)
    meta = metadata_from_json(json_body(), shape)
    services().editor.update_metadata(who.actor, name, meta, expected_version=lock)
    return _dataset_response(who.actor, name)


@bp.delete("/datasets/<slug:name>")
def delete_dataset(name: str) -> ResponseReturnValue:
    who = writer()
    services().workflow.delete_draft(who.actor, name)  # outsiders get 404, as for a read
    return "", 204


def _string(body: dict[str, Any], key: str, default: str = "") -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput("string expected", {key: ["string_expected"]})
    return value


def _strings(body: dict[str, Any], key: str, default: list[str]) -> tuple[str, ...]:
    value = body.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("list of strings expected", {key: ["list_of_strings_expected"]})
    return tuple(value)


def _date(body: dict[str, Any], key: str, default: str | None) -> date | None:
    value = body.get(key, default)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("date expected", {key: ["invalid_date"]}) from None


def _translated(body: dict[str, Any], key: str, base: dict[str, str]) -> dict[str, str]:
    value = body.get(f"{key}_translated", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidInput("object expected", {f"{key}_translated": ["object_expected"]})
    result = {"vi": base.get("vi", ""), "en": base.get("en", ""), **value}
    if key in body:
        result["vi"] = _string(body, key)
    return result


def metadata_from_json(body: dict[str, Any], current: dict[str, Any] | None) -> DatasetMetadata:
    """Build metadata from a JSON body over the ``current`` shape (a PATCH) or nothing."""
    cur = current or {}
    title = _translated(body, "title", cur.get("title_translated", {}))
    description = _translated(body, "description", cur.get("description_translated", {}))
    values: dict[str, Any] = {}
    for spec in METADATA_FIELDS:  # translated fields above; extras are not carried here
        if spec.kind == "text":
            default = DEFAULT_LICENSE_ID if spec.name == "license_id" else ""
            values[spec.name] = _string(body, spec.name, cur.get(spec.name, default))
        elif spec.kind == "names":
            values[spec.name] = _strings(body, spec.name, cur.get(spec.name, []))
        elif spec.kind == "date":
            values[spec.name] = _date(body, spec.name, cur.get(spec.name))
    if "spatial" in body and "spatial_units" not in body:
        values["spatial_units"] = ()  # the text alone says the whole coverage (as CKAN's)
    return DatasetMetadata(
        title_vi=title["vi"],
        title_en=title["en"],
        description_vi=description["vi"],
        description_en=description["en"],
        **values,
    )
