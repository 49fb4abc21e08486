"""Loading datasets with the relations every caller needs, in one place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from datasets.model import Dataset, Revision, RevisionResource
from publishers import NotFound

_ENTRIES = selectinload(Revision.entries).selectinload(RevisionResource.version)
LOAD_OPTIONS = (
    selectinload(Dataset.live_revision).options(_ENTRIES),
    selectinload(Dataset.working_revision).options(_ENTRIES),
)


def find_dataset(session: Session, name_or_id: str, *, for_update: bool = False) -> Dataset | None:
    """Return the dataset with that name or id (revisions and versions loaded), or None."""
    query = (
        select(Dataset)
        .where((Dataset.name == name_or_id) | (Dataset.id == name_or_id))
        .options(*LOAD_OPTIONS)
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def get_dataset(session: Session, name_or_id: str, *, for_update: bool = False) -> Dataset:
    """Return the dataset with that name or id; raise ``NotFound``."""
    dataset = find_dataset(session, name_or_id, for_update=for_update)
    if dataset is None:
        raise NotFound("dataset not found", name=name_or_id)
    return dataset


def get_dataset_row(session: Session, name_or_id: str) -> Dataset:
    """Return the dataset row alone (no revisions loaded), for permission checks."""
    dataset = session.scalar(
        select(Dataset).where((Dataset.name == name_or_id) | (Dataset.id == name_or_id))
    )
    if dataset is None:
        raise NotFound("dataset not found", name=name_or_id)
    return dataset
