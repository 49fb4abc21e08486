"""operationId, tags and examples of every operation of the OpenAPI document.

Generated clients name their methods after ``operationId`` and group them by tag; the
examples (``app.api.openapi_examples``) go on each JSON request body and answer.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi_examples import ERROR_EXAMPLES, EXAMPLES

TAGS: list[dict[str, str]] = [
    {"name": "datasets", "description": "Search, read, create, edit and delete datasets."},
    {"name": "resources", "description": "Files and links, their validation and personal data."},
    {"name": "workflow", "description": "Submission, review, publication and activity."},
    {"name": "records", "description": "Rows of published tables, and their exports."},
    {"name": "changes", "description": "The change feed of published datasets."},
    {"name": "organizations", "description": "The publishing organizations."},
    {"name": "sharing", "description": "Access requests, grants and the access log."},
    {"name": "requests", "description": "Requests from anyone for data the portal lacks."},
    {"name": "bulk", "description": "Nightly archives of every public table and the catalog."},
]

# (path, method) -> (operationId, tag)
OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("/datasets", "get"): ("searchDatasets", "datasets"),
    ("/datasets", "post"): ("createDataset", "datasets"),
    ("/datasets/{name}", "get"): ("getDataset", "datasets"),
    ("/datasets/{name}", "patch"): ("updateDataset", "datasets"),
    ("/datasets/{name}", "delete"): ("deleteDataset", "datasets"),
    ("/datasets/{name}/resources", "post"): ("addResource", "resources"),
    ("/datasets/{name}/resources/{id}/validation", "get"): ("getValidationReport", "resources"),
    ("/datasets/{name}/resources/{id}/findings", "get"): ("getFindings", "resources"),
    ("/datasets/{name}/resources/{id}/unit-codes", "post"): ("addUnitCodes", "resources"),
    ("/datasets/{name}/resources/{id}/decisions", "put"): ("setDecisions", "resources"),
    ("/datasets/{name}/submit", "post"): ("submitDataset", "workflow"),
    ("/datasets/{name}/approve", "post"): ("approveDataset", "workflow"),
    ("/datasets/{name}/reject", "post"): ("rejectDataset", "workflow"),
    ("/datasets/{name}/withdraw", "post"): ("withdrawDataset", "workflow"),
    ("/datasets/{name}/activity", "get"): ("listActivity", "workflow"),
    ("/datasets/{name}/resources/{id}/records", "get"): ("getRecords", "records"),
    ("/changes", "get"): ("listChanges", "changes"),
    ("/organizations", "get"): ("listOrganizations", "organizations"),
    ("/organizations/{name}", "get"): ("getOrganization", "organizations"),
    ("/datasets/{name}/access-requests", "post"): ("requestAccess", "sharing"),
    ("/access-requests", "get"): ("listAccessRequests", "sharing"),
    ("/access-requests/{id}", "get"): ("getAccessRequest", "sharing"),
    ("/access-requests/{id}/approve", "post"): ("approveAccessRequest", "sharing"),
    ("/access-requests/{id}/refuse", "post"): ("refuseAccessRequest", "sharing"),
    ("/grants", "get"): ("listGrants", "sharing"),
    ("/grants/{id}", "delete"): ("revokeGrant", "sharing"),
    ("/datasets/{name}/access-log", "get"): ("getAccessLog", "sharing"),
    ("/requests", "get"): ("listDataRequests", "requests"),
    ("/requests", "post"): ("createDataRequest", "requests"),
    ("/requests/{id}", "get"): ("getDataRequest", "requests"),
    ("/bulk", "get"): ("listBulkArchives", "bulk"),
    ("/bulk/{filename}", "get"): ("getBulkArchive", "bulk"),
}


def _schema_name(media: dict[str, Any]) -> str | None:
    reference = media.get("schema", {}).get("$ref", "")
    return reference.rsplit("/", 1)[1] if reference else None


def _with_example(media: dict[str, Any], example: Any) -> dict[str, Any]:
    return {**media, "example": example}


def _annotate_content(content: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``content`` with the example of its JSON schema, where there is one."""
    out = dict(content)
    json_media = out.get("application/json")
    if json_media is not None:
        name = _schema_name(json_media)
        if name == "Error":
            return out  # error answers get the example of their status (below)
        if name in EXAMPLES:
            out["application/json"] = _with_example(json_media, EXAMPLES[name])
    return out


def annotate(paths: dict[str, Any]) -> dict[str, Any]:
    """Return ``paths`` with operationId, tags and examples on every operation.

    Raises KeyError for an operation missing from ``OPERATIONS`` (so a new route cannot
    be documented without them).
    """
    annotated: dict[str, Any] = {}
    for path, operations in paths.items():
        annotated[path] = {}
        for method, operation in operations.items():
            operation_id, tag = OPERATIONS[(path, method)]
            op = {"operationId": operation_id, "tags": [tag], **operation}
            body = op.get("requestBody")
            if body is not None:
                op["requestBody"] = {**body, "content": _annotate_content(body["content"])}
            responses = {}
            for status, response in op["responses"].items():
                if "content" in response:
                    response = {**response, "content": _annotate_content(response["content"])}
                    if status in ERROR_EXAMPLES:
                        media = response["content"]["application/json"]
                        response["content"]["application/json"] = _with_example(
                            media, ERROR_EXAMPLES[status]
                        )
                responses[status] = response
            op["responses"] = responses
            annotated[path][method] = op
    return annotated
