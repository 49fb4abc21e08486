"""CKAN's request forms turned into one parameter mapping, and typed readers of it.

CKAN takes a JSON object body, form fields, multipart with files, or (for read actions)
the query string; a repeated key becomes a list. The readers raise CKAN's ``Validation
Error`` naming the field, so adapters never see a malformed value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from app.api_auth import ApiCaller
from app.ckan_api.errors import validation_error
from app.json_body import RefusedJson, parse_json, read_body, refuse_nul


class BadRequest(Exception):
    """The body is not a JSON object (CKAN answers 400 with a bare JSON string)."""


@dataclass(frozen=True)
class ActionRequest:
    """One action call: who calls, CKAN's parameters, uploaded files."""

    caller: ApiCaller
    params: Mapping[str, Any]
    files: Mapping[str, FileStorage] = field(default_factory=dict)


def _flatten(multi: MultiDict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in multi:
        values = multi.getlist(key)
        out[key] = values[0] if len(values) == 1 else values
    return out


def params_from(request: Request) -> tuple[dict[str, Any], dict[str, FileStorage]]:
    """Return the parameters and files of a CKAN action request; raise ``BadRequest``."""
    if request.method == "GET":
        return _refused_nul(_flatten(request.args)), {}
    if request.mimetype == "application/json":
        try:
            body = parse_json(read_body(request) or "{}")
        except json.JSONDecodeError as exc:
            raise BadRequest(f"Bad request - JSON Error: {exc.msg}") from None
        except RefusedJson as exc:
            raise BadRequest(f"Bad request - JSON Error: {exc}") from None
        if not isinstance(body, dict):
            raise BadRequest("Bad request - JSON Error: Request data JSON is not an object")
        return body, {}
    params = _flatten(request.form)
    params.update({k: v for k, v in _flatten(request.args).items() if k not in params})
    return _refused_nul(params), {k: v for k, v in request.files.items() if v.filename}


def _refused_nul(params: dict[str, Any]) -> dict[str, Any]:
    """Return ``params``; raise ``BadRequest`` when one holds a NUL character (no field takes
    one, and PostgreSQL cannot compare text with one)."""
    try:
        refuse_nul(params)
    except RefusedJson as exc:
        raise BadRequest(f"Bad request - {exc}") from None
    return params


def text(params: Mapping[str, Any], key: str, default: str = "") -> str:
    """Return a string parameter (numbers are accepted as text)."""
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise validation_error({key: [_("Must be a string")]})


def required(params: Mapping[str, Any], key: str) -> str:
    """Return a non-empty string parameter; raise ``Validation Error`` (``Missing value``)."""
    value = text(params, key).strip()
    if not value:
        raise validation_error({key: [_("Missing value")]})
    return value


def integer(params: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """Return an integer parameter within ``low``..``high``."""
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise validation_error({key: [_("Invalid integer")]}) from None
    if not low <= number <= high:
        raise validation_error(
            {key: [_("Must be between %(low)s and %(high)s", low=low, high=high)]}
        )
    return number


def flag(params: Mapping[str, Any], key: str, default: bool = False) -> bool:
    """Return a boolean parameter (``true``/``false``, ``1``/``0``, JSON booleans)."""
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise validation_error({key: [_("Must be true or false")]})


def json_value(params: Mapping[str, Any], key: str) -> Any:
    """Return a parameter that may arrive as JSON text (GET, forms) or as JSON itself."""
    value = params.get(key)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise validation_error({key: [_("Invalid JSON")]}) from None
    return value


def text_list(params: Mapping[str, Any], key: str) -> list[str] | None:
    """Return a list of strings from a JSON list, a comma-separated string or a repeated key."""
    value = json_value(params, key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    raise validation_error({key: [_("Must be a list of strings")]})
