"""The JSON shapes of the REST API (SPEC §4): datasets, resources, organizations, activity.

Public callers get shapes built from ``datasets.public`` projections only; members of the
dataset's organization get the same shape built from ``datasets.members`` (drafts).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import url_for

from app.context import services
from app.fast_json import Encoded
from datasets.column_labels import field_texts
from datasets.members import MemberDataset, MemberResource
from datasets.metadata_input import METADATA_FIELDS
from datasets.model import Activity
from datasets.personal import ColumnDecision
from datasets.places import coverage_units, place_catalogue
from datasets.public import PublicDataset, PublicOrganization, PublicResource
from datasets.usage import UsageTotals
from datasets.validation_report import ValidationReport

PUBLIC_ACTIONS = frozenset({"approve", "withdraw"})
_NOT_VALIDATED = ValidationReport(valid=False, row_count=0, errors=())


def rfc3339(moment: datetime | None) -> str | None:
    """Return ``moment`` as an RFC 3339 UTC timestamp (``2026-01-02T03:04:05Z``)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def organization_json(org: PublicOrganization, dataset_count: int | None = None) -> dict[str, Any]:
    """Return an organization's JSON shape."""
    data: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "title": org.title,
        "title_translated": {"vi": org.title, "en": org.title_en},
        "description": org.description,
        "email": org.email,
        "homepage": org.homepage,
    }
    if dataset_count is not None:
        data["dataset_count"] = dataset_count
    return data


def _download_url(dataset_name: str, resource_id: str, filename: str) -> str:
    return url_for(
        "downloads.download",
        name=dataset_name,
        resource_id=resource_id,
        filename=filename,
        _external=True,
    )


def public_resource_json(dataset_name: str, resource: PublicResource) -> dict[str, Any]:
    """Return a published resource's JSON shape."""
    return {
        "id": resource.id,
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "media_type": resource.media_type,
        "size": resource.size,
        "sha256": resource.sha256,
        "download_url": resource.url or _download_url(dataset_name, resource.id, resource.filename),
        "is_tabular": resource.is_tabular,
        "row_count": resource.row_count,
        "encoding": resource.encoding,
        "sheet": resource.sheet,
        "status": "ready",
        "created": rfc3339(resource.created),
        "modified": rfc3339(resource.modified),
        # Which file the caller reads (issue 18): "public", or "agency" under an agency
        # level, where a grant may allow only some ``columns`` (null: all).
        "projection": resource.projection,
        "columns": list(resource.columns) if resource.columns is not None else None,
        # The data dictionary (issue 21): raw names, titles and descriptions in vi and en.
        "fields": field_texts(resource.table_schema) if resource.is_tabular else None,
    }


def spatial_places(keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The covered units by name, with their URIs (``/places/<key>``)."""
    catalogue = place_catalogue()
    site = services().settings.site_url
    return [
        {
            "key": u.key,
            "code": u.code,
            "name": catalogue.label(u),
            "obsolete": u.obsolete,
            "uri": u.uri(site),
        }
        for u in coverage_units(catalogue, keys)
    ]


def _plain_fields(values: object) -> dict[str, Any]:
    """Return the metadata fields shown under their own names (all but the translated
    pairs and extras), read from a public view or a revision."""
    out: dict[str, Any] = {}
    for spec in METADATA_FIELDS:
        if spec.kind not in ("names", "date", "text"):
            continue
        value = getattr(values, spec.name)
        if spec.kind == "names":
            out[spec.name] = list(value or ())
        elif spec.kind == "date":
            out[spec.name] = value.isoformat() if value else None
        else:
            out[spec.name] = value
    return out


def public_datasets_json(views: list[PublicDataset]) -> list[Encoded | dict[str, Any]]:
    """The JSON shapes of public views (from ``PublicCatalog``), encoded; remembered per view
    and context (``app.encoded_views``): what a shape reads besides the view is the download
    URLs' form (the site's address as this request names it) and the site URL of places."""
    context = (_download_url("{name}", "{resource}", "{filename}"), services().settings.site_url)
    return services().caches.views.items("rest", views, context, public_dataset_json)


def public_dataset_json(view: PublicDataset, usage: UsageTotals | None = None) -> dict[str, Any]:
    """Return a published dataset's JSON shape."""
    data: dict[str, Any] = {
        "id": view.id,
        "name": view.name,
        "title": view.title,
        "description": view.description,
        "title_translated": {"vi": view.title, "en": view.title_en},
        "description_translated": {"vi": view.description, "en": view.description_en},
        "organization": organization_json(view.organization),
        "state": "published",
        "has_pending_revision": False,
        **_plain_fields(view),
        "spatial_places": spatial_places(view.spatial_units),
        "resources": [public_resource_json(view.name, r) for r in view.resources],
        "created": rfc3339(view.created),
        "modified": rfc3339(view.modified),
    }
    if usage is not None:
        data["usage"] = usage_json(usage)
    return data


