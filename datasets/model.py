"""Tables of datasets, their revisions, resources, resource versions, themes and activity.

Every edit happens on a *revision*; the dataset points at its live revision (public)
and at its working revision (draft, submitted or rejected). Publishing moves the live
pointer in one transaction, so the previous published state survives any failure.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datasets.version_results import VersionResults
from datasets.vocab import DEFAULT_LICENSE_ID
from publishers import Base, new_id, utcnow


class DatasetState(StrEnum):
    """The lifecycle states of SPEC §3."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class RevisionStatus(StrEnum):
    """Where a revision stands in review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    APPROVED = "approved"


class VersionStatus(StrEnum):
    """Where a resource version stands in processing."""

    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class Dataset(Base):
    """A dataset's identity, lifecycle state and pointers to its revisions."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=DatasetState.DRAFT.value, index=True)
    live_revision_id: Mapped[str | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    working_revision_id: Mapped[str | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Optimistic concurrency: every write bumps it; writers state the version they read.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when an after-commit index update failed; `opendata index rebuild` repairs it.
    index_stale: Mapped[bool] = mapped_column(Boolean, default=False)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    # Provenance of a harvested dataset (SPEC §3 Harvest flow).
    harvest_source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    harvest_source_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    harvest_remote_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    harvest_remote_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    harvested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    live_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[live_revision_id], post_update=True
    )
    working_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[working_revision_id], post_update=True
    )


class Revision(Base):
    """One version of a dataset's metadata and resource list."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=RevisionStatus.DRAFT.value)
    title_vi: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500), default="")
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    license_id: Mapped[str] = mapped_column(String(50), default=DEFAULT_LICENSE_ID)
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    temporal_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    temporal_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    spatial: Mapped[str] = mapped_column(String(300), default="")
    # Keys of ``datasets.places`` units ("79", "26743", "old-760"); ``spatial`` keeps only
    # the text that named none (0017).
    spatial_units: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    frequency: Mapped[str] = mapped_column(String(20), default="")
    # CKAN clients' own key/value pairs (``DatasetMetadata.extras``); None before 0011.
    extras: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True, default=dict)
    # Who may read the data (``datasets.access.AccessLevel``); approved like any change.
    access_level: Mapped[str] = mapped_column(String(20), default="public", server_default="public")
    # How to get access (how to ask, where the data lives for ``catalog-only``).
    access_instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    entries: Mapped[list[RevisionResource]] = relationship(
        back_populates="revision",
        cascade="all, delete-orphan",
        order_by="RevisionResource.position",
    )


class Resource(Base):
    """A resource's stable identity across versions (its id is in URLs)."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Live writes (datasets.live_feed): how many batches were stored, and why the feed is
    # paused for a steward (``{"at", "by", "findings": [{"column", "kind"}]}``) or None.
    feed_writes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    feed_paused: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ResourceVersion(Base, VersionResults):
    """One upload (or link) of a resource with everything computed from it."""

    __tablename__ = "resource_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # linked resource
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.PROCESSING.value)
    error_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Started processing runs; crash recovery marks the upload failed after a few (issue 14).
    processing_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    original_filename: Mapped[str] = mapped_column(String(300), default="")
    original_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # encrypted
    original_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    original_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    normalized_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # encrypted
    format: Mapped[str] = mapped_column(String(20), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    encoding: Mapped[str | None] = mapped_column(String(30), nullable=True)
    encoding_override: Mapped[str | None] = mapped_column(String(30), nullable=True)
    sheet: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The sheets of a spreadsheet upload, in workbook order (the form offers them).
    sheet_names: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    is_tabular: Mapped[bool] = mapped_column(Boolean, default=False)
    table_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    decisions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    smallest_group: Mapped[int | None] = mapped_column(Integer, nullable=True)
    row_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The published (stripped) file: content-addressed in the public blob store.
    filename: Mapped[str] = mapped_column(String(300), default="")
    public_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    public_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    public_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    datastore_loaded: Mapped[bool] = mapped_column(Boolean, default=False)
    column_stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The agency projection (issue 18): its own decisions, never more than the public ones
    # allow unless a steward approved it; the file is encrypted in the vault like the original.
    agency_decisions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    agency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    agency_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agency_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RevisionResource(Base):
    """A revision's list entry: which version of which resource, in what position."""

    __tablename__ = "revision_resources"

    revision_id: Mapped[str] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[str] = mapped_column(ForeignKey("resource_versions.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    revision: Mapped[Revision] = relationship(back_populates="entries")
    version: Mapped[ResourceVersion] = relationship()


class Activity(Base):
    """One recorded transition or change of a dataset (who, when, what, comment)."""

    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Theme(Base):
    """A theme (CKAN group) of the city's catalog, mapped to an EU data theme."""

    __tablename__ = "themes"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    eu_theme: Mapped[str] = mapped_column(String(10), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
