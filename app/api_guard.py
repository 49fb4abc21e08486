"""Who may write through the APIs, and in which body format (cross-site request forgery).

A browser sends the portal's session cookie with any request a page on another site
makes, and a ``text/plain`` or form body needs no CORS preflight. So an API write is
authorized by a token in a header (which no other site can set), or by the session cookie
only together with the session's CSRF token (``X-CSRFToken`` header or a ``csrf_token``
field); and a body is read as JSON only when it says ``application/json``.

Each API turns a ``Refusal`` into its own error shape. This check runs before the
request's body is parsed; body size and nesting caps live beside the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Refusal:
    """Why a write request is refused: HTTP status and a translated message."""

    status: int  # 403 (no CSRF token) or 415 (body format)
    message: str


def _has_token_header(ckan_forms: bool) -> bool:
    if request.headers.get("Authorization", "").strip():
        return bool(ckan_forms or request.headers["Authorization"].lower().startswith("bearer "))
    return ckan_forms and bool(request.headers.get("X-CKAN-API-Key", "").strip())


def _csrf_token() -> str:
    header = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.mimetype in (FORM, MULTIPART):
        return request.form.get("csrf_token", "")
    return ""


def check_write(*, allowed_types: tuple[str, ...], ckan_forms: bool) -> Refusal | None:
    """Return why this write request is refused, or None when it may go on.

    ``allowed_types``: the body media types the API reads (a request without a body may
    have none). ``ckan_forms``: the CKAN header forms of a token count as a token.
    """
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if (request.content_length or chunked) and request.mimetype not in allowed_types:
        return Refusal(
            415,
            _("Send the request body as %(types)s.", types=", ".join(allowed_types)),
        )
    if _has_token_header(ckan_forms) or not current_user.is_authenticated:
        return None  # a token is checked by the view; anonymous writes are refused there
    try:
        validate_csrf(_csrf_token())
    except ValidationError:
        return Refusal(
            403,
            _("A signed-in browser must send the page's CSRF token, or use an API token."),
        )
    return None