def usage_json(usage: UsageTotals) -> dict[str, int]:
    """Return usage counts: all time and over the last 30 days."""
    return {
        "downloads": usage.downloads,
        "api_calls": usage.api_calls,
        "downloads_30d": usage.downloads_30d,
        "api_calls_30d": usage.api_calls_30d,
    }


def progress_json(version: MemberResource) -> dict[str, object] | None:
    """How far the processing job has got (step, rows validated), while it runs."""
    if version.status != "processing":
        return None
    from app.context import services

    board = services().processor.progress
    found = board.read(version.id) if board is not None else None
    return found.to_dict() if found is not None else None


def _member_resource_json(dataset: MemberDataset, resource: MemberResource) -> dict[str, Any]:
    download = resource.url or (
        _download_url(dataset.name, resource.resource_id, resource.filename)
        if resource.is_public
        else None
    )
    return {
        "id": resource.resource_id,
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "media_type": resource.media_type,
        "size": resource.public_size,
        "sha256": resource.public_sha256,
        "download_url": download,
        "is_tabular": resource.is_tabular,
        "row_count": resource.row_count,
        "fields": field_texts(resource.table_schema) if resource.is_tabular else None,
        "encoding": resource.encoding if resource.is_tabular else None,
        "sheet": resource.sheet if resource.is_tabular else None,
        "status": resource.status,
        "progress": progress_json(resource),
        "error_code": resource.error_code,
        "created": rfc3339(resource.created),
        "modified": rfc3339(resource.created),
    }


def member_dataset_json(view: MemberDataset) -> dict[str, Any]:
    """Return the shape of the revision members work on (``datasets.members``)."""
    return {
        "id": view.id,
        "name": view.name,
        "title": view.title,
        "description": view.description,
        "title_translated": {"vi": view.title, "en": view.title_en},
        "description_translated": {"vi": view.description, "en": view.description_en},
        "organization": organization_json(view.organization),
        "state": view.state,
        "has_pending_revision": view.has_pending_revision,
        "revision_status": view.revision_status,
        **_plain_fields(view),
        "spatial_places": spatial_places(view.spatial_units),
        "resources": [_member_resource_json(view, r) for r in view.resources],
        "created": rfc3339(view.created),
        "modified": rfc3339(view.modified),
    }


def activity_json(
    rows: Iterable[Activity], names: dict[str, str], *, public: bool
) -> list[dict[str, Any]]:
    """Return activity entries; the public sees publications and withdrawals only."""
    items = []
    for row in rows:
        if public and row.action not in PUBLIC_ACTIONS:
            continue
        item: dict[str, Any] = {
            "id": row.id,
            "action": row.action,
            "from_state": row.from_state,
            "to_state": row.to_state,
            "timestamp": rfc3339(row.created),
        }
        if not public:
            item["actor"] = names.get(row.actor_id or "")
            item["comment"] = row.comment
            item["details"] = row.details or {}
        items.append(item)
    return items


def findings_json(version: MemberResource) -> dict[str, Any]:
    """Return ``{"findings": [...]}``: column, kind, share, confidence, the scan's proposal
    ("keep" for an organisation's public details, else empty), decision (no values)."""
    decisions = version.decisions_by_column()
    return {
        "findings": [
            {
                "column": f.column,
                "kind": f.kind,
                "share": f.share,
                "confidence": f.confidence,
                "proposal": f.proposal,
                "decision": _decision_json(decisions.get(f.column)),
            }
            for f in version.column_findings
        ],
        "smallest_group": version.smallest_group,
    }


def _decision_json(decision: ColumnDecision | None) -> dict[str, Any] | None:
    """The API's view of a decision: who decided is "policy" or "user", never a user id."""
    if decision is None:
        return None
    return {
        "column": decision.column,
        "action": decision.action.value,
        "justification": decision.justification,
        "decided_by": "policy" if decision.by_policy else "user",
    }


def validation_json(version: MemberResource) -> dict[str, Any]:
    """Return the validation report ``{"valid", "row_count", "errors"}`` (SPEC §4)."""
    report = version.validation_report or _NOT_VALIDATED
    return {**report.to_json(), "status": version.status}
