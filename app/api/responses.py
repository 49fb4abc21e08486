"""What every REST API response shares: errors, the caller, ETags, gzip, CORS, usage."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.api import bp
from app.api_auth import ApiCaller, api_caller
from app.context import services
from app.cors_gzip import add_cors, gzip_body
from app.errors import storage_full_message
from app.json_body import RefusedJson, cap_body, is_upload, parse_json, read_body
from datasets.conversions import ConversionError
from datasets.datastore import BadQuery, DatastoreError, UnknownField, UnknownResource
from datasets.errors import (
    StaleVersion,
    StorageFull,
    SubmissionBlocked,
    TransitionNotAllowed,
    UploadTooLarge,
)
from datasets.usage import Metric, Subject, UsageRecorder
from publishers import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from search_index import MAX_QUERY_CHARS, MAX_QUERY_WORDS, QueryTooLong, SearchQueryError


class BadParameter(DomainError):
    """A query parameter is malformed (HTTP 400)."""

    code = "bad_request"


class PreconditionRequired(Exception):
    """A write came without ``If-Match`` (HTTP 428)."""


def error(status: int, code: str, message: str, **extra: Any) -> Response:
    """Return the JSON error ``{"error": {"code", "message", ...}}`` with ``status``."""
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


def caller() -> ApiCaller:
    """Return the caller of this request (checked once); raise ``Unauthenticated``."""
    found: ApiCaller | None = g.get("api_caller")
    if found is None:
        found = api_caller()
        g.api_caller = found
    return found


def writer() -> ApiCaller:
    """Return the caller of a write: a read-write token is required."""
    who = caller()
    if who.token_id is None:
        raise Unauthenticated("token required")
    if not who.can_write:
        raise PermissionDenied("read-only token", reason="read_only_token")
    return who


def json_body(*, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the request's JSON object; raise ``InvalidInput`` for anything else.

    The body is read within ``OPENDATA_MAX_JSON_BYTES`` (413 past it); JSON nested too deep
    or holding a NUL character is a 400. ``empty`` is returned for an empty body when given.
    """
    raw = read_body(request)
    if not raw and empty is not None:
        return empty
    try:
        data = parse_json(raw)
    except RefusedJson as exc:
        raise BadParameter(str(exc)) from None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("JSON object expected", {"body": ["json_object_expected"]})
    return data


@bp.before_request
def _cap_body() -> None:
    cap_body(request, services().settings.max_json_bytes)


def usage() -> UsageRecorder:
    """Return the usage recorder of the running application."""
    return services().usage


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    if isinstance(exc, Unauthenticated):
        return error(401, "unauthorized", _("A valid API token is required."))
    if isinstance(exc, PermissionDenied):
        if exc.params.get("reason") == "own_submission":
            return error(403, "forbidden", _("You cannot approve your own submission."))
        return error(403, "forbidden", _("Your account may not do this."))
    if isinstance(exc, NotFound):
        return error(404, "not_found", _("Not found."))
    if isinstance(exc, StaleVersion):
        return error(412, "precondition_failed", _("The dataset changed since you read it."))
    if isinstance(exc, (TransitionNotAllowed, Conflict)):
        return error(409, "conflict", _("This is not possible in the dataset's current state."))
    if isinstance(exc, UploadTooLarge):
        return _too_large(exc)
    if isinstance(exc, StorageFull):
        return error(507, "insufficient_storage", storage_full_message())
    if isinstance(exc, SubmissionBlocked):
        return error(
            422, "validation_failed", _("The dataset cannot be submitted yet."), reasons=exc.reasons
        )
    if isinstance(exc, InvalidInput):
        return error(422, "validation_failed", _("Some fields are invalid."), fields=exc.errors)
    return error(400, "bad_request", exc.message)


@bp.errorhandler(DatastoreError)
def _datastore_error(exc: DatastoreError) -> Response:
    if isinstance(exc, UnknownField):
        return error(400, "bad_request", _("Unknown column: %(name)s", name=exc.field))
    if isinstance(exc, UnknownResource):
        return error(404, "not_found", _("The rows of this resource are not available yet."))
    if isinstance(exc, BadQuery):
        return error(400, "bad_request", exc.message)
    return error(400, "bad_request", exc.message)


@bp.errorhandler(SearchQueryError)
def _search_error(exc: SearchQueryError) -> Response:
    if isinstance(exc, QueryTooLong):
        message = _(
            "The search text may have at most %(chars)s characters and %(words)s words.",
            chars=MAX_QUERY_CHARS,
            words=MAX_QUERY_WORDS,
        )
        return error(400, "bad_request", message)
    return error(400, "bad_request", exc.message)


@bp.errorhandler(ConversionError)
def _conversion_error(exc: ConversionError) -> Response:
    return error(400, "bad_request", str(exc))


@bp.errorhandler(PreconditionRequired)
def _precondition_required(exc: PreconditionRequired) -> Response:
    return error(428, "precondition_required", _("Send the dataset's ETag in If-Match."))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: Exception) -> Response:
    if not isinstance(exc, UploadTooLarge) and not is_upload(request):
        return error(
            413,
            "payload_too_large",
            _(
                "The request body is larger than the limit of %(limit)s bytes.",
                limit=services().settings.max_json_bytes,
            ),
        )
    limit = services().settings.max_upload_mb
    return error(
        413,
        "payload_too_large",
        _("The file is larger than the limit of %(limit)s MB.", limit=limit),
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
    return error(status, codes.get(status, "bad_request"), exc.description or exc.name)


@bp.after_request
def _finish(response: Response) -> Response:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        add_cors(response)
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if not response.is_streamed and not response.direct_passthrough:
            if response.get_etag()[0] is None:
                response.add_etag()
            response.make_conditional(request)
        gzip_body(response)
    who: ApiCaller | None = g.get("api_caller")
    if who is not None and who.token_id:
        usage().record(Subject.TOKEN, who.token_id, Metric.API_CALLS)
    return response


def count_dataset_call(dataset_id: str) -> None:
    """Count one API call on a dataset (shown on its page and to its organization)."""
    usage().record(Subject.DATASET, dataset_id, Metric.API_CALLS)
