"""Map domain errors to HTTP once (STYLE §3): pages for browsers, JSON for APIs."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from datasets.errors import (
    StaleVersion,
    StorageFull,
    StorageUnavailable,
    TransitionNotAllowed,
    UploadTooLarge,
    is_disk_full,
)
from datasets.follows import BadUnsubscribeLink
from publishers import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated

log = logging.getLogger(__name__)


def storage_full_message() -> str:
    """The message of a refused upload when the server's disk is full."""
    return str(
        _(
            "The server has no room to store this file right now. Nothing was kept; "
            "please try again later or tell the portal's administrators."
        )
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    if _wants_json():
        codes = {
            404: "not_found",
            403: "forbidden",
            401: "unauthorized",
            409: "conflict",
            412: "precondition_failed",
            413: "payload_too_large",
            507: "insufficient_storage",
            503: "storage_unavailable",
            422: "validation_failed",
            400: "bad_request",
        }
        return jsonify({"error": {"code": codes.get(status, "error"), "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> ResponseReturnValue:
        return _page(404, _("Not found"), _("We could not find that page or dataset."))

    @app.errorhandler(PermissionDenied)
    def _forbidden(exc: PermissionDenied) -> ResponseReturnValue:
        if exc.params.get("reason") == "own_submission":
            return _page(
                403,
                _("Not allowed"),
                _("You cannot approve your own submission: another steward must."),
            )
        return _page(403, _("Not allowed"), _("Your account may not do this."))

    @app.errorhandler(TransitionNotAllowed)
    def _conflict(exc: TransitionNotAllowed) -> ResponseReturnValue:
        return _page(
            409,
            _("Not possible now"),
            _("This action is not possible in the dataset's current state."),
        )

    @app.errorhandler(BadUnsubscribeLink)
    def _bad_unsubscribe(exc: BadUnsubscribeLink) -> ResponseReturnValue:
        return _page(
            400,
            _("Damaged link"),
            _(
                "This link to stop following a dataset is damaged: "
                "copy the whole link from the e-mail."
            ),
        )

    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput) -> ResponseReturnValue:
        fields = ", ".join(sorted(exc.errors)) or "-"
        return _page(
            422, _("Invalid input"), _("Please check these values: %(fields)s", fields=fields)
        )

    @app.errorhandler(Conflict)
    def _conflict_generic(exc: Conflict) -> ResponseReturnValue:
        if isinstance(exc, StaleVersion):
            return _page(
                412,
                _("Changed meanwhile"),
                _("Someone else changed this in the meantime. Reload and try again."),
            )
        return _page(409, _("Conflict"), _("This conflicts with what already exists."))

    @app.errorhandler(Unauthenticated)
    def _unauthenticated(exc: Unauthenticated) -> ResponseReturnValue:
        return _page(401, _("Sign-in needed"), _("Missing or invalid credentials."))

    @app.errorhandler(StorageFull)
    def _storage_full(exc: StorageFull) -> ResponseReturnValue:
        return _page(507, _("No room to store the file"), storage_full_message())

    @app.errorhandler(OSError)
    def _os_error(exc: OSError) -> ResponseReturnValue:
        # The disk filled up outside the domain's own writes (the request's form parser
        # spooling an upload, a log): answered like StorageFull on every surface.
        if is_disk_full(exc):
            return app.handle_user_exception(StorageFull("disk full"))
        if isinstance(exc, StorageUnavailable):  # the bucket: its message holds no secret
            log.warning("object storage unavailable: %s", exc)
            return _page(
                503,
                _("File storage unavailable"),
                _("The file store cannot be reached right now. Please try again in a moment."),
            )
        raise exc

    @app.errorhandler(UploadTooLarge)
    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: Exception) -> ResponseReturnValue:
        limit = app.extensions["opendata"].settings.max_upload_mb
        return _page(
            413,
            _("File too large"),
            _("The file is larger than the limit of %(limit)s MB.", limit=limit),
        )

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        return _page(
            400,
            _("Form expired"),
            _("The form was too old or not sent from this site. Please try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        # Werkzeug's own names and descriptions are English: the visitor's language instead
        # (an unexpected error reaches here as a 500). A description the code gave is kept.
        status = exc.code or 500
        title, message = http_words(status)
        if exc.description and exc.description != type(exc).description:
            message = exc.description
        return _page(status, title, message)


def http_words(status: int) -> tuple[str, str]:
    """The title and message of an HTTP error page in the visitor's language."""
    if status >= 500:
        return (
            _("Something went wrong"),
            _(
                "An unexpected error stopped this page. It has been recorded for the "
                "portal's administrators; please try again later."
            ),
        )
    words = {
        400: lambda: (_("Request not understood"), _("The request could not be understood.")),
        401: lambda: (_("Sign-in needed"), _("Missing or invalid credentials.")),
        403: lambda: (_("Not allowed"), _("Your account may not do this.")),
        404: lambda: (_("Not found"), _("We could not find that page or dataset.")),
        405: lambda: (
            _("Not allowed"),
            _("This address does not accept this kind of request."),
        ),
        429: lambda: (_("Too many requests"), _("Please wait a moment and try again.")),
    }
    found = words.get(status)
    if found is not None:
        return found()
    return _("Request not possible"), _("The request could not be answered.")
