"""The members' view of a dataset: the revision they work on, with its resource versions.

The counterpart of ``datasets.public``: pages, the REST API and the CKAN API show a dataset
to the members of its organization (and to sysadmins) from these values only. Loading one
checks the permission first; for anyone else a dataset that is not public does not exist
(``NotFound``, exactly as for a name nobody uses).

Members work on the *working revision* (draft, submitted or rejected) when there is one,
else on the live revision (a published or withdrawn dataset without pending changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datasets.lifecycle import Transition, allowed_transitions
from datasets.model import (
    Dataset,
    DatasetState,
    ResourceVersion,
    Revision,
    RevisionResource,
    VersionStatus,
)
from datasets.personal import ColumnDecision
from datasets.public import PublicOrganization, organization_to_public
from datasets.queries import find_dataset
from datasets.version_results import VersionResults
from publishers import Actor, NotFound, Organization, Permission, can


@dataclass(frozen=True)
class MemberResource(VersionResults):
    """One resource in the version members work on.

    Attribute names follow ``ResourceVersion``: ``id`` is the version's id and
    ``resource_id`` the resource's stable id (the one in URLs).
    """

    id: str
    resource_id: str
    position: int
    name: str
    description: str
    url: str | None  # the remote URL of a linked resource, None for an upload
    status: str  # "processing", "ready" or "failed"
    error_code: str | None
    error_params: dict[str, Any] | None
    format: str
    media_type: str
    encoding: str | None
    encoding_override: str | None
    sheet: str | None
    sheet_names: list[str] | None
    is_tabular: bool
    table_schema: dict[str, Any] | None  # the schema of the original table (members edit it)
    validation: dict[str, Any] | None
    findings: list[dict[str, Any]] | None
    decisions: list[dict[str, Any]] | None
    smallest_group: int | None
    row_count: int | None
    original_filename: str
    original_key: str | None  # encrypted original upload, in the vault
    original_size: int | None
    normalized_key: str | None  # encrypted normalized table, in the vault
    filename: str  # the published file's name
    public_sha256: str | None
    public_size: int | None
    created: datetime
    # Whether this very version is the one the public downloads now (the dataset is
    # published and its live revision holds this version); links count as public.
    is_public: bool
    # The agency projection's decisions (issue 18; None: agency readers get the public file).
    agency_decisions: list[dict[str, Any]] | None = None
    agency_size: int | None = None

    def agency_decisions_by_column(self) -> dict[str, ColumnDecision]:
        """The agency projection's decisions by column name."""
        return {
            d.column: d for d in (ColumnDecision.from_json(x) for x in self.agency_decisions or [])
        }


@dataclass(frozen=True)
class MemberDataset:
    """A dataset as the members of its organization see it: the revision they work on."""

    id: str
    name: str
    organization: PublicOrganization
    state: str  # the lifecycle state (``DatasetState``)
    lock_version: int
    created_by: str
    created: datetime
    modified: datetime
    revision_id: str
    revision_status: str  # ``RevisionStatus`` of the revision shown
    # A published dataset with changes waiting for review (SPEC §3).
    has_pending_revision: bool
    # The transitions the lifecycle tables allow now, permissions aside (``allowed_transitions``).
    transitions: frozenset[Transition]
    title: str  # Vietnamese
    title_en: str
    description: str  # Vietnamese
    description_en: str
    tags: tuple[str, ...]
    themes: tuple[str, ...]
    license_id: str
    contact_email: str  # as entered (the public view falls back to the organization's)
    temporal_start: date | None
    temporal_end: date | None
    spatial: str
    frequency: str
    resources: tuple[MemberResource, ...]
    extras: dict[str, str] = field(default_factory=dict)  # CKAN extras of no field's name
    spatial_units: tuple[str, ...] = ()  # keys of ``datasets.places`` units
    # Who may read the data (``datasets.access.AccessLevel``) and how to get access.
    access_level: str = "public"
    access_instructions: str = ""

    @property
    def organization_id(self) -> str:
        return self.organization.id

    def resource(self, resource_id: str) -> MemberResource:
        """Return the resource with that id in this revision; raise ``NotFound``."""
        found = next((r for r in self.resources if r.resource_id == resource_id), None)
        if found is None:
            raise NotFound("resource not found")
        return found


def _member_rows(session: Session, actor: Actor, name_or_id: str) -> tuple[Dataset, Revision]:
    """Return the dataset row and the revision members work on; raise ``NotFound``."""
    dataset = find_dataset(session, name_or_id)
    if dataset is None or not can(actor, Permission.READ_DRAFT, dataset.organization_id):
        raise NotFound("dataset not found")  # drafts do not exist for outsiders
    revision = dataset.working_revision or dataset.live_revision
    if revision is None:
        raise NotFound("dataset not found")
    return dataset, revision


