"""REST routes of data requests (issue 21): the public list and page, asking with a token.

Reads are public and show what the request's page shows (never an e-mail address). Asking
needs a read-write token (``writer``) and is throttled per account like the form.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.datasets import _string, int_arg, list_json
from app.api.responses import BadParameter, error, json_body, writer
from app.context import services
from datasets.data_requests import (
    MAX_PAGE,
    MAX_QUERY_CHARS,
    NewRequest,
    RequestStatus,
    TooManyDataRequests,
)
from datasets.leak_reports import client_key
from publishers import ANONYMOUS, InvalidInput


@bp.get("/requests")
def list_data_requests() -> ResponseReturnValue:
    status = request.args.get("status", "").strip()
    if status and status not in {s.value for s in RequestStatus}:
        raise BadParameter("status must be one of: " + ", ".join(s.value for s in RequestStatus))
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        raise BadParameter(f"q is longer than {MAX_QUERY_CHARS} characters")
    page = int_arg("page", 1, 1, MAX_PAGE)
    per_page = int_arg("page_size", 20, 1, 100)
    found = services().data_requests.page(
        status=status,
        text=text,
        organization=request.args.get("organization", "")[:100],
        page=page,
        per_page=per_page,
    )
    next_url = None
    if page < found.pages and page < MAX_PAGE:
        args: dict[str, Any] = {**request.args.to_dict(), "page": page + 1}
        next_url = url_for("api.list_data_requests", _external=True, **args)
    return list_json([r.to_json() for r in found.items], found.total, next_url)


@bp.get("/requests/<slug:request_id>")
def read_data_request(request_id: str) -> ResponseReturnValue:
    view = services().data_requests.get(ANONYMOUS, request_id)
    return jsonify(view.to_json(with_history=True))


@bp.post("/requests")
def create_data_request() -> ResponseReturnValue:
    who = writer()
    body = json_body()
    show_name = body.get("show_name", False)
    if not isinstance(show_name, bool):
        raise InvalidInput("boolean expected", {"show_name": ["boolean_expected"]})
    new = NewRequest(
        title=_string(body, "title"),
        description=_string(body, "description"),
        organization=_string(body, "organization"),
        show_name=show_name,
    )
    svc = services()
    client = client_key(f"user:{who.actor.user_id}", svc.keys.hash_key)
    try:
        view = svc.data_requests.ask(who.actor, new, client)
    except TooManyDataRequests:
        response = error(429, "rate_limited", _("Too many data requests; try again later."))
        response.headers["Retry-After"] = "3600"
        return response
    response = jsonify(view.to_json(with_history=True))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "api.read_data_request", request_id=view.id, _external=True
    )
    return response
