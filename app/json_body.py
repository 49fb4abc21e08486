"""Bounded JSON request bodies for both APIs: a byte cap and a nesting-depth cap.

Every API body that is not a multipart upload gets ``OPENDATA_MAX_JSON_BYTES``: Werkzeug
refuses a larger ``Content-Length`` before reading a byte, and stops reading a chunked body
at the cap (both raise ``RequestEntityTooLarge``, answered 413 by each API in its shape).
JSON nested deeper than ``MAX_JSON_DEPTH`` is refused (400) instead of exhausting the stack,
and so is a NUL character (``\\u0000``) in any key or string: no field takes one, and
PostgreSQL cannot store one in text.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_JSON_DEPTH = 64
_NUL = "the request holds a NUL character (\\u0000), which no field takes"


class RefusedJson(ValueError):
    """Valid JSON the portal refuses: nested deeper than ``MAX_JSON_DEPTH``, or holding a NUL
    character in a key or a string."""


def cap_body(request: Request, max_bytes: int) -> None:
    """Limit the body of ``request`` to ``max_bytes`` unless it is a multipart upload."""
    if request.mimetype != "multipart/form-data":
        request.max_content_length = max_bytes


def read_body(request: Request) -> bytes:
    """Return the body within the cap; raise ``RequestEntityTooLarge`` when it reaches it.

    Werkzeug stops a chunked body at ``max_content_length`` without saying so (the bytes
    read are simply the cap): a body that fills the cap is taken as larger than it.
    """
    data = request.get_data(cache=True)
    cap = request.max_content_length
    if cap is not None and len(data) >= cap:
        raise RequestEntityTooLarge()
    return data


def is_upload(request: Request) -> bool:
    """Return True when the request is a multipart upload (the upload limit applies)."""
    return request.mimetype == "multipart/form-data"


def parse_json(data: str | bytes) -> Any:
    """Parse JSON; raise ``json.JSONDecodeError`` or ``RefusedJson``."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    try:
        value = json.loads(data)
    except RecursionError:
        raise RefusedJson(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if "\\u0000" in data or "\x00" in data:
        refuse_nul(value)
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_JSON_DEPTH:
                    raise RefusedJson(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                stack.append((child, depth + 1))
    return value


def refuse_nul(value: Any) -> None:
    """Raise ``RefusedJson`` when a key or a string anywhere in ``value`` holds a NUL
    (JSON values, or the parameters of a query string or a form)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise RefusedJson(_NUL)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
