"""The OpenAPI 3.1 document of the REST API, as Python data (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_NINT = {"type": ["integer", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": ["string", "null"], "format": "date-time"}
_URL_OR_NULL = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    schema["required"] = list(props) if required is None else required
    return schema


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return _obj(
        {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "next": _URL_OR_NULL,
        }
    )


_TRANSLATED = _obj({"vi": _STR, "en": _STR})

SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "code": {
                        "type": "string",
                        "enum": [
                            "bad_request",
                            "unauthorized",
                            "forbidden",
                            "not_found",
                            "method_not_allowed",
                            "conflict",
                            "precondition_failed",
                            "payload_too_large",
                            "validation_failed",
                            "precondition_required",
                            "rate_limited",
                        ],
                    },
                    "message": _STR,
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": _STR},
                    },
                    "reasons": {"type": "array", "items": {"type": "object"}},
                },
                ["code", "message"],
            )
        }
    ),
    "Organization": _obj(
        {
            "id": _STR,
            "name": _STR,
            "title": _STR,
            "title_translated": _TRANSLATED,
            "description": _STR,
            "email": _STR,
            "homepage": _STR,
            "dataset_count": {"type": "integer", "minimum": 0},
        },
        ["id", "name", "title", "title_translated", "description", "email", "homepage"],
    ),
    "Resource": _obj(
        {
            "id": _STR,
            "name": _STR,
            "description": _STR,
            "format": _STR,
            "media_type": _STR,
            "size": _NINT,
            "sha256": _NSTR,
            "download_url": _URL_OR_NULL,
            "is_tabular": {"type": "boolean"},
            "row_count": _NINT,
            "status": {"type": "string", "enum": ["processing", "ready", "failed"]},
            "progress": {
                "type": ["object", "null"],
                "description": "While processing: the step (normalizing, validating, scanning, "
                "stripping) and rows validated out of all; null otherwise.",
                "properties": {
                    "stage": _STR,
                    "stage_number": _INT,
                    "stages": _INT,
                    "rows_done": _NINT,
                    "rows_total": _NINT,
                    "percent": _NINT,
                },
            },
            "error_code": _NSTR,
            "created": _TIME,
            "modified": _TIME,
        },
        ["id", "name", "format", "media_type", "size", "sha256", "download_url", "status"],
    ),
    "Usage": _obj(
        {
            "downloads": _INT,
            "api_calls": _INT,
            "downloads_30d": _INT,
            "api_calls_30d": _INT,
        }
    ),
    "Dataset": _obj(
        {
            "id": _STR,
            "name": _STR,
            "title": _STR,
            "description": _STR,
            "title_translated": _TRANSLATED,
            "description_translated": _TRANSLATED,
            "organization": _ref("Organization"),
            "state": {
                "type": "string",
                "enum": ["draft", "submitted", "rejected", "published", "withdrawn"],
            },
            "has_pending_revision": {"type": "boolean"},
            "revision_status": {
                "type": "string",
                "enum": ["draft", "submitted", "rejected", "approved"],
                "description": "Members only: where the working revision stands in review.",
            },
            "tags": {"type": "array", "items": _STR},
            "themes": {"type": "array", "items": _STR},
            "license_id": _STR,
            "contact_email": _STR,
            "temporal_start": {"type": ["string", "null"], "format": "date"},
            "temporal_end": {"type": ["string", "null"], "format": "date"},
            "spatial": _STR,
            "frequency": _STR,
            "resources": {"type": "array", "items": _ref("Resource")},
            "created": _TIME,
            "modified": _TIME,
            "usage": _ref("Usage"),
        },
        [
            "id",
            "name",
            "title",
            "description",
            "title_translated",
            "description_translated",
            "organization",
            "state",
            "has_pending_revision",
            "tags",
            "themes",
            "license_id",
            "resources",
            "created",
            "modified",
        ],
    ),
    "DatasetInput": _obj(
        {
            "organization": {**_STR, "description": "Organization name or id (create only)."},
            "name": {**_STR, "description": "URL name; default: the folded title."},
            "title": {**_STR, "description": "Vietnamese title."},
            "title_translated": _obj({"vi": _STR, "en": _STR}, []),
            "description": _STR,
            "description_translated": _obj({"vi": _STR, "en": _STR}, []),
            "tags": {"type": "array", "items": _STR},
            "themes": {"type": "array", "items": _STR},
            "license_id": _STR,
            "contact_email": _STR,
            "temporal_start": {"type": ["string", "null"], "format": "date"},
            "temporal_end": {"type": ["string", "null"], "format": "date"},
            "spatial": _STR,
            "frequency": _STR,
        },
        [],
    ),
    "LinkInput": _obj(
        {"url": {**_STR, "format": "uri"}, "name": _STR, "format": _STR, "description": _STR},
        ["url"],
    ),
    "ValidationReport": _obj(
        {
            "valid": {"type": "boolean"},
            "row_count": {"type": "integer", "minimum": 0},
            "errors": {
                "type": "array",
                "items": _obj(
                    {
                        "code": _STR,
                        "row": _NINT,
                        "field_number": _NINT,
                        "field_name": _NSTR,
                        "message": _STR,
                    }
                ),
            },
            "truncated": {"type": "boolean"},
            "status": _STR,
        },
        ["valid", "row_count", "errors"],
    ),
    "Decision": _obj(
        {
            "column": _STR,
            "action": {
                "type": "string",
                "enum": ["drop", "mask", "hash", "generalize", "redact", "keep"],
            },
            "justification": {**_STR, "description": "Required for keep (stewards only)."},
        },
        ["column", "action"],
    ),
    "Findings": _obj(
        {
            "findings": {
                "type": "array",
                "items": _obj(
                    {
                        "column": _STR,
                        "kind": _STR,
                        "share": {"type": "number", "minimum": 0, "maximum": 1},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "proposal": {"type": "string", "enum": ["", "keep"]},
                        "decision": {
                            "oneOf": [
                                {"type": "null"},
                                _obj(
                                    {
                                        "column": _STR,
                                        "action": _STR,
                                        "justification": _STR,
                                        "decided_by": {
                                            "type": "string",
                                            "enum": ["policy", "user"],
                                        },
                                    }
                                ),
                            ]
                        },
                    }
                ),
            },
            "smallest_group": _NINT,
        },
        ["findings"],
    ),
    "Comment": _obj({"comment": _STR}, []),
    "RequiredComment": _obj({"comment": {"type": "string", "minLength": 1}}),
    "Activity": _obj(
        {
            "id": _STR,
            "action": _STR,
            "from_state": _NSTR,
            "to_state": _NSTR,
            "timestamp": _TIME,
            "actor": _NSTR,
            "comment": _STR,
            "details": {"type": "object"},
        },
        ["id", "action", "from_state", "to_state", "timestamp"],
    ),
    "Change": _obj(
        {
            "dataset_id": _STR,
            "dataset_name": _STR,
            "change": {"type": "string", "enum": ["published", "updated", "withdrawn"]},
            "timestamp": _TIME,
            "url": _STR,
        }
    ),
    "Records": _obj(
        {
            "fields": {
                "type": "array",
                "items": _obj(
                    {
                        "name": _STR,
                        "type": {
                            "type": "string",
                            "enum": ["text", "integer", "number", "boolean", "date", "datetime"],
                        },
                    }
                ),
            },
            "items": {"type": "array", "items": {"type": "object"}},
            "total": {"type": ["integer", "null"], "minimum": 0},
            "next": _URL_OR_NULL,
        }
    ),
}
SCHEMAS["DatasetList"] = _list_of(_ref("Dataset"))
SCHEMAS["OrganizationList"] = _list_of(_ref("Organization"))
SCHEMAS["ActivityList"] = _list_of(_ref("Activity"))
SCHEMAS["ChangeList"] = _list_of(_ref("Change"))
_ = _NTIME  # documented for clarity: timestamps may be null where noted


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


_ERRORS = {
    "400": _error("Bad request: a malformed parameter, an unknown column."),
    "401": _error("Missing, invalid, expired or revoked token."),
    "403": _error("The token's user may not do this, or the token is read-only."),
    "404": _error("Not found (drafts do not exist for outsiders)."),
    "409": _error("Not possible in the dataset's current state."),
    "412": _error("If-Match does not match the dataset's current ETag."),
    "413": _error("The upload is larger than the limit."),
    "422": _error(
        "Invalid input: `fields` names each problem, `reasons` why a submission is blocked."
    ),
    "428": _error("If-Match is required."),
    "429": {
        **_error("Rate limit exceeded."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _ERRORS[str(c)] for c in (400, 401, 429, *codes)}


def _ok(schema: str, description: str, status: str = "200", etag: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema)}},
    }
    if etag:
        response["headers"] = {"ETag": {"schema": _STR, "description": "Send it in If-Match."}}
    return {status: response}


def _p(
    name: str, where: str, schema: dict[str, Any], description: str, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


_NAME = _p(
    "name", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, "Dataset name or id."
)
_RID = _p("id", "path", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}, "Resource id.")
_PAGE = _p("page", "query", {"type": "integer", "minimum": 1, "maximum": 1000}, "Page number.")
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def _json_body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(schema)}}}


def _transition(summary: str, body: str | None, codes: tuple[int, ...]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "security": _AUTH,
        "parameters": [_NAME],
        "responses": {**_ok("Dataset", "The dataset after the transition."), **_errors(*codes)},
    }
    if body:
        op["requestBody"] = _json_body(body, required=body == "RequiredComment")
    return op


_RECORD_PARAMS = [
    _NAME,
    _RID,
    _p("_q", "query", _STR, "Full text: rows holding every word (accents ignored)."),
    _p("_sort", "query", _STR, "Comma-separated columns; `-col` sorts descending."),
    _p("_fields", "query", _STR, "Comma-separated columns to return."),
    _p(
        "_limit",
        "query",
        {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
        "Rows per page.",
    ),
    _p("_cursor", "query", _STR, "Keyset cursor taken from `next`."),
    _p(
        "_format",
        "query",
        {"type": "string", "enum": ["json", "csv", "xlsx", "parquet"], "default": "json"},
        "json pages; csv, xlsx and parquet stream every matching row.",
    ),
]

PATHS: dict[str, Any] = {
    "/datasets": {
        "get": {
            "summary": "Search published datasets",
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _p("q", "query", {"type": "string", "maxLength": 200}, "Words to search for."),
                _p("organization", "query", _STR, "Organization name."),
                _PAGE,
                _p(
                    "page_size",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                    "Items per page (default 20).",
                ),
            ],
            "responses": {**_ok("DatasetList", "Matching datasets."), **_errors()},
        },
        "post": {
            "summary": "Create a draft dataset",
            "security": _AUTH,
            "requestBody": _json_body("DatasetInput"),
            "responses": {
                **_ok("Dataset", "The new draft.", "201", etag=True),
                **_errors(403, 409, 422),
            },
        },
    },
    "/datasets/{name}": {
        "get": {
            "summary": "Read a dataset (members see drafts and the working revision)",
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {
                **_ok("Dataset", "The dataset.", etag=True),
                "304": {"description": "Not modified."},
                **_errors(404),
            },
        },
        "patch": {
            "summary": "Edit a dataset's metadata (a published one gets a pending revision)",
            "security": _AUTH,
            "parameters": [
                _NAME,
                _p("If-Match", "header", _STR, "The ETag of the version edited.", required=True),
            ],
            "requestBody": _json_body("DatasetInput"),
            "responses": {
                **_ok("Dataset", "The edited dataset.", etag=True),
                **_errors(403, 404, 409, 412, 422, 428),
            },
        },
        "delete": {
            "summary": "Delete a draft (other states are withdrawn instead)",
            "security": _AUTH,
            "parameters": [_NAME],
            "responses": {"204": {"description": "Deleted."}, **_errors(403, 404, 409)},
        },
    },
    "/datasets/{name}/resources": {
        "post": {
            "summary": "Upload a file (multipart) or link one (JSON)",
            "security": _AUTH,
            "parameters": [_NAME],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": _obj(
                            {
                                "file": {"type": "string", "format": "binary"},
                                "name": _STR,
                                "format": _STR,
                                "description": _STR,
                            },
                            ["file"],
                        )
                    },
                    "application/json": {"schema": _ref("LinkInput")},
                },
            },
            "responses": {
                "201": {
                    "description": "The new resource (processing may still run).",
                    "content": {"application/json": {"schema": _ref("Resource")}},
                },
                **_errors(403, 404, 409, 413, 422),
            },
        }
    },
    "/datasets/{name}/resources/{id}/validation": {
        "get": {
            "summary": "The validation report (members)",
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "responses": {
                **_ok("ValidationReport", "Frictionless error codes; the header is row 1."),
                **_errors(404, 409),
            },
        }
    },
    "/datasets/{name}/resources/{id}/findings": {
        "get": {
            "summary": "Personal-data findings (members; never the values)",
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "responses": {
                **_ok("Findings", "One finding per column."),
                **_errors(404, 409),
            },
        }
    },
    "/datasets/{name}/resources/{id}/decisions": {
        "put": {
            "summary": "Decide what to do with each finding",
            "security": _AUTH,
            "parameters": [_NAME, _RID],
            "requestBody": _json_body("DecisionsInput"),
            "responses": {
                **_ok("Findings", "The findings with their decisions."),
                **_errors(403, 404, 409, 422),
            },
        }
    },
    "/datasets/{name}/submit": {
        "post": _transition("Submit for review", None, (403, 404, 409, 422))
    },
    "/datasets/{name}/approve": {
        "post": _transition("Approve and publish", "Comment", (403, 404, 409, 422))
    },
    "/datasets/{name}/reject": {
        "post": _transition("Reject with a comment", "RequiredComment", (403, 404, 409, 422))
    },
    "/datasets/{name}/withdraw": {
        "post": _transition("Withdraw with a reason", "RequiredComment", (403, 404, 409, 422))
    },
    "/datasets/{name}/activity": {
        "get": {
            "summary": "A dataset's activity (the public sees publications and withdrawals)",
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {**_ok("ActivityList", "Newest first."), **_errors(404)},
        }
    },
    "/datasets/{name}/resources/{id}/records": {
        "get": {
            "summary": "Rows of a published table: `<column>=<value>` filters (AND across columns)",
            "security": _OPTIONAL_AUTH,
            "parameters": _RECORD_PARAMS,
            "responses": {
                "200": {
                    "description": "A page of rows, or the whole result as a file.",
                    "content": {
                        "application/json": {"schema": _ref("Records")},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                        "application/vnd.apache.parquet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                **_errors(404),
            },
        }
    },
    "/changes": {
        "get": {
            "summary": "Change feed: publications, updates and withdrawals, oldest first",
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _p("since", "query", {"type": "string", "format": "date-time"}, "RFC 3339 moment."),
                _p("cursor", "query", _STR, "Continuation taken from `next`."),
                _p(
                    "limit",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                    "Items per page (default 100).",
                ),
            ],
            "responses": {**_ok("ChangeList", "Changes."), **_errors()},
        }
    },
    "/organizations": {
        "get": {
            "summary": "Organizations with their number of published datasets",
            "security": _OPTIONAL_AUTH,
            "parameters": [
                _PAGE,
                _p(
                    "page_size",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                    "Items per page (default 100).",
                ),
            ],
            "responses": {**_ok("OrganizationList", "Organizations."), **_errors()},
        }
    },
    "/organizations/{name}": {
        "get": {
            "summary": "One organization",
            "security": _OPTIONAL_AUTH,
            "parameters": [_NAME],
            "responses": {**_ok("Organization", "The organization."), **_errors(404)},
        }
    },
}
SCHEMAS["DecisionsInput"] = _obj({"decisions": {"type": "array", "items": _ref("Decision")}})


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
        "paths": PATHS,
    }
