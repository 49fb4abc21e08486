"""The error answers of the REST API's OpenAPI document, by status code."""

from __future__ import annotations

from typing import Any

from app.api.openapi_schemas import N_, ref


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }


ERRORS: dict[str, dict[str, Any]] = {
    "400": _error(N_("Bad request: a malformed parameter, an unknown column.")),
    "401": _error(N_("Missing, invalid, expired or revoked token.")),
    "403": _error(N_("The token's user may not do this, or the token is read-only.")),
    "404": _error(N_("Not found (drafts do not exist for outsiders).")),
    "409": _error(N_("Not possible in the dataset's current state.")),
    "412": _error(N_("If-Match does not match the dataset's current ETag.")),
    "413": _error(N_("The upload is larger than the limit.")),
    "422": _error(
        N_("Invalid input: `fields` names each problem, `reasons` why a submission is blocked.")
    ),
    "428": _error(
        N_(
            "Precondition required: the request has no If-Match header. Read the dataset, then "
            "send its ETag in If-Match (edits of a dataset must name the version they change)."
        )
    ),
    "429": {
        **_error(N_("Rate limit exceeded.")),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
    },
}
