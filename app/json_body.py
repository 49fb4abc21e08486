"""Bounded JSON request bodies for both APIs: a byte cap and a nesting-depth cap.

Every API body that is not a multipart upload gets ``OPENDATA_MAX_JSON_BYTES``: Werkzeug
refuses a larger ``Content-Length`` before reading a byte, and stops reading a chunked body
at the cap (both raise ``RequestEntityTooLarge``, answered 413 by each API in its shape).
JSON nested deeper than ``MAX_JSON_DEPTH`` is refused (400) instead of exhausting the stack.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_JSON_DEPTH = 64


class JsonTooDeep(ValueError):
    """The JSON nests arrays and objects deeper than ``MAX_JSON_DEPTH``."""


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
    """Parse JSON; raise ``json.JSONDecodeError`` or ``JsonTooDeep``."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    try:
        value = json.loads(data)
    except RecursionError:
        raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_JSON_DEPTH:
                    raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                stack.append((child, depth + 1))
    return value
