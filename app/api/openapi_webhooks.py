"""Webhooks and the per-dataset change feed in the OpenAPI document (issue 23).

Importing this module adds the paths (``WEBHOOK_PATHS``), their schemas, operationIds,
tag and examples to the tables of ``app.api.openapi_schemas``,
``app.api.openapi_operations`` and ``app.api.openapi_examples``.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi_examples import EXAMPLES
from app.api.openapi_operations import OPERATIONS, TAGS
from app.api.openapi_parts import AUTH, OPTIONAL_AUTH, errors, json_body, ok, param
from app.api.openapi_schemas import N_, SCHEMAS, STR, list_of, obj, ref

_NSTR = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": ["string", "null"], "format": "date-time"}
_EVENT = {"type": "string", "enum": ["published", "updated", "withdrawn"]}
_SITE = "https://opendata.hochiminhcity.gov.vn"

_ID = param("id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, N_("Its id.")) | {
    "example": "5b0c9a8e-7f6d-4e5c-9b4a-3c2d1e0f9a8b"
}
_NAME = param(
    "name",
    "path",
    {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
    N_("Dataset name or id."),
) | {"example": "tuyen-xe-buyt"}
_LIMIT = param(
    "limit",
    "query",
    {"type": "integer", "minimum": 1, "maximum": 1000},
    N_("Items per page (default 100)."),
)

WEBHOOK_PATHS: dict[str, Any] = {
    "/datasets/{name}/changes": {
        "get": {
            "summary": N_("Change feed of one published dataset, oldest first"),
            "security": OPTIONAL_AUTH,
            "parameters": [
                _NAME,
                param(
                    "since",
                    "query",
                    {"type": "string", "format": "date-time"},
                    N_("RFC 3339 moment."),
                ),
                param("cursor", "query", STR, N_("Continuation taken from `next`.")),
                _LIMIT,
            ],
            "responses": {**ok("ChangeList", N_("Changes.")), **errors(404)},
        }
    },
    "/webhooks": {
        "get": {
            "summary": N_("Your webhooks (any of your tokens)"),
            "security": AUTH,
            "responses": {**ok("WebhookList", N_("Newest first.")), **errors()},
        },
        "post": {
            "summary": N_("Subscribe this token to a dataset's or an organization's changes"),
            "security": AUTH,
            "requestBody": json_body("WebhookInput"),
            "responses": {
                **ok("WebhookCreated", N_("The webhook with its secret (shown this once)."), "201"),
                **errors(404, 422),
            },
        },
    },
    "/webhooks/{id}": {
        "get": {
            "summary": N_("One of your webhooks"),
            "security": AUTH,
            "parameters": [_ID],
            "responses": {**ok("Webhook", N_("The webhook.")), **errors(404)},
        },
        "delete": {
            "summary": N_("Delete one of your webhooks and its delivery log"),
            "security": AUTH,
            "parameters": [_ID],
            "responses": {"204": {"description": N_("Deleted.")}, **errors(404)},
        },
    },
    "/webhooks/{id}/deliveries": {
        "get": {
            "summary": N_("The latest delivery attempts of one of your webhooks, newest first"),
            "security": AUTH,
            "parameters": [
                _ID,
                param(
                    "limit",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 500},
                    N_("Attempts (default 50)."),
                ),
            ],
            "responses": {**ok("WebhookDeliveryList", N_("Attempts.")), **errors(404)},
        }
    },
}

_WEBHOOK = {
    "id": STR,
    "url": STR,
    "dataset": {**_NSTR, "description": "The dataset's name (null: an organization's)."},
    "organization": {**_NSTR, "description": "The organization's name (null: a dataset's)."},
    "events": {"type": "array", "items": _EVENT},
    "active": {"type": "boolean", "description": "False once disabled after failures."},
    "failures": {"type": "integer", "minimum": 0, "description": "Failed attempts in a row."},
    "disabled": _NTIME,
    "created": _TIME,
    "token": {**STR, "description": "The first characters of the token it belongs to."},
    "token_active": {
        "type": "boolean",
        "description": "False once that token is revoked or expired: nothing is sent.",
    },
}
SCHEMAS["Webhook"] = obj(_WEBHOOK)
SCHEMAS["WebhookList"] = list_of(ref("Webhook"))
SCHEMAS["WebhookCreated"] = obj(
    _WEBHOOK | {"secret": {**STR, "description": "Signs every delivery (HMAC-SHA256); shown once."}}
)
SCHEMAS["WebhookInput"] = obj(
    {
        "url": {"type": "string", "maxLength": 2000, "description": "http(s) receiver."},
        "dataset": {**STR, "description": "A dataset's name (or give `organization`)."},
        "organization": {**STR, "description": "An organization's name: all its datasets."},
        "events": {"type": "array", "items": _EVENT, "description": "Default: all three."},
    },
    required=["url"],
)
SCHEMAS["WebhookDelivery"] = obj(
    {
        "delivery_id": {**STR, "description": "The same on every attempt of one delivery."},
        "event": _EVENT,
        "dataset": STR,
        "attempt": {"type": "integer", "minimum": 1},
        "time": _TIME,
        "status": {"type": "string", "enum": ["delivered", "failed", "gave_up"]},
        "response_code": {"type": ["integer", "null"]},
        "error": _NSTR,
        "excerpt": {**STR, "maxLength": 200, "description": "The answer's first characters."},
        "duration_ms": {"type": "integer", "minimum": 0},
        "next_attempt": {**_NTIME, "description": "When a failed delivery is retried."},
    }
)
SCHEMAS["WebhookDeliveryList"] = list_of(ref("WebhookDelivery"))

OPERATIONS.update(
    {
        ("/datasets/{name}/changes", "get"): ("listDatasetChanges", "changes"),
        ("/webhooks", "get"): ("listWebhooks", "webhooks"),
        ("/webhooks", "post"): ("createWebhook", "webhooks"),
        ("/webhooks/{id}", "get"): ("getWebhook", "webhooks"),
        ("/webhooks/{id}", "delete"): ("deleteWebhook", "webhooks"),
        ("/webhooks/{id}/deliveries", "get"): ("listWebhookDeliveries", "webhooks"),
    }
)
TAGS.append(
    {
        "name": "webhooks",
        "description": "Signed POSTs to your URL when datasets are published, updated or "
        "withdrawn.",
    }
)

_EXAMPLE_WEBHOOK = {
    "id": "5b0c9a8e-7f6d-4e5c-9b4a-3c2d1e0f9a8b",
    "url": "https://example.com/hooks/opendata",
    "dataset": "tuyen-xe-buyt",
    "organization": None,
    "events": ["published", "updated", "withdrawn"],
    "active": True,
    "failures": 0,
    "disabled": None,
    "created": "2025-06-16T08:30:00Z",
    "token": "odp_Xk3v9q",
    "token_active": True,
}
EXAMPLES.update(
    {
        "Webhook": _EXAMPLE_WEBHOOK,
        "WebhookList": {"items": [_EXAMPLE_WEBHOOK], "total": 1, "next": None},
        "WebhookCreated": _EXAMPLE_WEBHOOK | {"secret": "whsec_3q2-Zx8vN1dLr0bYh7uK4pWs9eTg6cFa"},
        "WebhookInput": {
            "url": "https://example.com/hooks/opendata",
            "dataset": "tuyen-xe-buyt",
            "events": ["published", "updated"],
        },
        "WebhookDeliveryList": {
            "items": [
                {
                    "delivery_id": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                    "event": "updated",
                    "dataset": "tuyen-xe-buyt",
                    "attempt": 2,
                    "time": "2025-06-16T08:31:00Z",
                    "status": "delivered",
                    "response_code": 200,
                    "error": None,
                    "excerpt": "ok",
                    "duration_ms": 84,
                    "next_attempt": None,
                }
            ],
            "total": 1,
            "next": None,
        },
    }
)
