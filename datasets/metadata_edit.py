"""Creating a dataset and editing its metadata (title, description, themes, extras...).

Each function works inside the caller's transaction; ``DatasetEditor`` opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datasets.metadata_input import (
    METADATA_FIELD_NAMES,
    DatasetMetadata,
    clean_metadata,
    metadata_values,
)
from datasets.model import Dataset, DatasetState, Revision, Theme
from datasets.queries import get_dataset
from datasets.revisions import record_activity, working_revision
from datasets.text import vn_slug
from publishers import Actor, Conflict, InvalidInput

RESERVED_NAMES = frozenset(
    {"new", "edit", "search", "delete", "api", "admin", "activity", "resource", "groups"}
)


def create_dataset(
    session: Session,
    user_id: str,
    organization_id: str,
    meta: DatasetMetadata,
    *,
    name: str,
    now: datetime,
) -> Dataset:
    """Add a draft dataset with its first revision; its name is ``name`` or the title slug."""
    meta = clean_metadata(meta, _theme_names(session))
    slug = unique_name(session, name or meta.title_vi, explicit=bool(name))
    dataset = Dataset(
        name=slug,
        organization_id=organization_id,
        state=DatasetState.DRAFT.value,
        created_by=user_id,
        created=now,
        modified=now,
    )
    session.add(dataset)
    session.flush()
    revision = Revision(dataset_id=dataset.id, number=1, created_by=user_id)
    _apply_metadata(revision, meta)
    revision.created = now
    session.add(revision)
    session.flush()
    dataset.working_revision_id = revision.id
    record_activity(
        session,
        dataset,
        user_id,
        "create",
        to_state="draft",
        now=now,
        details={"title": meta.title_vi},
    )
    return dataset


def unique_name(session: Session, wanted: str, *, explicit: bool) -> str:
    """The dataset name for ``wanted``: an explicit name must be a free slug as given;
    a name from the title gets ``-2``, ``-3``... when taken."""
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
    session: Session,
    actor: Actor,
    name: str,
    meta: DatasetMetadata,
    *,
    expected_version: int | None,
    clock: Callable[[], datetime],
) -> Dataset:
    """Replace the working revision's metadata and record which fields changed."""
    dataset = get_dataset(session, name, for_update=True)
    revision = working_revision(session, actor, dataset, expected_version, clock)
    before = _metadata_summary(revision)
    meta = clean_metadata(meta, _theme_names(session))
    _apply_metadata(revision, meta)
    changed = sorted(k for k, v in _metadata_summary(revision).items() if before[k] != v)
    record_activity(
        session,
        dataset,
        actor.user_id,
        "edit",
        now=clock(),
        details={"changed": changed},
    )
    return dataset


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
