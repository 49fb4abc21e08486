"""Rate limits of both APIs (SPEC §4, §5): per anonymous client and per token.

Counters are shared by every worker process (``app.rate_store``, composed with the other
services). ``OPENDATA_RATE_LIMIT_ANON`` and
``OPENDATA_RATE_LIMIT_TOKEN`` take ``120/minute``-style values; ``0`` disables one.
Over the limit the API answers 429 with ``Retry-After`` (seconds).

Beside the per-minute limit, each token has a daily quota (``OPENDATA_API_QUOTA_TOKEN_DAILY``
calls per UTC day, ``0``: none). Token answers carry ``X-RateLimit-Day-Limit``,
``-Day-Remaining`` and ``-Day-Reset`` (the next UTC midnight, Unix seconds); past the quota
the answer is 429 with ``Retry-After`` until that midnight.
"""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, request
from flask_babel import gettext as _

from app.rate_store import DayVerdict, RateLimits, Verdict
from publishers import Unauthenticated

LIMITED_BLUEPRINTS = ("api", "ckan_api")
# The WSGI environ key of a verdict counted before Flask: a client cannot set it (its headers
# arrive as ``HTTP_*`` keys), and the request is not counted twice.
COUNTED_VERDICT = "opendata.rate_verdict"


def _token_id() -> str | None:
    """The id of the request's valid token, or None (anonymous, session or bad token)."""
    from app.api_auth import api_caller

    try:
        caller = api_caller(ckan_forms=request.blueprint == "ckan_api")
    except Unauthenticated:
        return None  # the view answers 401; the request still counts as anonymous
    g.api_caller = caller
    return caller.token_id


def _too_many(verdict: Verdict | DayVerdict) -> Response:
    if isinstance(verdict, DayVerdict):
        message = _(
            "This token used its daily quota of %(limit)s calls: try again in %(n)s seconds "
            "(at midnight UTC).",
            limit=verdict.limit,
            n=verdict.retry_after,
        )
    else:
        message = _("Too many requests: try again in %(n)s seconds.", n=verdict.retry_after)
    if request.blueprint == "ckan_api":
        body = {
            "help": request.url,
            "success": False,
            "error": {"__type": "Rate Limit Error", "message": message},
        }
    else:
        body = {"error": {"code": "rate_limited", "message": message}}
    response = jsonify(body)
    response.status_code = 429
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def init_app(app: Flask, limits: RateLimits) -> None:
    """Apply ``limits`` to the API blueprints (``api`` and ``ckan_api``) of ``app``."""

    @app.before_request
    def _limit() -> Response | None:
        if limits.disabled:
            return None
        if request.blueprint not in LIMITED_BLUEPRINTS or request.method == "OPTIONS":
            return None
        token_id = _token_id()
        # Counted already when the lean dispatch (``app.api.records_lean``) handed over.
        verdict = request.environ.get(COUNTED_VERDICT) if token_id is None else None
        if verdict is None:
            verdict = limits.check(token_id, request.remote_addr or "unknown")
        g.rate_verdict = verdict
        if not verdict.allowed:
            return _too_many(verdict)
        day = limits.check_day(token_id) if token_id else None
        g.day_verdict = day
        return None if day is None or day.allowed else _too_many(day)

    @app.after_request
    def _headers(response: Response) -> Response:
        verdict: Verdict | None = g.get("rate_verdict")
        if verdict is not None and verdict.limit:
            response.headers["X-RateLimit-Limit"] = str(verdict.limit)
            response.headers["X-RateLimit-Remaining"] = str(verdict.remaining)
        day: DayVerdict | None = g.get("day_verdict")
        if day is not None:
            response.headers["X-RateLimit-Day-Limit"] = str(day.limit)
            response.headers["X-RateLimit-Day-Remaining"] = str(day.remaining)
            response.headers["X-RateLimit-Day-Reset"] = str(day.reset)
        return response
