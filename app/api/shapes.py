"""The JSON shapes of the REST API (SPEC §4): datasets, resources, organizations, activity.

Public callers get shapes built from ``datasets.public`` projections only; members of the
dataset's organization get the same shape built from the working revision (drafts).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import url_for

from datasets.model import Activity, Dataset, ResourceVersion, Revision
from datasets.personal import ColumnDecision
from datasets.public import PublicDataset, PublicOrganization, PublicResource
from datasets.usage import UsageTotals
from datasets.validation_report import ValidationReport
from publishers import Organization

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
        "status": "ready",
        "created": rfc3339(resource.created),
        "modified": rfc3339(resource.modified),
    }


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
        "tags": list(view.tags),
        "themes": list(view.themes),
        "license_id": view.license_id,
        "contact_email": view.contact_email,
        "temporal_start": view.temporal_start.isoformat() if view.temporal_start else None,
        "temporal_end": view.temporal_end.isoformat() if view.temporal_end else None,
        "spatial": view.spatial,
        "frequency": view.frequency,
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


def progress_json(version: ResourceVersion) -> dict[str, object] | None:
    """How far the processing job has got (step, rows validated), while it runs."""
    if version.status != "processing":
        return None
    from app.context import services

    board = services().processor.progress
    found = board.read(version.id) if board is not None else None
    return found.to_dict() if found is not None else None


def _member_resource_json(
    dataset: Dataset, version: ResourceVersion, published: dict[str, PublicResource]
) -> dict[str, Any]:
    live = published.get(version.resource_id)
    is_live = live is not None and live.sha256 == version.public_sha256
    download = version.url or (
        _download_url(dataset.name, version.resource_id, version.filename) if is_live else None
    )
    return {
        "id": version.resource_id,
        "name": version.name,
        "description": version.description,
        "format": version.format,
        "media_type": version.media_type,
        "size": version.public_size,
        "sha256": version.public_sha256,
        "download_url": download,
        "is_tabular": version.is_tabular,
        "row_count": version.row_count,
        "status": version.status,
        "progress": progress_json(version),
        "error_code": version.error_code,
        "created": rfc3339(version.created),
        "modified": rfc3339(version.created),
    }


def member_dataset_json(
    dataset: Dataset, revision: Revision, org: Organization, view: PublicDataset | None
) -> dict[str, Any]:
    """Return the shape of a dataset's working revision, for its organization's members."""
    published = {r.id: r for r in view.resources} if view else {}
    pending = dataset.state == "published" and dataset.working_revision_id is not None
    return {
        "id": dataset.id,
        "name": dataset.name,
        "title": revision.title_vi,
        "description": revision.description_vi,
        "title_translated": {"vi": revision.title_vi, "en": revision.title_en},
        "description_translated": {"vi": revision.description_vi, "en": revision.description_en},
        "organization": organization_json(
            PublicOrganization(
                org.id, org.name, org.title, org.title_en, org.description, org.email, org.homepage
            )
        ),
        "state": dataset.state,
        "has_pending_revision": pending,
        "revision_status": revision.status,
        "tags": list(revision.tags or ()),
        "themes": list(revision.themes or ()),
        "license_id": revision.license_id,
        "contact_email": revision.contact_email,
        "temporal_start": revision.temporal_start.isoformat() if revision.temporal_start else None,
        "temporal_end": revision.temporal_end.isoformat() if revision.temporal_end else None,
        "spatial": revision.spatial,
        "frequency": revision.frequency,
        "resources": [
            _member_resource_json(dataset, e.version, published) for e in revision.entries
        ],
        "created": rfc3339(dataset.created),
        "modified": rfc3339(dataset.modified),
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


def findings_json(version: ResourceVersion) -> dict[str, Any]:
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


def validation_json(version: ResourceVersion) -> dict[str, Any]:
    """Return the validation report ``{"valid", "row_count", "errors"}`` (SPEC §4)."""
    report = version.validation_report or _NOT_VALIDATED
    return {**report.to_json(), "status": version.status}
