"""A source's harvest objects: which remote dataset earlier jobs imported as which local one.

The runner reads them all before a job changes anything, and writes one for each dataset it
imports, finds unchanged or withdraws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvesters.base import RemoteRef
from harvesters.model import HarvestObject


@dataclass
class KnownDataset:
    """A remote dataset an earlier job of the source saw (its harvest object's values)."""

    remote_id: str
    alt_id: str
    dataset_id: str | None
    stamp: str
    content_hash: str
    resources: dict[str, str]
    withdrawn: bool


def load_known(sessions: sessionmaker[Session], source_id: str) -> list[KnownDataset]:
    """Return every harvest object of the source."""
    with sessions() as session:
        rows = session.scalars(
            select(HarvestObject).where(HarvestObject.source_id == source_id)
        ).all()
        return [
            KnownDataset(
                row.remote_id,
                row.alt_id,
                row.dataset_id,
                row.stamp,
                row.content_hash,
                dict(row.resources or {}),
                row.withdrawn,
            )
            for row in rows
        ]


def save_harvest_object(
    sessions: sessionmaker[Session],
    source_id: str,
    ref: RemoteRef,
    dataset_id: str,
    content_hash: str,
    resources: Mapping[str, str],
    clock: Callable[[], datetime],
    *,
    new: bool = False,
) -> None:
    """Store the harvest object (``new``: the job started without one for this dataset)."""
    with sessions.begin() as session:
        save_harvest_object_in(
            session, source_id, ref, dataset_id, content_hash, resources, clock, new=new
        )


def save_harvest_object_in(
    session: Session,
    source_id: str,
    ref: RemoteRef,
    dataset_id: str,
    content_hash: str,
    resources: Mapping[str, str],
    clock: Callable[[], datetime],
    *,
    new: bool = False,
) -> None:
    """``save_harvest_object`` in the caller's transaction (a harvest batch)."""
    row = None
    if not new:
        row = session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == source_id,
                HarvestObject.dataset_id == dataset_id,
            )
        ) or session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == source_id,
                HarvestObject.remote_id == ref.remote_id,
            )
        )
    if row is None:
        row = HarvestObject(source_id=source_id, remote_id=ref.remote_id)
        session.add(row)
    row.remote_id = ref.remote_id[:300]
    row.alt_id = ref.alt_id[:300]
    row.dataset_id = dataset_id
    row.stamp = ref.stamp[:100]
    row.content_hash = content_hash
    row.resources = dict(resources)
    row.withdrawn = False
    row.modified = clock()


def mark_withdrawn(
    sessions: sessionmaker[Session],
    source_id: str,
    remote_id: str,
    clock: Callable[[], datetime],
) -> None:
    """Record that the source's dataset ``remote_id`` was withdrawn (if it has an object)."""
    with sessions.begin() as session:
        row = session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == source_id,
                HarvestObject.remote_id == remote_id,
            )
        )
        if row is not None:
            row.withdrawn = True
            row.modified = clock()
