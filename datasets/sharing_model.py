"""Tables of data sharing: access requests, grants (data-sharing agreements) and the log.

None of them ever holds the data itself: a log entry says who read which dataset and
resource, on which surface, how many rows and under which grant.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from publishers import Base, new_id, utcnow


class RequestStatus(StrEnum):
    """Where an access request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class AccessRequest(Base):
    """A user's (or their organization's) request for access to a restricted dataset."""

    __tablename__ = "access_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    # Set when the request is made for an organization (every member reads under the grant).
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True
    )
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None: all
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING.value, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # of a refusal
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    grant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Grant(Base):
    """A data-sharing agreement on record: who, what, which projection, why, until when."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    # Exactly one of user_id and organization_id is set.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    request_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    projection: Mapped[str] = mapped_column(String(20), default="agency")
    columns: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None: all
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AccessLogEntry(Base):
    """One read of non-public data: who, what, where, how many rows, when, under which grant."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[str] = mapped_column(String(36), default="")
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    # The reader's organizations at the time (ids), so a person can be told which agencies read.
    organization_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    surface: Mapped[str] = mapped_column(String(30))  # "download", "page", "api", ...
    projection: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    grant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
