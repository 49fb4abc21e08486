"""The working revision every edit lands on, and the activity log each edit records.

Editing a published dataset opens a pending revision (a copy of the live one), so the
public version stays as it is until a steward approves the change. A resource version that
is already live is never changed in place: the edit goes to a copy in the working revision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datasets.errors import StaleVersion, TransitionNotAllowed
from datasets.lifecycle import Transition, next_revision_status, next_state, require_on_dataset
from datasets.metadata_input import METADATA_FIELD_NAMES
from datasets.model import (
    Activity,
    Dataset,
    DatasetState,
    ResourceVersion,
    Revision,
    RevisionResource,
    RevisionStatus,
)
from publishers import Actor, NotFound, Permission, utcnow


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


def working_revision(
    session: Session,
    actor: Actor,
    dataset: Dataset,
    expected_version: int | None,
    clock: Callable[[], datetime],
) -> Revision:
    """Return the revision to edit (opening one if needed) and bump the lock version.

    Raises ``StaleVersion`` when ``expected_version`` is not the dataset's current lock
    version; None skips the check.
    """
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
    dataset.modified = clock()
    return revision


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


def find_entry(revision: Revision, resource_id: str) -> RevisionResource | None:
    """The revision's entry for ``resource_id``, or None."""
    return next((e for e in revision.entries if e.resource_id == resource_id), None)


def editable_version(
    session: Session, dataset: Dataset, entry: RevisionResource, clock: Callable[[], datetime]
) -> ResourceVersion:
    """The entry's version, copied first (and the entry pointed at the copy) if it is live."""
    live_ids = (
        {e.version_id for e in dataset.live_revision.entries} if dataset.live_revision else set()
    )
    version = entry.version
    if version.id not in live_ids:
        return version
    copy = ResourceVersion(
        **{c: getattr(version, c) for c in _VERSION_COPY_COLUMNS}, created=clock()
    )
    session.add(copy)
    session.flush()
    entry.version_id = copy.id
    entry.version = copy
    return copy


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
    "agency_decisions",
    "agency_key",
    "agency_size",
    "agency_schema",
    "created_by",
)
