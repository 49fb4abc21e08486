"""REST routes of shared data (issue 18): access requests, grants and the access log.

Everything goes through ``services().sharing`` (``datasets.sharing``), which decides who may
do what: a signed-in user asks (for themselves or their organization), the owning
organization's stewards approve, refuse, revoke and read the log, sysadmins list every
grant. Writes need a read-write token like every other REST write (``writer``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from flask import Response, jsonify, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.datasets import _date, _string, int_arg, list_json
from app.api.responses import BadParameter, caller, json_body, writer
from app.context import services
from datasets.sharing import LOG_PAGE
from publishers import Actor, Conflict, InvalidInput, NotFound, Unauthenticated

T = TypeVar("T")
# Problems the service reports as invalid input that are really conflicts with the
# current state (HTTP 409): a second pending request, a decision on a decided request.
_CONFLICTS = {"already_pending", "already_decided"}


def _signed_in() -> Actor:
    """The caller of a read that is about themselves; 401 for anonymous callers."""
    actor = caller().actor
    if actor.is_anonymous:
        raise Unauthenticated("sign in")
    return actor


def _decide(call: Callable[[], T]) -> T:
    """Run a sharing call, turning its state conflicts into ``Conflict`` (409)."""
    try:
        return call()
    except InvalidInput as exc:
        if any(code in _CONFLICTS for codes in exc.errors.values() for code in codes):
            raise Conflict(exc.message) from None
        raise


def _organization_id(name: str) -> str:
    org = services().accounts.find_organization(name)
    if org is None:
        raise NotFound("organization not found")
    return org.id


def _columns(body: dict[str, Any]) -> list[str] | None:
    value = body.get("columns")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("list of strings expected", {"columns": ["list_of_strings_expected"]})
    return value


def _expires(body: dict[str, Any]) -> datetime:
    """``expires`` as a moment: an ISO datetime (UTC when naive), or a date, which the grant
    lasts through (it ends at the next midnight UTC)."""
    raw = body.get("expires")
    if raw is None or raw == "":
        raise InvalidInput("expires required", {"expires": ["required"]})
    if not isinstance(raw, str):
        raise InvalidInput("date expected", {"expires": ["invalid_date"]})
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day + timedelta(days=1), time.min, UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("date expected", {"expires": ["invalid_date"]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.post("/datasets/<slug:name>/access-requests")
def request_access(name: str) -> ResponseReturnValue:
    who = writer()
    body = json_body()
    organization = _string(body, "organization").strip()
    org_id = None
    if organization:
        found = services().accounts.find_organization(organization)
        if found is None:
            raise InvalidInput("unknown organization", {"organization": ["unknown_organization"]})
        org_id = found.id
    purpose, legal_basis = _string(body, "purpose"), _string(body, "legal_basis")
    columns, until = _columns(body), _date(body, "until", None)
    view = _decide(
        lambda: services().sharing.request_access(
            who.actor,
            name,
            purpose=purpose,
            legal_basis=legal_basis,
            columns=columns,
            until=until,
            organization_id=org_id,
        )
    )
    response = jsonify(view.to_json())
    response.status_code = 201
    response.headers["Location"] = url_for(
        "api.read_access_request", request_id=view.id, _external=True
    )
    return response


@bp.get("/access-requests")
def list_access_requests() -> ResponseReturnValue:
    actor = _signed_in()
    organization = request.args.get("organization", "").strip()
    org_id = _organization_id(organization) if organization else None
    items = [r.to_json() for r in services().sharing.requests(actor, organization_id=org_id)]
    return list_json(items, len(items), None)


@bp.get("/access-requests/<slug:request_id>")
def read_access_request(request_id: str) -> ResponseReturnValue:
    return jsonify(services().sharing.get_request(_signed_in(), request_id).to_json())


@bp.post("/access-requests/<slug:request_id>/approve")
def approve_access_request(request_id: str) -> ResponseReturnValue:
    who = writer()
    body = json_body()
    expires, columns = _expires(body), _columns(body)
    grant = _decide(
        lambda: services().sharing.approve(who.actor, request_id, expires=expires, columns=columns)
    )
    return jsonify(grant.to_json())


@bp.post("/access-requests/<slug:request_id>/refuse")
def refuse_access_request(request_id: str) -> ResponseReturnValue:
    who = writer()
    reason = _string(json_body(), "reason")
    view = _decide(lambda: services().sharing.refuse(who.actor, request_id, reason=reason))
    return jsonify(view.to_json())


@bp.get("/grants")
def list_grants() -> ResponseReturnValue:
    actor = _signed_in()
    organization = request.args.get("organization", "").strip()
    everything = request.args.get("all", "").strip().lower() in ("true", "1", "yes")
    scope = "*" if everything else (_organization_id(organization) if organization else None)
    grants = services().sharing.grants(actor, organization_id=scope)
    items = [g.to_json() for g in grants]
    return list_json(items, len(items), None)


@bp.delete("/grants/<slug:grant_id>")
def revoke_grant(grant_id: str) -> ResponseReturnValue:
    who = writer()
    return jsonify(services().sharing.revoke(who.actor, grant_id).to_json())


@bp.get("/datasets/<slug:name>/access-log")
def dataset_access_log(name: str) -> ResponseReturnValue:
    actor = _signed_in()
    sharing = services().sharing
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise BadParameter("format must be json or csv")
    if fmt == "csv":
        lines = sharing.export_log(actor, "", dataset_name=name)  # checks permission now
        response = Response(stream_with_context(lines), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}-access-log.csv"'
        return response
    limit = int_arg("limit", 100, 1, LOG_PAGE)
    offset = int_arg("offset", 0, 0, 10_000_000)
    items = [e.to_json() for e in sharing.access_log(actor, name, limit=limit, offset=offset)]
    more = len(items) == limit
    args: dict[str, Any] = {**request.args.to_dict(), "offset": offset + limit, "limit": limit}
    next_url = url_for("api.dataset_access_log", name=name, _external=True, **args)
    return jsonify({"items": items, "total": None, "next": next_url if more else None})
