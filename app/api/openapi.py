"""The OpenAPI 3.1 document of the REST API, as Python data (served at /api/v1/openapi.json).

The paths and their parameters live here; the body schemas in ``app.api.openapi_schemas``.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi_bulk import BULK_PATHS, GEOJSON_CONTENT
from app.api.openapi_operations import TAGS, annotate
from app.api.openapi_parts import AUTH as _AUTH
from app.api.openapi_parts import OPTIONAL_AUTH as _OPTIONAL_AUTH
from app.api.openapi_parts import errors as _errors
from app.api.openapi_parts import json_body as _json_body
from app.api.openapi_parts import ok as _ok
from app.api.openapi_parts import param as _p
from app.api.openapi_places import place_paths
from app.api.openapi_records import record_params
from app.api.openapi_requests import REQUEST_PATHS
from app.api.openapi_schemas import N_, SCHEMAS, STR, obj, ref
from app.api.openapi_webhooks import WEBHOOK_PATHS
from datasets.access import ACCESS_LEVELS
from search_index import MAX_QUERY_CHARS, MAX_QUERY_WORDS

_NAME = _p(
    "name",
    "path",
    {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
    N_("Dataset name or id."),
) | {"example": "tuyen-xe-buyt"}
_RID = _p(
    "id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, N_("Resource id.")
) | {"example": "3f9e8d7c-6b5a-4e3d-8c2b-1a0f9e8d7c6b"}
_PAGE = _p("page", "query", {"type": "integer", "minimum": 1, "maximum": 1000}, N_("Page number."))


def _transition(summary: str, body: str | None, codes: tuple[int, ...]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "security": _AUTH,
        "parameters": [_NAME],
        "responses": {**_ok("Dataset", N_("The dataset after the transition.")), **_errors(*codes)},
    }
    if body:
        op["requestBody"] = _json_body(body, required=body == "RequiredComment")
    return op


PATHS: dict[str, Any] = {
    "/datasets": {
        "get": {
            "summary": N_("Search published datasets"),
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _p(
                    "q",
                    "query",
                    {"type": "string", "maxLength": MAX_QUERY_CHARS},
                    f"Words to search for: at most {MAX_QUERY_CHARS} characters and "
                    f"{MAX_QUERY_WORDS} words (a longer text is a 400 `bad_request` saying so).",
                ),
                _p("organization", "query", STR, N_("Organization name.")),
                _p(
                    "access_level",
                    "query",
                    {"type": "string", "enum": list(ACCESS_LEVELS)},
                    N_(
                        "Only datasets at this access level (their metadata is public at "
                        "every level)."
                    ),
                ),
                _p(
                    "place",
                    "query",
                    {"type": "string", "maxLength": 100},
                    N_(
                        "Only datasets covering this place: a unit key of /places (26743, "
                        "old-760) or a name, old or new, with or without accents (Phường Bến "
                        "Thành). Datasets covering an old unit are found by the units it "
                        "became, and the other way round."
                    ),
                ),
                _p(
                    "overdue",
                    "query",
                    {"type": "string", "enum": ["0", "1"]},
                    N_(
                        "1: only datasets overdue for an update (last publication + declared "
                        "period + a tenth of it, at least a day, is past)."
                    ),
                ),
                _PAGE,
                _p(
                    "page_size",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                    N_("Items per page (default 20)."),
                ),
            ],
            "responses": {
                **_ok("DatasetList", N_("Matching datasets, with access-level counts.")),
                **_errors(),
            },
        },
        "post": {
            "summary": N_("Create a draft dataset"),
            "security": _AUTH,
            "requestBody": _json_body("DatasetInput"),
            "responses": {
                **_ok("Dataset", N_("The new draft."), "201", etag=True),
                **_errors(403, 409, 422),
            },
        },
    },
    "/datasets/{name}": {
        "get": {
            "summary": N_("Read a dataset (members see drafts and the working revision)"),
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {
                **_ok("Dataset", N_("The dataset."), etag=True),
                "304": {"description": N_("Not modified.")},
                **_errors(404),
            },
        },
        "patch": {
            "summary": N_("Edit a dataset's metadata (a published one gets a pending revision)"),
            "security": _AUTH,
            "parameters": [
                _NAME,
                _p("If-Match", "header", STR, N_("The ETag of the version edited."), required=True),
            ],
            "requestBody": _json_body("DatasetInput"),
            "responses": {
                **_ok("Dataset", N_("The edited dataset."), etag=True),
                **_errors(403, 404, 409, 412, 422, 428),
            },
        },
        "delete": {
            "summary": N_("Delete a draft (other states are withdrawn instead)"),
            "security": _AUTH,
            "parameters": [_NAME],
            "responses": {"204": {"description": N_("Deleted.")}, **_errors(403, 404, 409)},
        },
    },
    "/datasets/{name}/resources": {
        "post": {
            "summary": N_("Upload a file (multipart) or link one (JSON)"),
            "security": _AUTH,
            "parameters": [_NAME],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": obj(
                            {
                                "file": {"type": "string", "format": "binary"},
                                "name": STR,
                                "format": STR,
                                "description": STR,
                            },
                            ["file"],
                        )
                    },
                    "application/json": {"schema": ref("LinkInput")},
                },
            },
            "responses": {
                "201": {
                    "description": N_("The new resource (processing may still run)."),
                    "content": {"application/json": {"schema": ref("Resource")}},
                },
                **_errors(403, 404, 409, 413, 422),
            },
        }
    },
    "/datasets/{name}/resources/{id}/validation": {
        "get": {
            "summary": N_("The validation report (members)"),
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "responses": {
                **_ok("ValidationReport", N_("Frictionless error codes; the header is row 1.")),
                **_errors(404, 409),
            },
        }
    },
    "/datasets/{name}/resources/{id}/findings": {
        "get": {
            "summary": N_("Personal-data findings (members; never the values)"),
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "responses": {
                **_ok("Findings", N_("One finding per column.")),
                **_errors(404, 409),
            },
        }
    },
    "/datasets/{name}/resources/{id}/decisions": {
        "put": {
            "summary": N_("Decide what to do with each finding"),
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "requestBody": _json_body("DecisionsInput"),
            "responses": {
                **_ok("Findings", N_("The findings with their decisions.")),
                **_errors(403, 404, 409, 422),
            },
        }
    },
    "/datasets/{name}/submit": {
        "post": _transition(N_("Submit for review"), None, (403, 404, 409, 422))
    },
    "/datasets/{name}/approve": {
        "post": _transition(N_("Approve and publish"), "DatasetApproval", (403, 404, 409, 422))
    },
    "/datasets/{name}/reject": {
        "post": _transition(N_("Reject with a comment"), "RequiredComment", (403, 404, 409, 422))
    },
    "/datasets/{name}/withdraw": {
        "post": _transition(N_("Withdraw with a reason"), "RequiredComment", (403, 404, 409, 422))
    },
    "/datasets/{name}/activity": {
        "get": {
            "summary": N_("A dataset's activity (the public sees publications and withdrawals)"),
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {**_ok("ActivityList", N_("Newest first.")), **_errors(404)},
        }
    },
    "/datasets/{name}/resources/{id}/records": {
        "get": {
            "summary": N_(
                "Rows of a published table: `<column>=<value>` filters (AND across columns)"
            ),
            "description": (
                "For a dataset at a non-public access level, the rows of the caller's "
                "projection, limited to the columns of their grant and logged; 404 to an "
                "anonymous caller and 403 to a signed-in one without access. With `_group` "
                "or an aggregate (`_count`, `_sum`, `_avg`, `_min`, `_max`, `_distinct`) "
                "the items are groups (`total` is null; pages by `next` up to 50,000 "
                "groups; exports hold every group, at most 50,000); `_sort` then names a "
                "group column or an aggregate (`-count`). Aggregates and facets stop at "
                "the SQL endpoint's time limit (OPENDATA_SQL_TIMEOUT_MS, a 400 past it)."
            ),
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME, _RID, *record_params()],
            "responses": {
                "200": {
                    "description": N_("A page of rows, or the whole result as a file."),
                    "content": {
                        "application/json": {"schema": ref("Records")},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                        "application/vnd.apache.parquet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                        **GEOJSON_CONTENT,
                    },
                },
                **_errors(403, 404),
            },
        }
    },
    "/changes": {
        "get": {
            "summary": N_("Change feed: publications, updates and withdrawals, oldest first"),
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _p(
                    "since",
                    "query",
                    {"type": "string", "format": "date-time"},
                    N_("RFC 3339 moment."),
                ),
                _p("cursor", "query", STR, N_("Continuation taken from `next`.")),
                _p(
                    "limit",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                    N_("Items per page (default 100)."),
                ),
            ],
            "responses": {**_ok("ChangeList", N_("Changes.")), **_errors()},
        }
    },
    "/organizations": {
        "get": {
            "summary": N_("Organizations with their number of published datasets"),
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _PAGE,
                _p(
                    "page_size",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                    N_("Items per page (default 100)."),
                ),
            ],
            "responses": {**_ok("OrganizationList", N_("Organizations.")), **_errors()},
        }
    },
    "/organizations/{name}": {
        "get": {
            "summary": N_("One organization"),
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {**_ok("Organization", N_("The organization.")), **_errors(404)},
        }
    },
}


_ID = _p("id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, N_("Its id.")) | {
    "example": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
}
_ORG = _p("organization", "query", STR, N_("As a steward: the organization's (name)."))


def _op(
    summary: str, ok: tuple[str, str, str], codes: tuple[int, ...], **more: Any
) -> dict[str, Any]:
    """One signed-in operation answering ``ok`` = (schema, description, status)."""
    responses = {**_ok(*ok), **_errors(*codes)}
    return {"summary": summary, "security": _AUTH, "responses": responses, **more}


PATHS |= {
    "/datasets/{name}/access-requests": {
        "post": _op(
            N_("Ask for access to an agencies or restricted dataset"),
            ("AccessRequest", N_("The pending request."), "201"),
            (403, 404, 409, 422),
            parameters=[_NAME],
            requestBody=_json_body("AccessRequestInput"),
        )
    },
    "/access-requests": {
        "get": _op(
            N_("Your access requests, or (as its steward) those for an organization's datasets"),
            ("AccessRequestList", N_("Newest first (at most 1000)."), "200"),
            (403, 404),
            parameters=[_ORG],
        )
    },
    "/access-requests/{id}": {
        "get": _op(
            N_("One access request (its requester and the owning stewards)"),
            ("AccessRequest", N_("The request."), "200"),
            (404,),
            parameters=[_ID],
        )
    },
    "/access-requests/{id}/approve": {
        "post": _op(
            N_("Approve a pending request (owning stewards): the grant"),
            ("Grant", N_("The grant."), "200"),
            (403, 404, 409, 422),
            parameters=[_ID],
            requestBody=_json_body("Approval"),
        )
    },
    "/access-requests/{id}/refuse": {
        "post": _op(
            N_("Refuse a pending request with a reason (owning stewards)"),
            ("AccessRequest", N_("The refused request."), "200"),
            (403, 404, 409, 422),
            parameters=[_ID],
            requestBody=_json_body("Refusal"),
        )
    },
    "/grants": {
        "get": _op(
            N_("Grants you hold, an organization's (its stewards) or all (sysadmins)"),
            ("GrantList", N_("Newest first (at most 1000)."), "200"),
            (403, 404),
            parameters=[
                _ORG,
                _p("all", "query", {"type": "boolean"}, N_("Every grant (sysadmins).")),
            ],
        )
    },
    "/grants/{id}": {
        "delete": _op(
            N_("Revoke a grant at once (owning stewards, sysadmins)"),
            ("Grant", N_("The revoked grant."), "200"),
            (403, 404),
            parameters=[_ID],
        )
    },
    "/datasets/{name}/access-log": {
        "get": {
            **_op(
                N_("Who read the dataset's non-public data (owning stewards; never the data)"),
                (
                    "AccessLog",
                    N_("Newest first; `format=csv` streams the whole log, oldest first."),
                    "200",
                ),
                (403, 404),
                parameters=[
                    _NAME,
                    _p(
                        "limit",
                        "query",
                        {"type": "integer", "minimum": 1, "maximum": 1000},
                        N_("Entries (default 100)."),
                    ),
                    _p(
                        "offset",
                        "query",
                        {"type": "integer", "minimum": 0, "maximum": 10000000},
                        N_("Entries skipped."),
                    ),
                    _p(
                        "format",
                        "query",
                        {"type": "string", "enum": ["json", "csv"]},
                        N_("csv: the whole log as a file."),
                    ),
                ],
            ),
        }
    },
}
PATHS |= REQUEST_PATHS
PATHS |= WEBHOOK_PATHS
PATHS |= place_paths(_NAME, _RID)
PATHS |= BULK_PATHS
PATHS["/datasets/{name}/access-log"]["get"]["responses"]["200"]["content"]["text/csv"] = {
    "schema": {"type": "string"}
}


def openapi_document(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document with ``server_url`` (…/api/v1) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Open Data Portal REST API",
            "version": "1.0.0",
            "description": (
                "Read the public catalog and script the publishing workflow. Authenticate "
                "with `Authorization: Bearer <token>`. Timestamps are RFC 3339 in UTC; lists "
                "are `{items, total, next}`; errors are `{error: {code, message}}`."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server_url}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "tags": TAGS,
        "paths": annotate(PATHS),
    }
