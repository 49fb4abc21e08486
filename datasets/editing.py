"""Creating and editing datasets: metadata, resources and personal-data decisions.

Edits always land on the dataset's working revision. Editing a published dataset
opens a pending revision (a copy of the live one), so the public version stays as it
is until a steward approves the change.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.errors import StaleVersion, StorageFull, TransitionNotAllowed, is_disk_full
from datasets.lifecycle import Transition, next_revision_status, next_state, require_on_dataset
from datasets.metadata_input import (
    METADATA_FIELD_NAMES,
    DatasetMetadata,
    clean_metadata,
    metadata_values,
)
from datasets.model import (
    Activity,
    Dataset,
    DatasetState,
    Resource,
    ResourceVersion,
    Revision,
    RevisionResource,
    RevisionStatus,
    Theme,
    VersionStatus,
)
from datasets.personal import Action, ColumnDecision
from datasets.queries import get_dataset, get_dataset_row
from datasets.queue import TaskQueue
from datasets.schema_edit import check_schema
from datasets.storage import BlobStore
from datasets.text import vn_slug
from datasets.uploads import StagedUpload, safe_filename
from publishers import (
    Actor,
    Conflict,
    InvalidInput,
    NotFound,
    Permission,
    PermissionDenied,
    can,
    require,
    utcnow,
)

if TYPE_CHECKING:
    from datasets.vault import Vault

log = logging.getLogger(__name__)

RESERVED_NAMES = frozenset(
    {"new", "edit", "search", "delete", "api", "admin", "activity", "resource", "groups"}
)
JOB_PROCESS_VERSION = "process_version"


@dataclass(frozen=True)
class ResourceInput:
    """A resource's name and description as entered."""

    name: str = ""
    description: str = ""


def record_activity(
    session: Session,
    dataset: Dataset,
    actor_id: str | None,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    details: dict[str, object] | None = None,
    now: datetime | None = None,
) -> None:
    """Record one activity entry of ``dataset`` (who, what, states, comment)."""
    session.add(
        Activity(
            dataset_id=dataset.id,
            actor_id=actor_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            details=details or {},
            created=now or utcnow(),
        )
    )


