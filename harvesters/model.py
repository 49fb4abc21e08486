"""Tables of harvest sources, jobs and harvested objects (migration ``0002_harvest``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from publishers import Base, new_id, utcnow


class JobStatus(StrEnum):
    """Where a harvest job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"  # ran to the end (some datasets may have failed)
    STOPPED = "stopped"  # the withdraw safety stop fired; nothing was withdrawn
    FAILED = "failed"  # the source could not be read; nothing was touched


class HarvestSourceRow(Base):
    """A registered harvest source; ``auth`` in its config is a credential *name* only."""

    __tablename__ = "harvest_sources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    schedule: Mapped[str] = mapped_column(String(100), default="manual")
    secret_name: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approver_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_run: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class HarvestSecret(Base):
    """A source's credential sealed with the encryption key (AES-GCM, the name as associated
    data), when several servers share the database (migration ``0013_harvest_secrets``)."""

    __tablename__ = "harvest_secrets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HarvestJob(Base):
    """One run of a source: status, times, counts and the per-dataset report."""

    __tablename__ = "harvest_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(
        ForeignKey("harvest_sources.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    dry_run: Mapped[bool] = mapped_column(default=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class HarvestObject(Base):
    """A remote dataset harvested by a source and the local dataset it became."""

    __tablename__ = "harvest_objects"
    __table_args__ = (UniqueConstraint("source_id", "remote_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(
        ForeignKey("harvest_sources.id", ondelete="CASCADE"), index=True
    )
    remote_id: Mapped[str] = mapped_column(String(300))
    alt_id: Mapped[str] = mapped_column(String(300), default="")
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    )
    stamp: Mapped[str] = mapped_column(String(100), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    resources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
