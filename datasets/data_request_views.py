"""What the data-request service returns: requests as the public reads them (issue 21).

A view never holds the requester's e-mail address, and names the requester only when they
chose to show their name; every surface (pages, REST API) reads these views, so a field
left out here cannot leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datasets.data_requests_model import DataRequest, DataRequestEvent, RequestStatus
from datasets.model import Dataset, DatasetState
from publishers import Organization, User


@dataclass(frozen=True)
class RequestEventView:
    """One step of the status history."""

    status: RequestStatus
    note: str
    created: datetime

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "note": self.note, "created": _iso(self.created)}


@dataclass(frozen=True)
class DataRequestView:
    """A data request as anyone reads it (no e-mail address, a name only if shown)."""

    id: str
    title: str
    description: str
    organization_id: str | None
    organization: str | None  # the asked organization's name
    organization_title: str | None
    requester: str | None  # the requester's name, only when they chose to show it
    status: RequestStatus
    answer: str
    dataset: str | None  # the linked dataset's name, while it is published
    dataset_title: str | None
    votes: int
    hidden: bool
    created: datetime
    updated: datetime
    history: tuple[RequestEventView, ...] = ()

    def to_json(self, *, with_history: bool = False) -> dict[str, Any]:
        """The REST API's shape (``DataRequest`` in the OpenAPI document)."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "organization": self.organization,
            "organization_title": self.organization_title,
            "requester": self.requester,
            "status": self.status.value,
            "answer": self.answer,
            "dataset": self.dataset,
            "dataset_title": self.dataset_title,
            "votes": self.votes,
            "created": _iso(self.created),
            "updated": _iso(self.updated),
        }
        if with_history:
            out["history"] = [e.to_json() for e in self.history]
        return out


@dataclass(frozen=True)
class RequestPage:
    """One page of the public list."""

    items: tuple[DataRequestView, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def build_view(session: Session, row: DataRequest, *, history: bool = False) -> DataRequestView:
    """Build the public view of ``row`` inside ``session``."""
    org = session.get(Organization, row.organization_id) if row.organization_id else None
    requester = None
    if row.show_name and row.requester_id:
        user = session.get(User, row.requester_id)
        if user is not None:
            requester = user.full_name or user.name
    dataset_name = dataset_title = None
    if row.dataset_id:
        dataset = session.get(Dataset, row.dataset_id)
        if dataset is not None and dataset.state == DatasetState.PUBLISHED.value:
            dataset_name = dataset.name
            live = dataset.live_revision
            dataset_title = live.title_vi if live is not None else dataset.name
    events: tuple[RequestEventView, ...] = ()
    if history:
        rows = session.scalars(
            select(DataRequestEvent)
            .where(DataRequestEvent.request_id == row.id)
            .order_by(DataRequestEvent.created, DataRequestEvent.id)
            .limit(200)
        ).all()
        events = tuple(
            RequestEventView(RequestStatus(e.status), e.note, aware(e.created)) for e in rows
        )
    return DataRequestView(
        id=row.id,
        title=row.title,
        description=row.description,
        organization_id=row.organization_id,
        organization=org.name if org else None,
        organization_title=org.title if org else None,
        requester=requester,
        status=RequestStatus(row.status),
        answer=row.answer,
        dataset=dataset_name,
        dataset_title=dataset_title,
        votes=row.votes,
        hidden=row.hidden,
        created=aware(row.created),
        updated=aware(row.updated),
        history=events,
    )


def aware(moment: datetime) -> datetime:
    """``moment`` in UTC (SQLite returns naive datetimes for timezone-aware columns)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return aware(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")
