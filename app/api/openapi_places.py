"""The OpenAPI parts of places in uploads (issue 22): the report's notes on columns of
administrative units, and the path adding the current unit's code after such a column."""

from __future__ import annotations

from typing import Any

from app.api.openapi_parts import AUTH, errors, json_body
from app.api.openapi_schemas import N_, SCHEMAS, STR, obj, ref

_INT = {"type": "integer"}
SCHEMAS["PlaceRef"] = obj(
    {"key": STR, "code": STR, "name": STR, "obsolete": {"type": "boolean"}, "uri": STR}
)
_PLACE_VALUE = obj(
    {
        "value": STR,
        "count": _INT,
        "rows": {"type": "array", "items": _INT},
        "current": {"type": "array", "items": obj({"code": STR, "name": STR})},
        "context": STR,
        "ambiguous": {"type": "boolean"},
    }
)
SCHEMAS["PlaceColumn"] = obj(
    {
        "column": STR,
        "level": {"type": "string", "enum": ["province", "district", "commune"]},
        "codes": {"type": "boolean"},
        "cells": _INT,
        "current": _INT,
        "obsolete": _INT,
        "unknown": _INT,
        "obsolete_values": {"type": "array", "items": _PLACE_VALUE},
        "unknown_values": {"type": "array", "items": _PLACE_VALUE},
        "complete": {"type": "boolean"},
    }
)
SCHEMAS["UnitCodesInput"] = obj({"column": STR})
SCHEMAS["ValidationReport"]["properties"]["places"] = {
    "type": "array",
    "description": N_(
        "Columns of administrative units recognized in the table, with notes on values naming "
        "units that no longer exist (and the current units they became) or no known unit. "
        "Notes only: they never make a table invalid."
    ),
    "items": ref("PlaceColumn"),
}


def place_paths(name: dict[str, Any], resource_id: dict[str, Any]) -> dict[str, Any]:
    """The path of the one-step code column, with the document's name and id parameters."""
    return {
        "/datasets/{name}/resources/{id}/unit-codes": {
            "post": {
                "summary": N_(
                    "Add the current unit's code and name after a recognized place column"
                ),
                "security": AUTH,
                "parameters": [name, resource_id],
                "requestBody": json_body("UnitCodesInput"),
                "responses": {
                    "202": {
                        "description": N_("The resource, processed again in the background."),
                        "content": {"application/json": {"schema": ref("Resource")}},
                    },
                    **errors(403, 404, 409, 422),
                },
            }
        }
    }
