"""The CKAN-compatible Action API (SPEC §4): ``/api/action/<name>`` and ``/api/3/action/<name>``.

GET answers carry CORS headers and are gzip-compressed when asked (as on the REST API).
Requests authenticate by API token (``Authorization: Bearer``, the bare token, or
``X-CKAN-API-Key``), so the blueprint is exempt from CSRF. A given but bad, expired or
revoked token is CKAN's 403 ``Authorization Error``, never silently anonymous.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from app.api_auth import api_caller
from app.api_guard import FORM, JSON, MULTIPART, check_write
from app.ckan_api.actions import ACTIONS
from app.ckan_api.errors import ckan_error_for, validation_error
from app.ckan_api.params import ActionRequest, BadRequest, params_from
from app.cors_gzip import add_cors, gzip_body
from app.fast_json import json_response
from app.json_body import cap_body, is_upload

bp = Blueprint("ckan_api", __name__)


def _help(name: str) -> str:
    return url_for("ckan_api.call_action", name="help_show", _external=True) + f"?name={name}"


def _bad_request(message: str) -> Response:
    # CKAN answers these with a bare JSON string, not an envelope.
    return Response(json.dumps(message), status=400, mimetype="application/json")


@bp.before_request
def _guard_write() -> ResponseReturnValue | None:
    """Refuse cross-site writes and bodies CKAN does not read (``app.api_guard``)."""
    if request.method != "POST":
        return None
    action = ACTIONS.get((request.view_args or {}).get("name", ""))
    refusal = check_write(
        allowed_types=(JSON, FORM, MULTIPART),
        ckan_forms=True,
    )
    if refusal is None or (refusal.status == 403 and (action is None or action.read_only)):
        return None
    error_type = "Authorization Error" if refusal.status == 403 else "Bad Request Error"
    name = (request.view_args or {}).get("name", "")
    body = {
        "help": _help(name),
        "success": False,
        "error": {"__type": error_type, "message": refusal.message},
    }
    return jsonify(body), refusal.status


@bp.after_request
def _finish(response: Response) -> Response:
    """CORS for reads and gzip for whole GET answers, as on the REST API (``app.cors_gzip``)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        add_cors(response, expose="Retry-After", allow_headers="Authorization, X-CKAN-API-Key")
    if request.method in ("GET", "HEAD"):
        gzip_body(response)
    return response


@bp.get("/api/3")
def api_version() -> ResponseReturnValue:
    return jsonify({"version": 3})


@bp.route("/api/action/<name>", methods=["GET", "POST"])
@bp.route("/api/3/action/<name>", methods=["GET", "POST"])
def call_action(name: str) -> ResponseReturnValue:
    action = ACTIONS.get(name)
    if action is None:
        return _bad_request(f"Bad request - Action name not known: {name}")
    if request.method == "GET" and not action.read_only:
        return _bad_request(f"Bad request - JSON Error: Please use POST method for {name}")
    settings = current_app.extensions["opendata"].settings
    cap_body(request, settings.max_json_bytes)
    try:
        params, files = params_from(request)
        result = action.run(ActionRequest(api_caller(ckan_forms=True), params, files))
    except BadRequest as exc:
        return _bad_request(str(exc))
    except RequestEntityTooLarge:
        if is_upload(request):
            limit = _("The file is larger than the upload limit")
        else:
            limit = _(
                "The request body is larger than the limit of %(limit)s bytes.",
                limit=settings.max_json_bytes,
            )
        too_large = validation_error({"body": [limit]}, limit)
        body = {"help": _help(name), "success": False, "error": too_large.payload()}
        return jsonify(body), 413
    except Exception as exc:
        error = ckan_error_for(exc)
        if error is None:
            raise
        body = {"help": _help(name), "success": False, "error": error.payload()}
        return jsonify(body), error.status, error.headers
    return json_response({"help": _help(name), "success": True, "result": result})
