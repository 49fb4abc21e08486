"""The REST API ``/api/v1`` (SPEC §4) with its OpenAPI document and docs page.

Callers authenticate with ``Authorization: Bearer <token>``; a browser session may read.
Writes need a read-write token. Errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from app.api_guard import JSON, MULTIPART, SAFE_METHODS, check_write

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _guard_write() -> Response | None:
    """Refuse cross-site writes and non-JSON bodies (``app.api_guard``)."""
    if request.method in SAFE_METHODS:
        return None
    refusal = check_write(allowed_types=(JSON, MULTIPART), ckan_forms=False)
    if refusal is None:
        return None
    from app.api.responses import error

    code = "forbidden" if refusal.status == 403 else "bad_request"
    return error(refusal.status, code, refusal.message)


def routes() -> Blueprint:
    """Return the blueprint with every route of the API (its modules add them on import)."""
    from app.api import (  # noqa: F401  (the modules register their routes on ``bp``)
        bulk,
        data_requests,
        datasets,
        docs,
        feed,
        publishing,
        records,
        responses,
        sharing,
        webhooks,
    )

    return bp