class DatasetEditor:
    """Create datasets and edit their working revision."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: Vault,
        public_store: BlobStore,
        queue: TaskQueue,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._public = public_store
        self._queue = queue
        self._clock = clock

    # -- datasets ------------------------------------------------------------------

    def create(
        self, actor: Actor, organization_id: str, meta: DatasetMetadata, *, name: str = ""
    ) -> Dataset:
        """Create a draft dataset in the organization; its name is the folded title slug."""
        require(actor, Permission.CREATE_DATASET, organization_id)
        assert actor.user_id is not None
        now = self._clock()
        with self._sessions.begin() as session:
            meta = clean_metadata(meta, _theme_names(session))
            slug = self._unique_name(session, name or meta.title_vi, explicit=bool(name))
            dataset = Dataset(
                name=slug,
                organization_id=organization_id,
                state=DatasetState.DRAFT.value,
                created_by=actor.user_id,
                created=now,
                modified=now,
            )
            session.add(dataset)
            session.flush()
            revision = Revision(dataset_id=dataset.id, number=1, created_by=actor.user_id)
            _apply_metadata(revision, meta)
            revision.created = now
            session.add(revision)
            session.flush()
            dataset.working_revision_id = revision.id
            record_activity(
                session,
                dataset,
                actor.user_id,
                "create",
                to_state="draft",
                now=now,
                details={"title": meta.title_vi},
            )
        log.info("dataset created", extra={"dataset_id": dataset.id})
        return dataset

    def _unique_name(self, session: Session, wanted: str, *, explicit: bool) -> str:
        base = vn_slug(wanted) or "dataset"
        if explicit and base != wanted:
            raise InvalidInput("bad name", {"name": ["invalid_name"]})
        if base in RESERVED_NAMES:
            base = f"{base}-dataset"
        candidate, n = base, 1
        while session.scalar(select(func.count()).where(Dataset.name == candidate)):
            if explicit:
                raise Conflict("name taken", name=candidate)
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def update_metadata(
        self, actor: Actor, name: str, meta: DatasetMetadata, *, expected_version: int | None
    ) -> Dataset:
        """Replace the working revision's metadata.

        Raises ``StaleVersion`` when ``expected_version`` is not the dataset's current
        lock version (someone else saved meanwhile); None skips the check (CKAN API,
        last writer wins, both edits recorded).
        """
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, expected_version)
            before = _metadata_summary(revision)
            meta = clean_metadata(meta, _theme_names(session))
            _apply_metadata(revision, meta)
            changed = sorted(k for k, v in _metadata_summary(revision).items() if before[k] != v)
            record_activity(
                session,
                dataset,
                actor.user_id,
                "edit",
                now=self._clock(),
                details={"changed": changed},
            )
        return dataset

    def _working_revision(
        self, session: Session, actor: Actor, dataset: Dataset, expected_version: int | None
    ) -> Revision:
        """Return the revision to edit (opening one if needed) and bump the lock version."""
        require_on_dataset(actor, Permission.EDIT_DATASET, dataset)
        if expected_version is not None and expected_version != dataset.lock_version:
            raise StaleVersion("dataset changed", current=dataset.lock_version)
        state = DatasetState(dataset.state)
        revision = dataset.working_revision
        if state is not DatasetState.PUBLISHED:
            dataset.state = next_state(state, Transition.EDIT).value
            if revision is None:  # withdrawn: reopen from the last published revision
                revision = open_revision(session, dataset, actor.user_id)
            elif RevisionStatus(revision.status) is RevisionStatus.SUBMITTED:
                raise TransitionNotAllowed("under review", transition="edit", state="submitted")
            revision.status = RevisionStatus.DRAFT.value
        elif revision is None:
            revision = open_revision(session, dataset, actor.user_id)
        else:
            status = next_revision_status(RevisionStatus(revision.status), Transition.EDIT)
            revision.status = status.value
        dataset.lock_version += 1
        dataset.modified = self._clock()
        return revision

    # -- resources -----------------------------------------------------------------

    def add_upload(
        self,
        actor: Actor,
        name: str,
        upload: StagedUpload,
        info: ResourceInput,
        *,
        resource_id: str | None = None,
        expected_version: int | None = None,
        decisions: Sequence[ColumnDecision] = (),
    ) -> ResourceVersion:
        """Add an uploaded file as a new resource (or a new version of ``resource_id``).

        The original is encrypted into the vault at once and the staged file removed;
        processing (format, validation, personal data) runs as a background job.
        A caller who may not edit the dataset is refused before anything is stored (the
        staged file is removed). ``decisions`` are personal-data decisions made before the
        upload (a harvest's, already applied to the file); processing keeps those whose
        column it finds, as it keeps a steward's.
        """
        try:
            with self._sessions() as session:
                dataset = get_dataset_row(session, name)
                require_on_dataset(actor, Permission.EDIT_DATASET, dataset)
        except (NotFound, PermissionDenied):
            upload.path.unlink(missing_ok=True)
            raise
        try:
            original = self._vault.store_file(upload.path)
        except OSError as exc:
            if is_disk_full(exc):
                raise StorageFull("no space to store the upload") from exc
            raise
        finally:  # the plaintext never stays in staging, stored or not
            upload.path.unlink(missing_ok=True)
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, expected_version)
            assert actor.user_id is not None
            version = ResourceVersion(
                name=(info.name.strip() or upload.filename)[:300],
                description=info.description.strip(),
                status=VersionStatus.PROCESSING.value,
                original_filename=upload.filename,
                original_key=original,
                original_sha256=upload.sha256,
                original_size=upload.size,
                filename=safe_filename(upload.filename),
                created_by=actor.user_id,
                created=self._clock(),
            )
            if decisions:
                version.decisions = [d.to_json() for d in decisions]
            self._attach(session, dataset, revision, version, resource_id)
            record_activity(
                session,
                dataset,
                actor.user_id,
                "upload",
                now=self._clock(),
                details={"resource_id": version.resource_id, "size": upload.size},
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id})
        return version

    def add_link(
        self, actor: Actor, name: str, url: str, info: ResourceInput, *, fmt: str = ""
    ) -> ResourceVersion:
        """Add a resource that links to a file elsewhere (http or https only)."""
        if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
            raise InvalidInput("bad url", {"url": ["invalid_url"]})
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, None)
            assert actor.user_id is not None
            version = ResourceVersion(
                name=(info.name.strip() or url.rsplit("/", 1)[-1] or "link")[:300],
                description=info.description.strip(),
                url=url,
                status=VersionStatus.READY.value,
                format=fmt.strip().upper()[:20],
                created_by=actor.user_id,
                created=self._clock(),
            )
            self._attach(session, dataset, revision, version, None)
            record_activity(
                session,
                dataset,
                actor.user_id,
                "link",
                now=self._clock(),
                details={"resource_id": version.resource_id},
            )
        return version

    def _attach(
        self,
        session: Session,
        dataset: Dataset,
        revision: Revision,
        version: ResourceVersion,
        resource_id: str | None,
    ) -> None:
        if resource_id is None:
            resource = Resource(dataset_id=dataset.id, created=self._clock())
            session.add(resource)
            session.flush()
            version.resource_id = resource.id
            session.add(version)
            session.flush()
            revision.entries.append(
                RevisionResource(
                    resource_id=resource.id, version_id=version.id, position=len(revision.entries)
                )
            )
            return
        entry = next((e for e in revision.entries if e.resource_id == resource_id), None)
        if entry is None:
            raise NotFound("resource not found")
        version.resource_id = resource_id
        session.add(version)
        session.flush()
        entry.version_id = version.id

    def remove_resource(self, actor: Actor, name: str, resource_id: str) -> None:
        """Remove a resource from the working revision (older revisions keep it)."""
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, None)
            entry = next((e for e in revision.entries if e.resource_id == resource_id), None)
            if entry is None:
                raise NotFound("resource not found")
            revision.entries.remove(entry)
            record_activity(
                session,
                dataset,
                actor.user_id,
                "remove_resource",
                now=self._clock(),
                details={"resource_id": resource_id},
            )

    def set_decisions(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        decisions: Sequence[Mapping[str, str]],
    ) -> ResourceVersion:
        """Record personal-data decisions for a resource and rebuild its public file.

        ``decisions`` are as entered (``column``, ``action``, ``justification``): each is
        checked here. A version that is already live is never changed: the decisions go
        to a copy in the working revision. ``keep`` needs a steward and a written
        justification.
        """
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, None)
            entry = next((e for e in revision.entries if e.resource_id == resource_id), None)
            if entry is None:
                raise NotFound("resource not found")
            version = self._editable_version(session, dataset, entry)
            cleaned = _check_decisions(actor, dataset.organization_id, version, decisions)
            version.decisions = [d.to_json() for d in cleaned]
            version.status = VersionStatus.PROCESSING.value
            record_activity(
                session,
                dataset,
                actor.user_id,
                "decide",
                now=self._clock(),
                details={
                    "resource_id": resource_id,
                    "decisions": [{"column": d.column, "action": d.action.value} for d in cleaned],
                },
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id, "rebuild": True})
        return version

    def reprocess(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        *,
        encoding: str | None = None,
        sheet: str | None = None,
        expected_version: int | None = None,
    ) -> ResourceVersion:
        """Read the resource's original again with a corrected encoding or sheet.

        The schema is inferred again (the header may read differently); validation and
        the personal-data scan run again in the background. A live version is copied.
        Raises ``InvalidInput`` for an encoding Python does not know.
        """
        if encoding:
            try:
                encoding = codecs.lookup(encoding).name
            except LookupError:
                raise InvalidInput("unknown encoding", {"encoding": ["unknown_encoding"]}) from None
        return self._reprocess(
            actor,
            name,
            resource_id,
            expected_version,
            "reprocess",
            lambda v: _override_reading(v, encoding or None, (sheet or "").strip() or None),
        )

    def set_schema(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        schema: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> ResourceVersion:
        """Replace the resource's Table Schema and validate the table against it again.

        Raises ``InvalidInput`` when Frictionless would not accept the descriptor.
        """
        check_schema(schema)

        def apply(version: ResourceVersion) -> None:
            if not version.is_tabular:
                raise InvalidInput("not a table", {"schema": ["not_tabular"]})
            version.table_schema = schema

        return self._reprocess(actor, name, resource_id, expected_version, "schema", apply)

    def _reprocess(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        expected_version: int | None,
        action: str,
        change: Callable[[ResourceVersion], None],
    ) -> ResourceVersion:
        with self._sessions.begin() as session:
            dataset = get_dataset(session, name, for_update=True)
            revision = self._working_revision(session, actor, dataset, expected_version)
            entry = next((e for e in revision.entries if e.resource_id == resource_id), None)
            if entry is None or entry.version.url or entry.version.original_key is None:
                raise NotFound("resource not found")
            version = self._editable_version(session, dataset, entry)
            change(version)
            version.status = VersionStatus.PROCESSING.value
            record_activity(
                session,
                dataset,
                actor.user_id,
                action,
                now=self._clock(),
                details={"resource_id": resource_id},
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id})
        return version

    def _editable_version(
        self, session: Session, dataset: Dataset, entry: RevisionResource
    ) -> ResourceVersion:
        live_ids = (
            {e.version_id for e in dataset.live_revision.entries}
            if dataset.live_revision
            else set()
        )
        version = entry.version
        if version.id not in live_ids:
            return version
        copy = ResourceVersion(
            **{c: getattr(version, c) for c in _VERSION_COPY_COLUMNS}, created=self._clock()
        )
        session.add(copy)
        session.flush()
        entry.version_id = copy.id
        entry.version = copy
        return copy


def _override_reading(version: ResourceVersion, encoding: str | None, sheet: str | None) -> None:
    """Set how the original is read; the schema is inferred again from the new reading."""
    version.encoding_override = encoding
    version.sheet = sheet
    version.table_schema = None


def open_revision(session: Session, dataset: Dataset, user_id: str | None) -> Revision:
    """Open a working revision as a copy of the live one (pending revision, republish)."""
    live = dataset.live_revision
    if live is None or user_id is None:
        raise NotFound("no revision to edit")
    number = int(
        session.scalar(select(func.max(Revision.number)).where(Revision.dataset_id == dataset.id))
        or 0
    )
    revision = Revision(dataset_id=dataset.id, number=number + 1, created_by=user_id)
    for column in METADATA_FIELD_NAMES:
        setattr(revision, column, getattr(live, column))
    revision.entries = [
        RevisionResource(resource_id=e.resource_id, version_id=e.version_id, position=e.position)
        for e in live.entries
    ]
    session.add(revision)
    session.flush()
    dataset.working_revision_id = revision.id
    dataset.working_revision = revision
    return revision


def _check_decisions(
    actor: Actor,
    organization_id: str,
    version: ResourceVersion,
    decisions: Sequence[Mapping[str, str]],
) -> list[ColumnDecision]:
    """Return the recorded decisions with ``decisions`` (as entered) laid over them.

    Raises ``InvalidInput`` with the problems by column.
    """
    findings = {f.column: f for f in version.column_findings}
    errors: dict[str, list[str]] = {}
    cleaned: list[ColumnDecision] = []
    for decision in decisions:
        column, action = decision.get("column", ""), decision.get("action", "")
        justification = decision.get("justification", "").strip()
        if column not in findings:
            errors.setdefault(column or "column", []).append("unknown_column")
            continue
        try:
            chosen = Action(action)
        except ValueError:
            errors.setdefault(column, []).append("unknown_action")
            continue
        if chosen is Action.KEEP:
            if not can(actor, Permission.DECIDE_KEEP, organization_id):
                errors.setdefault(column, []).append("keep_needs_steward")
            if not justification:
                errors.setdefault(column, []).append("justification_required")
        cleaned.append(
            ColumnDecision(
                column=column,
                kind=findings[column].kind,
                action=chosen,
                justification=justification,
                decided_by=actor.user_id or "",
            )
        )
    if errors:
        raise InvalidInput("invalid decisions", errors)
    merged = version.decisions_by_column()
    merged.update({d.column: d for d in cleaned})
    return list(merged.values())


_VERSION_COPY_COLUMNS = (
    "resource_id",
    "name",
    "description",
    "url",
    "status",
    "error_code",
    "error_params",
    "original_filename",
    "original_key",
    "original_sha256",
    "original_size",
    "normalized_key",
    "format",
    "media_type",
    "encoding",
    "encoding_override",
    "sheet",
    "sheet_names",
    "is_tabular",
    "table_schema",
    "validation",
    "findings",
    "decisions",
    "smallest_group",
    "row_count",
    "filename",
    "public_sha256",
    "public_size",
    "public_schema",
    "created_by",
)


def _apply_metadata(revision: Revision, meta: DatasetMetadata) -> None:
    for column, value in metadata_values(meta).items():
        if column == "extras" and value is None:
            continue  # not given: the stored extras stay
        setattr(revision, column, value)


def _metadata_summary(revision: Revision) -> dict[str, object]:
    summary = {column: getattr(revision, column) for column in METADATA_FIELD_NAMES}
    summary["extras"] = summary["extras"] or {}  # None on revisions older than the column
    return summary


def _theme_names(session: Session) -> set[str]:
    return set(session.scalars(select(Theme.name)).all())
