"""What the data-sharing service returns: requests, grants and log entries as people read them.

Built from the tables of ``datasets.sharing_model`` inside the caller's session; each type
has one ``to_json`` (the REST API's shape, the CSV export's columns).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from datasets.model import Dataset
from datasets.sharing_model import AccessLogEntry, AccessRequest, Grant
from publishers import Organization, User, utcnow


@dataclass(frozen=True)
class RequestView:
    """An access request as its requester and the owning stewards read it."""

    id: str
    dataset_id: str
    dataset_name: str
    requester: str  # user name
    organization: str | None  # organization name when asked for an organization
    purpose: str
    legal_basis: str
    columns: tuple[str, ...] | None
    until: date | None
    status: str
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    grant_id: str | None
    created: datetime

    def to_json(self) -> dict[str, Any]:
        """The shape of the REST API."""
        return {
            "id": self.id,
            "dataset": self.dataset_name,
            "dataset_id": self.dataset_id,
            "requester": self.requester,
            "organization": self.organization,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "columns": list(self.columns) if self.columns is not None else None,
            "until": self.until.isoformat() if self.until else None,
            "status": self.status,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "grant_id": self.grant_id,
            "created": _iso(self.created),
        }


@dataclass(frozen=True)
class GrantView:
    """A data-sharing agreement: who, what, which projection, why, until when, by whom."""

    id: str
    dataset_id: str
    dataset_name: str
    user: str | None  # user name of a personal grant
    organization: str | None  # organization name of an organization's grant
    projection: str
    columns: tuple[str, ...] | None
    purpose: str
    legal_basis: str
    approved_by: str
    created: datetime
    expires: datetime
    revoked_at: datetime | None
    request_id: str | None

    def active(self, now: datetime) -> bool:
        """True while the grant may be used."""
        return self.revoked_at is None and aware(self.expires) > now

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        """The shape of the REST API."""
        return {
            "id": self.id,
            "dataset": self.dataset_name,
            "dataset_id": self.dataset_id,
            "user": self.user,
            "organization": self.organization,
            "projection": self.projection,
            "columns": list(self.columns) if self.columns is not None else None,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "approved_by": self.approved_by,
            "created": _iso(self.created),
            "expires": _iso(self.expires),
            "revoked_at": _iso(self.revoked_at),
            "request_id": self.request_id,
            "active": self.active(now or utcnow()),
        }


@dataclass(frozen=True)
class LogView:
    """One access-log entry (never the data read)."""

    created: datetime
    dataset_name: str
    resource_id: str
    user: str | None
    organizations: tuple[str, ...]
    surface: str
    projection: str
    rows: int | None
    grant_id: str | None

    def to_json(self) -> dict[str, Any]:
        """The shape of the REST API and of the CSV export."""
        return {
            "created": _iso(self.created),
            "dataset": self.dataset_name,
            "resource_id": self.resource_id,
            "user": self.user,
            "organizations": list(self.organizations),
            "surface": self.surface,
            "projection": self.projection,
            "rows": self.rows,
            "grant_id": self.grant_id,
        }


LOG_COLUMNS = (
    "created",
    "dataset",
    "resource_id",
    "user",
    "organizations",
    "surface",
    "projection",
    "rows",
    "grant_id",
)


def user_name(session: Session, user_id: str | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.name if user is not None else None


def org_name(session: Session, org_id: str | None) -> str | None:
    if org_id is None:
        return None
    org = session.get(Organization, org_id)
    return org.name if org is not None else None


def request_view(session: Session, r: AccessRequest) -> RequestView:
    dataset = session.get(Dataset, r.dataset_id)
    return RequestView(
        id=r.id,
        dataset_id=r.dataset_id,
        dataset_name=dataset.name if dataset else "",
        requester=user_name(session, r.requester_id) or "",
        organization=org_name(session, r.organization_id),
        purpose=r.purpose,
        legal_basis=r.legal_basis,
        columns=tuple(r.columns) if r.columns is not None else None,
        until=r.until,
        status=r.status,
        reason=r.reason,
        decided_by=user_name(session, r.decided_by),
        decided_at=aware(r.decided_at) if r.decided_at else None,
        grant_id=r.grant_id,
        created=aware(r.created),
    )


def grant_view(session: Session, g: Grant) -> GrantView:
    dataset = session.get(Dataset, g.dataset_id)
    return GrantView(
        id=g.id,
        dataset_id=g.dataset_id,
        dataset_name=dataset.name if dataset else "",
        user=user_name(session, g.user_id),
        organization=org_name(session, g.organization_id),
        projection=g.projection,
        columns=tuple(g.columns) if g.columns is not None else None,
        purpose=g.purpose,
        legal_basis=g.legal_basis,
        approved_by=user_name(session, g.approved_by) or "",
        created=aware(g.created),
        expires=aware(g.expires),
        revoked_at=aware(g.revoked_at) if g.revoked_at else None,
        request_id=g.request_id,
    )


def log_view(session: Session, dataset: Dataset, e: AccessLogEntry) -> LogView:
    return LogView(
        created=aware(e.created),
        dataset_name=dataset.name,
        resource_id=e.resource_id,
        user=user_name(session, e.user_id),
        organizations=tuple(n for n in (org_name(session, o) for o in e.organization_ids) if n),
        surface=e.surface,
        projection=e.projection,
        rows=e.rows,
        grant_id=e.grant_id,
    )


def csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
