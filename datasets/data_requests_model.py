"""Tables of data requests (issue 21): a request, its votes and its status history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from publishers import Base, new_id, utcnow

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_ANSWER = 4000


class RequestStatus(StrEnum):
    """Where a data request stands; ``open`` until an organization answers."""

    OPEN = "open"
    ANSWERED = "answered"
    PLANNED = "planned"
    DECLINED = "declined"
    PUBLISHED = "published"


class DataRequest(Base):
    """A request from anyone for a dataset the portal does not have."""

    __tablename__ = "data_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    description: Mapped[str] = mapped_column(Text, default="")
    # Title and description folded (no tone marks, lower case) for the word search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    requester_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # An anonymous requester's address, encrypted at rest (``seal_text``, bound to the row
    # id); only ever read to send the status mail, never shown.
    contact_email: Mapped[str] = mapped_column(Text, default="")
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN.value, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    # A keyed hash of the client's address, for throttling only (the address is not kept).
    client_key: Mapped[str] = mapped_column(String(64), index=True, default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataRequestVote(Base):
    """One "I need this too": one per account, or per anonymous client key."""

    __tablename__ = "data_request_votes"
    __table_args__ = (UniqueConstraint("request_id", "voter", name="uq_data_request_vote"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("data_requests.id", ondelete="CASCADE"), index=True
    )
    # "user:<id>" or "client:<keyed hash of the address>".
    voter: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DataRequestEvent(Base):
    """One step of a request's status history (asked, answered, declined…)."""

    __tablename__ = "data_request_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("data_requests.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