def member_dataset(session: Session, actor: Actor, name_or_id: str) -> MemberDataset:
    """Return the members' view of a dataset; raise ``NotFound`` for anyone else."""
    dataset, revision = _member_rows(session, actor, name_or_id)
    org = session.get(Organization, dataset.organization_id)
    if org is None:
        raise NotFound("dataset not found")
    return _member_view(dataset, revision, org)


def processing_version(
    session: Session, actor: Actor, name_or_id: str, resource_id: str
) -> str | None:
    """The id of the resource's version members see while it is still being processed, else
    None; raise ``NotFound`` for outsiders as ``member_resource`` does.

    A narrow read (the dataset row, one joined row) for clients asking every moment whether
    the checks are done (issue 24): the full members' view costs tens of milliseconds.
    """
    dataset = session.scalar(
        select(Dataset).where((Dataset.name == name_or_id) | (Dataset.id == name_or_id))
    )
    if dataset is None or not can(actor, Permission.READ_DRAFT, dataset.organization_id):
        raise NotFound("dataset not found")  # drafts do not exist for outsiders
    revision_id = dataset.working_revision_id or dataset.live_revision_id
    if revision_id is None:
        raise NotFound("dataset not found")
    found = session.execute(
        select(ResourceVersion.id, ResourceVersion.status)
        .join(RevisionResource, RevisionResource.version_id == ResourceVersion.id)
        .where(
            RevisionResource.revision_id == revision_id,
            RevisionResource.resource_id == resource_id,
        )
    ).first()
    if found is None or found.status != VersionStatus.PROCESSING.value:
        return None
    return str(found.id)


def member_resource(
    session: Session, actor: Actor, name_or_id: str, resource_id: str
) -> tuple[MemberDataset, MemberResource]:
    """Return the members' view of a dataset and of one of its resources; raise ``NotFound``."""
    view = member_dataset(session, actor, name_or_id)
    return view, view.resource(resource_id)


def _member_view(dataset: Dataset, revision: Revision, org: Organization) -> MemberDataset:
    """Return the members' view of ``dataset`` showing ``revision`` (no permission check)."""
    published = dataset.state == DatasetState.PUBLISHED.value
    live = dataset.live_revision
    live_versions = {e.version_id for e in live.entries} if published and live else set()
    return MemberDataset(
        id=dataset.id,
        name=dataset.name,
        organization=organization_to_public(org),
        state=dataset.state,
        lock_version=dataset.lock_version,
        created_by=dataset.created_by,
        created=_aware(dataset.created),
        modified=_aware(dataset.modified),
        revision_id=revision.id,
        revision_status=revision.status,
        has_pending_revision=published and dataset.working_revision_id is not None,
        transitions=allowed_transitions(dataset),
        title=revision.title_vi,
        title_en=revision.title_en,
        description=revision.description_vi,
        description_en=revision.description_en,
        tags=tuple(revision.tags or ()),
        themes=tuple(revision.themes or ()),
        license_id=revision.license_id,
        contact_email=revision.contact_email,
        temporal_start=revision.temporal_start,
        temporal_end=revision.temporal_end,
        spatial=revision.spatial,
        spatial_units=tuple(revision.spatial_units or ()),
        frequency=revision.frequency,
        resources=tuple(_resource(e, live_versions) for e in revision.entries),
        extras=dict(revision.extras or {}),
        access_level=revision.access_level,
        access_instructions=revision.access_instructions,
    )


def _resource(entry: RevisionResource, live_versions: set[str]) -> MemberResource:
    version = entry.version
    is_public = entry.version_id in live_versions and bool(version.url or version.public_sha256)
    return MemberResource(
        id=version.id,
        resource_id=entry.resource_id,
        position=entry.position,
        name=version.name,
        description=version.description,
        url=version.url,
        status=version.status,
        error_code=version.error_code,
        error_params=version.error_params,
        format=version.format,
        media_type=version.media_type,
        encoding=version.encoding,
        encoding_override=version.encoding_override,
        sheet=version.sheet,
        sheet_names=version.sheet_names,
        is_tabular=version.is_tabular,
        table_schema=version.table_schema,
        validation=version.validation,
        findings=version.findings,
        decisions=version.decisions,
        smallest_group=version.smallest_group,
        row_count=version.row_count,
        original_filename=version.original_filename,
        original_key=version.original_key,
        original_size=version.original_size,
        normalized_key=version.normalized_key,
        filename=version.filename,
        public_sha256=version.public_sha256,
        public_size=version.public_size,
        created=_aware(version.created),
        is_public=is_public,
        agency_decisions=version.agency_decisions,
        agency_size=version.agency_size if version.agency_key else None,
    )


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
