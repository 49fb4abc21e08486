"""The REST API ``/api/v1`` (SPEC §4) with its OpenAPI document and docs page.

Callers authenticate with ``Authorization: Bearer <token>``; a browser session may read.
Writes need a read-write token. Errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

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


def init_app(app: Flask) -> None:
    """Register the REST API, its rate limits and its response filters on ``app``."""
    from app.api import (  # noqa: F401  (the modules register their routes on ``bp``)
        datasets,
        docs,
        feed,
        publishing,
        ratelimits,
        records,
        responses,
    )
    from app.security import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
    ratelimits.init_app(app)
    responses.init_usage(app)
