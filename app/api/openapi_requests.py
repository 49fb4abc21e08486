"""The data-request paths of the OpenAPI document (issue 21)."""

from __future__ import annotations

from typing import Any

from app.api.openapi_parts import AUTH, OPTIONAL_AUTH, errors, json_body, ok, param
from app.api.openapi_schemas import N_, SCHEMAS, STR, list_of, obj, ref

_NSTR = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}

_ID = param("id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, N_("Its id.")) | {
    "example": "d4c3b2a1-0f9e-4d8c-b7a6-5f4e3d2c1b0a"
}

REQUEST_PATHS: dict[str, Any] = {
    "/requests": {
        "get": {
            "summary": N_("Data requests, newest first (hidden spam left out)"),
            "security": OPTIONAL_AUTH,
            "parameters": [
                param(
                    "status",
                    "query",
                    {
                        "type": "string",
                        "enum": ["open", "answered", "planned", "declined", "published"],
                    },
                    N_("Only requests with this status."),
                ),
                param(
                    "q",
                    "query",
                    {"type": "string", "maxLength": 200},
                    N_("Words in the title or description (all of them; accents optional)."),
                ),
                param("organization", "query", STR, N_("Only requests asking this organization.")),
                param(
                    "page", "query", {"type": "integer", "minimum": 1, "maximum": 500}, N_("Page.")
                ),
                param(
                    "page_size",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    N_("Requests per page."),
                ),
            ],
            "responses": {**ok("DataRequestList", N_("One page of requests.")), **errors()},
        },
        "post": {
            "summary": N_("Ask for data the portal lacks (at most 5 requests an hour)"),
            "security": AUTH,
            "requestBody": json_body("DataRequestInput"),
            "responses": {
                **ok("DataRequest", N_("The open request."), "201"),
                **errors(403, 422),
            },
        },
    },
    "/requests/{id}": {
        "get": {
            "summary": N_("One data request with its answer, linked dataset and history"),
            "security": OPTIONAL_AUTH,
            "parameters": [_ID],
            "responses": {**ok("DataRequest", N_("The request.")), **errors(404)},
        }
    },
}

# Data requests (issue 21): never an e-mail address; the requester's name only if shown.
_REQUEST_STATUS = {
    "type": "string",
    "enum": ["open", "answered", "planned", "declined", "published"],
}
_DATA_REQUEST = {
    "id": STR,
    "title": STR,
    "description": STR,
    "organization": {**_NSTR, "description": "The asked organization's name (null: none)."},
    "organization_title": _NSTR,
    "requester": {**_NSTR, "description": "Only when the requester chose to show it."},
    "status": _REQUEST_STATUS,
    "answer": {**STR, "description": "The organization's answer; a refusal's reason."},
    "dataset": {**_NSTR, "description": "The published dataset's name (status published)."},
    "dataset_title": _NSTR,
    "votes": {"type": "integer", "minimum": 0, "description": "People who need it too."},
    "created": _TIME,
    "updated": _TIME,
}
SCHEMAS["DataRequest"] = obj(
    _DATA_REQUEST
    | {
        "history": {
            "type": "array",
            "items": obj({"status": _REQUEST_STATUS, "note": STR, "created": _TIME}),
        }
    }
)
SCHEMAS["DataRequestSummary"] = obj(_DATA_REQUEST)
SCHEMAS["DataRequestList"] = list_of(ref("DataRequestSummary"))
SCHEMAS["DataRequestInput"] = obj(
    {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 4000},
        "organization": {**STR, "description": "The organization to ask (name); optional."},
        "show_name": {"type": "boolean", "description": "Show your name (default false)."},
    },
    required=["title"],
)
