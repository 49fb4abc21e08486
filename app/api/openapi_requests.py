"""The data-request paths of the OpenAPI document (issue 21)."""

from __future__ import annotations

from typing import Any

from app.api.openapi_parts import AUTH, OPTIONAL_AUTH, errors, json_body, ok, param
from app.api.openapi_schemas import N_, STR

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
