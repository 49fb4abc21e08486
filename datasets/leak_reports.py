"""Reports from the public of personal data found in a published dataset (SPEC §6).

Anyone may report; the report reaches the organization's stewards, who handle it within
two working days (Decree 356/2025): they withdraw the dataset or strip the resource again
(a new version through review), then mark the report resolved. The text of a report may
itself hold personal data: it is shown to the organization's stewards only and never
logged. Reports from one client are throttled.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from datasets.model import Dataset, DatasetState
from datasets.personal.encryption import open_text, seal_text
from datasets.queries import get_dataset
from publishers import (
    Actor,
    Base,
    DomainError,
    InvalidInput,
    NotFound,
    Permission,
    can,
    new_id,
    organizations_where,
    utcnow,
)

log = logging.getLogger(__name__)

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
WORKING_DAYS_TO_HANDLE = 2
MAX_TEXT = 5000
THROTTLE_COUNT = 5
THROTTLE_PERIOD = timedelta(hours=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReportStatus(StrEnum):
    """Where a report stands."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class PersonalDataReport(Base):
    """A report from the public of personal data in a dataset."""

    __tablename__ = "personal_data_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Both encrypted at rest (``datasets.personal.encryption.seal_text``, AES-256-GCM with
    # the portal's encryption key, bound to the row id): they may hold personal data.
    text: Mapped[str] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.RECEIVED.value)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # A keyed hash of the client's address, for throttling only (the address is not kept).
    client_key: Mapped[str] = mapped_column(String(64), index=True, default="")


class TooManyReports(DomainError):
    """The same client sent too many reports recently (HTTP 429)."""

    code = "rate_limited"


@dataclass(frozen=True)
class ReportView:
    """A report as stewards see it, detached from the database."""

    id: str
    dataset_name: str
    dataset_title: str
    organization_id: str
    resource_id: str | None
    text: str
    contact_email: str
    status: ReportStatus
    received_at: datetime
    deadline: datetime
    note: str
    handled_by: str | None

    def is_overdue(self, now: datetime) -> bool:
        """True when the report is not resolved and its deadline has passed."""
        return self.status is not ReportStatus.RESOLVED and _aware(now) > self.deadline


def deadline_for(
    received: datetime,
    working_days: int = WORKING_DAYS_TO_HANDLE,
    holidays: Iterable[date] = (),
) -> datetime:
    """Return when a report received at ``received`` must be handled (UTC).

    Counts ``working_days`` whole working days in Ho Chi Minh City time, skipping Saturdays,
    Sundays and ``holidays``: a report received on Friday at 10:00 is due on Tuesday at
    10:00; one received on a day off counts from the start of the next working day.
    """
    off = frozenset(holidays)

    def is_working(day: date) -> bool:
        return day.weekday() < 5 and day not in off

    local = _aware(received).astimezone(LOCAL_TIME)
    if not is_working(local.date()):
        day = local.date() + timedelta(days=1)
        while not is_working(day):
            day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), tzinfo=LOCAL_TIME)
    day, left = local.date(), working_days
    while left:
        day += timedelta(days=1)
        if is_working(day):
            left -= 1
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL_TIME)
    return due.astimezone(ZoneInfo("UTC"))


def client_key(address: str, key: bytes) -> str:
    """Return a keyed hash of a client address (the address itself is never stored)."""
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


