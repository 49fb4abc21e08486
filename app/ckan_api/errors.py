"""CKAN's error envelope: ``__type`` strings, messages and status codes.

Domain errors are mapped here once for the CKAN API (its shapes differ from the REST API's):
``NotFound`` → 404 ``Not Found Error``, ``PermissionDenied``/``Unauthenticated`` → 403
``Authorization Error``, ``InvalidInput``/``Conflict``/``TransitionNotAllowed`` → 409
``Validation Error`` with field → messages, ``SearchQueryError`` → 400 ``Search Query Error``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from datasets.datastore import (
    BadQuery,
    DatastoreError,
    SqlNotAllowed,
    SqlTimeout,
    SqlTooLarge,
    UnknownField,
    UnknownResource,
)
from datasets.errors import (
    StaleVersion,
    StorageFull,
    SubmissionBlocked,
    TransitionNotAllowed,
    UploadTooLarge,
    is_disk_full,
)
from datasets.live_batch import BatchRefused
from datasets.live_feed import FeedPaused, NotWritable
from publishers import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from search_index import SearchQueryError

NOT_FOUND = "Not Found Error"
AUTHORIZATION = "Authorization Error"
VALIDATION = "Validation Error"
SEARCH_QUERY = "Search Query Error"
RATE_LIMIT = "Rate Limit Error"


class CkanError(Exception):
    """An error answered in CKAN's envelope: status, ``__type``, message and field errors."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        fields: dict[str, list[Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}

    def payload(self) -> dict[str, object]:
        """Return the ``error`` object of the envelope."""
        return {**self.fields, "__type": self.type, "message": self.message}


def validation_error(fields: dict[str, list[Any]], message: str = "") -> CkanError:
    """Return a 409 ``Validation Error`` with field → messages."""
    return CkanError(409, VALIDATION, message or _("Validation error"), fields)


def not_found(detail: str = "") -> CkanError:
    """Return a 404 ``Not Found Error`` (``Not found: <detail>`` as CKAN words it)."""
    return CkanError(
        404, NOT_FOUND, _("Not found: %(detail)s", detail=detail) if detail else _("Not found")
    )


def denied(detail: str = "") -> CkanError:
    """Return a 403 ``Authorization Error`` (``Access denied: <detail>``)."""
    message = _("Access denied: %(detail)s", detail=detail) if detail else _("Access denied")
    return CkanError(403, AUTHORIZATION, message)


# Field codes of the domain (``InvalidInput.errors``) in words; unknown codes pass through.
def _code_message(code: str) -> str:
    messages = {
        "required": _("Missing value"),
        "too_long": _("Value is too long"),
        "invalid_name": _(
            "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
        ),
        "unknown_license": _("License not found"),
        "unknown_access_level": _(
            "Unknown access level: public, registered, agencies, restricted or catalog-only"
        ),
        "invalid_email": _("Email address is not valid"),
        "unknown_frequency": _("Unknown update frequency"),
        "unknown_place": _("Unknown place: use a unit of the places catalogue"),
        "too_many_places": _("Too many places (at most 200)"),
        "before_start": _("The end date is before the start date"),
        "too_many": _("Too many values"),
        "unknown_theme": _("Group not found"),
        "invalid_url": _("Only http and https links are allowed"),
        "taken": _("That URL is already in use."),
    }
    return str(messages.get(code, code))


# Domain field names → CKAN's.
_FIELD_NAMES = {
    "title_vi": "title",
    "title_en": "title_translated",
    "description_vi": "notes",
    "description_en": "notes_translated",
    "themes": "groups",
    "organization_id": "owner_org",
}


def _blocked_messages(exc: SubmissionBlocked) -> list[str]:
    out = []
    for problem in exc.problems:
        code, resource = problem.code, problem.resource or ""
        if code == "no_resources":
            out.append(_("Add at least one resource before submitting"))
        elif code == "processing":
            out.append(
                _("Resource %(name)s is still being processed; try again shortly", name=resource)
            )
        elif code == "failed":
            out.append(_("Resource %(name)s could not be read", name=resource))
        elif code == "invalid_table":
            out.append(_("Resource %(name)s has validation errors", name=resource))
        elif code == "undecided_findings":
            out.append(
                _(
                    "Resource %(name)s: personal data found in columns %(columns)s that the "
                    "organization's policy does not decide; a steward must decide them",
                    name=resource,
                    columns=problem.columns,
                )
            )
        else:
            out.append(code)
    return out


