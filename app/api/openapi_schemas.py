"""The JSON Schemas of the REST API's bodies (``components.schemas`` of the OpenAPI document).

``STR``, ``ref`` and ``obj`` are the building blocks the paths in ``app.api.openapi`` reuse.
"""

from __future__ import annotations

from typing import Any

from datasets.access import ACCESS_LEVELS

STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_NINT = {"type": ["integer", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": ["string", "null"], "format": "date-time"}
_URL_OR_NULL = {"type": ["string", "null"]}
_BILINGUAL = {"type": "object", "properties": {"vi": STR, "en": STR}, "required": ["vi", "en"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def N_(text: str) -> str:
    """Mark an English text of the OpenAPI document for translation (``app.api.docs``
    translates it on the reference page; the document itself stays in English)."""
    return text


def obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    schema["required"] = list(props) if required is None else required
    return schema


def list_of(item: dict[str, Any]) -> dict[str, Any]:
    return obj(
        {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "next": _URL_OR_NULL,
        }
    )


_TRANSLATED = obj({"vi": STR, "en": STR})
_LEVEL = {
    "type": "string",
    "enum": list(ACCESS_LEVELS),
    "description": "Who may read the data; the metadata is public at every level.",
}

_PLACE_KEYS = {
    "type": "array",
    "items": {**STR, "maxLength": 300},
    "description": "Unit keys of /places/{key}.json ('79', '26743', 'old-760'); names too.",
}

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": obj(
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
                    "message": STR,
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": STR},
                    },
                    "reasons": {"type": "array", "items": {"type": "object"}},
                },
                ["code", "message"],
            )
        }
    ),
    "Organization": obj(
        {
            "id": STR,
            "name": STR,
            "title": STR,
            "title_translated": _TRANSLATED,
            "description": STR,
            "email": STR,
            "homepage": STR,
            "dataset_count": {"type": "integer", "minimum": 0},
        },
        ["id", "name", "title", "title_translated", "description", "email", "homepage"],
    ),
    "Resource": obj(
        {
            "id": STR,
            "name": STR,
            "description": STR,
            "format": STR,
            "media_type": STR,
            "size": _NINT,
            "sha256": _NSTR,
            "download_url": _URL_OR_NULL,
            "is_tabular": {"type": "boolean"},
            "row_count": _NINT,
            "encoding": {
                "type": ["string", "null"],
                "description": "The text encoding the original table was read as (detected, "
                "or chosen by the publisher), e.g. `utf-8`, `cp1258`; null when the "
                "resource is not a table (or not read yet).",
            },
            "sheet": {
                "type": ["string", "null"],
                "description": "The sheet read from a spreadsheet upload; null otherwise.",
            },
            "status": {"type": "string", "enum": ["processing", "ready", "failed"]},
            "progress": {
                "type": ["object", "null"],
                "description": "While processing: the step (normalizing, validating, scanning, "
                "stripping) and rows validated out of all; null otherwise.",
                "properties": {
                    "stage": STR,
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
            "projection": {
                "type": "string",
                "enum": ["public", "agency"],
                "description": "The file the caller reads: the public one, or the agency "
                "projection of an agencies or restricted dataset.",
            },
            "columns": {
                "type": ["array", "null"],
                "items": STR,
                "description": "The columns a grant allows (null: all).",
            },
            "fields": {
                "type": ["array", "null"],
                "items": ref("Field"),
                "description": "The data dictionary of a table (null: not a table).",
            },
        },
        ["id", "name", "format", "media_type", "size", "sha256", "download_url", "status"],
    ),
    "Usage": obj(
        {
            "downloads": _INT,
            "api_calls": _INT,
            "downloads_30d": _INT,
            "api_calls_30d": _INT,
        }
    ),
    "Dataset": obj(
        {
            "id": STR,
            "name": STR,
            "title": STR,
            "description": STR,
            "title_translated": _TRANSLATED,
            "description_translated": _TRANSLATED,
            "organization": ref("Organization"),
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
            "tags": {"type": "array", "items": STR},
            "themes": {"type": "array", "items": STR},
            "license_id": STR,
            "contact_email": STR,
            "temporal_start": {"type": ["string", "null"], "format": "date"},
            "temporal_end": {"type": ["string", "null"], "format": "date"},
            "spatial": {**STR, "description": "Coverage text that names no unit."},
            "spatial_units": _PLACE_KEYS,
            "spatial_places": {"type": "array", "items": ref("PlaceRef")},
            "frequency": STR,
            "access_level": _LEVEL,
            "access_instructions": {**STR, "description": "How to get access."},
            "resources": {"type": "array", "items": ref("Resource")},
            "created": _TIME,
            "modified": _TIME,
            "usage": ref("Usage"),
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
            "access_level",
            "access_instructions",
            "resources",
            "created",
            "modified",
        ],
    ),
    "DatasetInput": obj(
        {
            "organization": {**STR, "description": "Organization name or id (create only)."},
            "name": {**STR, "description": "URL name; default: the folded title."},
            "title": {**STR, "description": "Vietnamese title."},
            "title_translated": obj({"vi": STR, "en": STR}, []),
            "description": STR,
            "description_translated": obj({"vi": STR, "en": STR}, []),
            "tags": {"type": "array", "items": STR},
            "themes": {"type": "array", "items": STR},
            "license_id": STR,
            "contact_email": STR,
            "temporal_start": {"type": ["string", "null"], "format": "date"},
            "temporal_end": {"type": ["string", "null"], "format": "date"},
            "spatial": {**STR, "maxLength": 2000, "description": "Places as text, ';' between"},
            "spatial_units": {**_PLACE_KEYS, "maxItems": 200},
            "frequency": STR,
            "access_level": _LEVEL,
            "access_instructions": {**STR, "description": "How to get access."},
        },
        [],
    ),
    "LinkInput": obj(
        {"url": {**STR, "format": "uri"}, "name": STR, "format": STR, "description": STR},
        ["url"],
    ),
    "ValidationReport": obj(
        {
            "valid": {"type": "boolean"},
            "row_count": {"type": "integer", "minimum": 0},
            "errors": {
                "type": "array",
                "items": obj(
                    {
                        "code": STR,
                        "row": _NINT,
                        "field_number": _NINT,
                        "field_name": _NSTR,
                        "message": STR,
                    }
                ),
            },
            "truncated": {"type": "boolean"},
            "status": STR,
        },
        ["valid", "row_count", "errors"],
    ),
    "Decision": obj(
        {
            "column": STR,
            "action": {
                "type": "string",
                "enum": ["drop", "mask", "hash", "generalize", "redact", "keep"],
            },
            "justification": {**STR, "description": "Required for keep (stewards only)."},
        },
        ["column", "action"],
    ),
    "Findings": obj(
        {
            "findings": {
                "type": "array",
                "items": obj(
                    {
                        "column": STR,
                        "kind": STR,
                        "share": {"type": "number", "minimum": 0, "maximum": 1},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "proposal": {"type": "string", "enum": ["", "keep"]},
                        "decision": {
                            "oneOf": [
                                {"type": "null"},
                                obj(
                                    {
                                        "column": STR,
                                        "action": STR,
                                        "justification": STR,
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
    "Comment": obj({"comment": STR}, []),
    # An approval may choose the licence (required when the revision's is "notspecified").
    "DatasetApproval": obj({"comment": STR, "license_id": STR}, []),
    "RequiredComment": obj({"comment": {"type": "string", "minLength": 1}}),
    "Activity": obj(
        {
            "id": STR,
            "action": STR,
            "from_state": _NSTR,
            "to_state": _NSTR,
            "timestamp": _TIME,
            "actor": _NSTR,
            "comment": STR,
            "details": {"type": "object"},
        },
        ["id", "action", "from_state", "to_state", "timestamp"],
    ),
    "Change": obj(
        {
            "dataset_id": STR,
            "dataset_name": STR,
            "change": {"type": "string", "enum": ["published", "updated", "withdrawn"]},
            "timestamp": _TIME,
            "url": STR,
        }
    ),
    "Field": obj(
        {
            "name": {**STR, "description": "The raw column name (the key in files and rows)."},
            "type": {**STR, "description": "The Table Schema type."},
            "title": {
                **_BILINGUAL,
                "description": "The column's title; the raw name when none was given.",
            },
            "description": _BILINGUAL,
        },
        description="A column: its raw name, and its title and description in Vietnamese "
        "and English (Table Schema `title`/`description` and `title_en`/`description_en`).",
    ),
    "Records": obj(
        {
            "fields": {
                "type": "array",
                "items": obj(
                    {
                        "name": STR,
                        "type": {
                            "type": "string",
                            "enum": ["text", "integer", "number", "boolean", "date", "datetime"],
                        },
                        "title": _BILINGUAL,
                        "description": _BILINGUAL,
                    },
                    ["name", "type"],
                ),
            },
            "items": {"type": "array", "items": {"type": "object"}},
            "total": {"type": ["integer", "null"], "minimum": 0},
            "next": _URL_OR_NULL,
        },
    ),
}
# A search answer: the list, and how many hits each access level has (every level named).
SCHEMAS["DatasetList"] = obj(
    {
        **list_of(ref("Dataset"))["properties"],
        "facets": obj(
            {
                "access_level": obj(
                    {level: {"type": "integer", "minimum": 0} for level in ACCESS_LEVELS}
                ),
                "place": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                    "description": "Datasets per current unit key (see /places/{key}.json).",
                },
            }
        ),
    }
)
_NDATE = {"type": ["string", "null"], "format": "date"}
_NAMES = {"type": ["array", "null"], "items": STR}
SCHEMAS["AccessRequest"] = obj(
    {
        "id": STR,
        "dataset": STR,
        "dataset_id": STR,
        "requester": {**STR, "description": "User name."},
        "organization": {**_NSTR, "description": "Set when asked for an organization."},
        "purpose": STR,
        "legal_basis": STR,
        "columns": {**_NAMES, "description": "The columns asked for (null: all)."},
        "until": _NDATE,
        "status": {"type": "string", "enum": ["pending", "approved", "refused"]},
        "reason": {**STR, "description": "Why it was refused."},
        "decided_by": _NSTR,
        "decided_at": _NTIME,
        "grant_id": _NSTR,
        "created": _TIME,
    }
)
SCHEMAS["AccessRequestInput"] = obj(
    {
        "purpose": {"type": "string", "minLength": 1, "maxLength": 5000},
        "legal_basis": {"type": "string", "maxLength": 5000},
        "columns": {**_NAMES, "description": "Columns of the agency projection (null: all)."},
        "until": {**_NDATE, "description": "Until when access is needed."},
        "organization": {**STR, "description": "Ask for this organization (you are a member)."},
    },
    ["purpose"],
)
SCHEMAS["Approval"] = obj(
    {
        "expires": {
            "type": "string",
            "description": "ISO date-time (UTC when naive), or a date: the grant lasts "
            "through that day (UTC).",
        },
        "columns": {**_NAMES, "description": "Fewer columns than asked for (null: as asked)."},
    },
    ["expires"],
)
SCHEMAS["Refusal"] = obj({"reason": {"type": "string", "minLength": 1}})
SCHEMAS["Grant"] = obj(
    {
        "id": STR,
        "dataset": STR,
        "dataset_id": STR,
        "user": {**_NSTR, "description": "User name of a personal grant."},
        "organization": {**_NSTR, "description": "Organization name of an organization's grant."},
        "projection": {"type": "string", "enum": ["agency"]},
        "columns": {**_NAMES, "description": "The columns allowed (null: all)."},
        "purpose": STR,
        "legal_basis": STR,
        "approved_by": STR,
        "created": _TIME,
        "expires": _TIME,
        "revoked_at": _NTIME,
        "request_id": _NSTR,
        "active": {"type": "boolean", "description": "Neither revoked nor expired."},
    }
)
SCHEMAS["AccessLogEntry"] = obj(
    {
        "created": _TIME,
        "dataset": STR,
        "resource_id": {**STR, "description": "Empty for a read of the whole dataset."},
        "user": _NSTR,
        "organizations": {"type": "array", "items": STR},
        "surface": {**STR, "description": "api, ckan, download, page, ..."},
        "projection": {"type": "string", "enum": ["public", "agency"]},
        "rows": _NINT,
        "grant_id": _NSTR,
    }
)
SCHEMAS["AccessLog"] = obj(
    {
        "items": {"type": "array", "items": ref("AccessLogEntry")},
        "total": {"type": "null", "description": "Not counted; follow `next`."},
        "next": _URL_OR_NULL,
    }
)
SCHEMAS["AccessRequestList"] = list_of(ref("AccessRequest"))
SCHEMAS["GrantList"] = list_of(ref("Grant"))
SCHEMAS["OrganizationList"] = list_of(ref("Organization"))
SCHEMAS["ActivityList"] = list_of(ref("Activity"))
SCHEMAS["ChangeList"] = list_of(ref("Change"))
_ = _NTIME  # documented for clarity: timestamps may be null where noted
SCHEMAS["DecisionsInput"] = obj({"decisions": {"type": "array", "items": ref("Decision")}})