class Reports:
    """File, list and handle personal-data reports."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        encryption_key: bytes,
        on_received: Callable[[str, str, str], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._key = encryption_key
        self._on_received = on_received
        self._clock = clock

    def file(
        self, dataset_name: str, resource_id: str, text: str, contact_email: str, client: str
    ) -> str:
        """Record a report on a published dataset; return its id.

        Raises ``NotFound`` for a dataset the public cannot see, ``InvalidInput`` for an empty
        or too long text or a bad e-mail address, ``TooManyReports`` when ``client`` sent
        too many reports in the last hour.
        """
        text, contact_email = text.strip(), contact_email.strip()
        errors: dict[str, list[str]] = {}
        if not text:
            errors["text"] = ["required"]
        elif len(text) > MAX_TEXT:
            errors["text"] = ["too_long"]
        if contact_email and (len(contact_email) > 320 or not _EMAIL.match(contact_email)):
            errors["contact_email"] = ["invalid_email"]
        now = self._clock()
        with self._sessions.begin() as session:
            dataset = get_dataset(session, dataset_name)
            if dataset.state != DatasetState.PUBLISHED.value or dataset.live_revision is None:
                raise NotFound("dataset not found")
            live = {e.resource_id for e in dataset.live_revision.entries}
            if resource_id and resource_id not in live:
                errors["resource_id"] = ["unknown_resource"]
            if errors:
                raise InvalidInput("invalid report", errors)
            recent = session.scalar(
                select(func.count())
                .select_from(PersonalDataReport)
                .where(
                    PersonalDataReport.client_key == client,
                    PersonalDataReport.received_at > now - THROTTLE_PERIOD,
                )
            )
            if int(recent or 0) >= THROTTLE_COUNT:
                raise TooManyReports("too many reports")
            report_id = new_id()
            report = PersonalDataReport(
                id=report_id,
                dataset_id=dataset.id,
                organization_id=dataset.organization_id,
                resource_id=resource_id or None,
                text=seal_text(self._key, text, sealed_context(report_id, "text")),
                contact_email=seal_text(
                    self._key, contact_email, sealed_context(report_id, "contact_email")
                ),
                received_at=now,
                deadline=deadline_for(now),
                client_key=client,
            )
            session.add(report)
            session.flush()
            report_id, org_id = report.id, dataset.organization_id
            title = dataset.live_revision.title_vi
        log.info("personal-data report received", extra={"report_id": report_id})
        if self._on_received is not None:
            try:
                self._on_received(org_id, report_id, title)
            except Exception:  # the report is stored; stewards also see it on their page
                log.exception("report notification failed", extra={"report_id": report_id})
        return report_id

    def for_steward(self, actor: Actor, *, open_only: bool = False) -> list[ReportView]:
        """Return the reports of organizations ``actor`` stewards (all for sysadmins)."""
        with self._sessions() as session:
            query = select(PersonalDataReport).order_by(PersonalDataReport.deadline)
            if not can(actor, Permission.WITHDRAW):  # sysadmins see every organization's
                orgs = organizations_where(actor, Permission.WITHDRAW)
                query = query.where(PersonalDataReport.organization_id.in_(orgs))
            if open_only:
                query = query.where(PersonalDataReport.status != ReportStatus.RESOLVED.value)
            return [_view(session, r, self._key) for r in session.scalars(query).all()]

    def get(self, actor: Actor, report_id: str) -> ReportView:
        """Return one report; raise ``NotFound`` unless ``actor`` stewards its organization."""
        with self._sessions() as session:
            report = session.get(PersonalDataReport, report_id)
            if report is None or not _may_handle(actor, report.organization_id):
                raise NotFound("report not found")
            return _view(session, report, self._key)

    def set_status(self, actor: Actor, report_id: str, status: str, note: str = "") -> ReportView:
        """Move a report to ``status`` with an optional note; stewards of its organization."""
        try:
            new_status = ReportStatus(status)
        except ValueError:
            raise InvalidInput("bad status", {"status": ["unknown_status"]}) from None
        with self._sessions.begin() as session:
            report = session.get(PersonalDataReport, report_id)
            if report is None or not _may_handle(actor, report.organization_id):
                raise NotFound("report not found")
            report.status = new_status.value
            report.note = note.strip()[:MAX_TEXT] or report.note
            report.handled_by, report.handled_at = actor.user_id, self._clock()
            session.flush()
            view = _view(session, report, self._key)
        log.info("personal-data report updated", extra={"report_id": report_id, "status": status})
        return view

    def public_status(self, report_id: str, dataset_id: str) -> tuple[ReportStatus, datetime]:
        """Return a report's status and deadline for its reporter (never its text).

        Raises ``NotFound`` unless the report belongs to ``dataset_id``.
        """
        with self._sessions() as session:
            report = session.get(PersonalDataReport, report_id)
            if report is None or report.dataset_id != dataset_id:
                raise NotFound("report not found")
            return ReportStatus(report.status), _aware(report.deadline)

    def count_open(self, actor: Actor) -> int:
        """Return how many unresolved reports ``actor`` has to handle."""
        return len(self.for_steward(actor, open_only=True))


def _may_handle(actor: Actor, organization_id: str) -> bool:
    return can(actor, Permission.WITHDRAW, organization_id)


def sealed_context(report_id: str, column: str) -> str:
    """The associated data that binds an encrypted value to its report and column."""
    return f"personal_data_reports:{report_id}:{column}"


def _view(session: Session, report: PersonalDataReport, key: bytes) -> ReportView:
    dataset = session.get(Dataset, report.dataset_id)
    assert dataset is not None
    revision = dataset.live_revision or dataset.working_revision
    return ReportView(
        id=report.id,
        dataset_name=dataset.name,
        dataset_title=revision.title_vi if revision else dataset.name,
        organization_id=report.organization_id,
        resource_id=report.resource_id,
        text=open_text(key, report.text, sealed_context(report.id, "text")),
        contact_email=open_text(
            key, report.contact_email, sealed_context(report.id, "contact_email")
        ),
        status=ReportStatus(report.status),
        received_at=_aware(report.received_at),
        deadline=_aware(report.deadline),
        note=report.note,
        handled_by=report.handled_by,
    )


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


__all__ = [
    "PersonalDataReport",
    "ReportStatus",
    "ReportView",
    "Reports",
    "TooManyReports",
    "client_key",
    "deadline_for",
    "sealed_context",
]