def _datastore_error(exc: DatastoreError) -> CkanError:
    if isinstance(exc, UnknownResource):
        return not_found(_("resource has no datastore table"))
    if isinstance(exc, UnknownField):
        return validation_error({"fields": [_("Unknown field: %(name)s", name=exc.field)]})
    if isinstance(exc, SqlNotAllowed):
        return validation_error(
            {"sql": [_("Only a single read-only SELECT over public datastore tables is allowed")]}
        )
    if isinstance(exc, SqlTimeout):
        return validation_error({"sql": [_("The query took too long and was stopped")]})
    if isinstance(exc, SqlTooLarge):
        message = _(
            "The result is larger than %(limit)s bytes: select fewer rows or columns",
            limit=exc.limit,
        )
        return validation_error({"sql": [message]})
    if isinstance(exc, BadQuery):
        return validation_error({"query": [exc.message]})
    return validation_error({"datastore": [exc.message]})


def ckan_error_for(exc: Exception) -> CkanError | None:
    """Return the CKAN error for a domain, search or datastore error (None: not ours)."""
    if isinstance(exc, CkanError):
        return exc
    if isinstance(exc, SearchQueryError):
        return CkanError(
            400, SEARCH_QUERY, _("Search Query is invalid: %(detail)s", detail=str(exc))
        )
    if isinstance(exc, DatastoreError):
        return _datastore_error(exc)
    if isinstance(exc, (BatchRefused, FeedPaused, NotWritable)):
        return live_write_error(exc)
    if isinstance(exc, SubmissionBlocked):
        return validation_error(
            {"state": _blocked_messages(exc)},
            _("Saved as a draft, but it cannot be submitted yet"),
        )
    if isinstance(exc, InvalidInput):
        return validation_error(
            {_FIELD_NAMES.get(k, k): [_code_message(c) for c in v] for k, v in exc.errors.items()}
        )
    if isinstance(exc, NotFound):
        return not_found()
    if isinstance(exc, (PermissionDenied, Unauthenticated)):
        if isinstance(exc, PermissionDenied) and exc.params.get("reason") == "own_submission":
            return denied(_("another steward must approve your own submission"))
        return denied()
    if isinstance(exc, StaleVersion):
        return validation_error({"version": [_("The dataset changed meanwhile")]})
    if isinstance(exc, TransitionNotAllowed):
        return validation_error(
            {"state": [_("This action is not possible in the dataset's current state")]}
        )
    if isinstance(exc, Conflict):
        return validation_error({"name": [_code_message("taken")]})
    if isinstance(exc, UploadTooLarge):
        return validation_error({"upload": [_("The file is larger than the upload limit")]})
    if isinstance(exc, StorageFull) or is_disk_full(exc):
        from app.errors import storage_full_message

        return CkanError(507, "Storage Error", storage_full_message())
    if isinstance(exc, DomainError):
        return validation_error({"error": [exc.code]})
    return None


def _issue_line(code: str, row: int | None, field: str | None, message: str) -> str:
    values = {"code": code, "row": row, "field": field, "message": message}
    if row is not None and field:
        line = _("%(code)s in record %(row)s, field %(field)s: %(message)s", **values)
    elif row is not None:
        line = _("%(code)s in record %(row)s: %(message)s", **values)
    elif field:
        line = _("%(code)s in field %(field)s: %(message)s", **values)
    else:
        line = _("%(code)s: %(message)s", **values)
    return str(line)


def live_write_error(exc: BatchRefused | FeedPaused | NotWritable) -> CkanError:
    """Return the 409 of a refused batch (each issue with its Frictionless code, record
    number from 0 and field), of a paused feed, or of a resource that takes no rows."""
    if isinstance(exc, BatchRefused):
        issues = [
            {"code": i.code, "row": i.row, "field": i.field, "message": i.message}
            for i in exc.issues
        ]
        lines = [_issue_line(i.code, i.row, i.field, i.message) for i in exc.issues]
        return validation_error(
            {"records": lines, "issues": issues},
            _("The batch was refused and nothing was stored"),
        )
    if isinstance(exc, FeedPaused):
        message = _(
            "The feed of this resource is paused: a batch held personal data that the approved "
            "decisions do not remove. Nothing was stored; a steward must review and resume it."
        )
        return validation_error(
            {"resource_id": [message], "findings": _findings(exc.params.get("findings"))},
            message,
        )
    reasons = {
        "not_published": _("Rows can be written only to a published dataset"),
        "not_table": _("This resource is not a published table"),
        "under_review": _(
            "A changed copy of this resource awaits review: write rows after it is decided"
        ),
        "datastore_failed": _(
            "The datastore could not take the new rows; nothing was stored. Try again later."
        ),
    }
    reason = str(exc.params.get("reason", ""))
    return validation_error({"resource_id": [reasons.get(reason, reason)]})


def _findings(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []
