"""Building blocks of the OpenAPI document's paths: error answers, parameters, bodies."""

from __future__ import annotations

from typing import Any

from app.api.openapi_schemas import N_, STR, ref


def error_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }


ERRORS: dict[str, dict[str, Any]] = {
    "400": error_answer(N_("Bad request: a malformed parameter, an unknown column.")),
    "401": error_answer(N_("Missing, invalid, expired or revoked token.")),
    "403": error_answer(N_("The token's user may not do this, or the token is read-only.")),
    "404": error_answer(N_("Not found (drafts do not exist for outsiders).")),
    "409": error_answer(N_("Not possible in the dataset's current state.")),
    "412": error_answer(N_("If-Match does not match the dataset's current ETag.")),
    "413": error_answer(N_("The upload is larger than the limit.")),
    "422": error_answer(
        N_("Invalid input: `fields` names each problem, `reasons` why a submission is blocked.")
    ),
    "428": error_answer(
        N_(
            "Precondition required: the request has no If-Match header. Read the dataset, then "
            "send its ETag in If-Match (edits of a dataset must name the version they change)."
        )
    ),
    "429": {
        **error_answer(N_("Rate limit or daily quota exceeded.")),
        "headers": {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."},
            "X-RateLimit-Day-Limit": {
                "schema": {"type": "integer"},
                "description": "The token's daily quota (calls per UTC day).",
            },
            "X-RateLimit-Day-Remaining": {
                "schema": {"type": "integer"},
                "description": "Calls left today.",
            },
            "X-RateLimit-Day-Reset": {
                "schema": {"type": "integer"},
                "description": "When the quota starts again (next UTC midnight, Unix seconds).",
            },
        },
    },
}


def errors(*codes: int) -> dict[str, Any]:
    return {str(c): ERRORS[str(c)] for c in (400, 401, 429, *codes)}


def ok(schema: str, description: str, status: str = "200", etag: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
    }
    if etag:
        response["headers"] = {"ETag": {"schema": STR, "description": "Send it in If-Match."}}
    return {status: response}


def param(
    name: str, where: str, schema: dict[str, Any], description: str, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def json_body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": ref(schema)}}}
