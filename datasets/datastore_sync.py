"""Keep the datastore in line with what is public: tables of non-public resources go.

The datastore is read by ``datastore_search_sql``, which names tables by resource id and
cannot ask the portal's database whether a table is public. So a withdrawn dataset's
tables, and the tables of resources dropped from a published dataset by a later revision,
are removed from the datastore once the change commits (and again after any late load
job), rather than trusting every query to be checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets.access import AGENCY_LEVELS, AccessLevel
from datasets.datastore import Datastore
from datasets.model import (
    Dataset,
    DatasetState,
    Resource,
    ResourceVersion,
    Revision,
    RevisionResource,
)

log = logging.getLogger(__name__)

_RESOURCE_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


# Levels whose tables live in the shared datastore (read only through ``Readers``).
SHARED_LEVELS = frozenset({AccessLevel.REGISTERED.value, *AGENCY_LEVELS})


def public_resource_ids(session: Session, dataset_id: str) -> set[str]:
    """Return the ids of the dataset's resources that are public (in its live revision).

    A dataset at any access level but ``public`` has none: its rows are never in the
    datastore, which anonymous callers query by SQL (issue 18).
    """
    return _live_resource_ids(session, dataset_id, frozenset({AccessLevel.PUBLIC.value}))


def shared_resource_ids(session: Session, dataset_id: str) -> set[str]:
    """Return the ids of the dataset's live resources that belong in the shared datastore:
    those of a published dataset at the ``registered``, ``agencies`` or ``restricted`` level."""
    return _live_resource_ids(session, dataset_id, SHARED_LEVELS)


def _live_resource_ids(session: Session, dataset_id: str, levels: frozenset[str]) -> set[str]:
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.state != DatasetState.PUBLISHED.value:
        return set()
    live = dataset.live_revision
    if live is None or live.access_level not in levels:
        return set()
    rows = session.scalars(
        select(RevisionResource.resource_id).where(
            RevisionResource.revision_id == dataset.live_revision_id
        )
    )
    return set(rows.all())


def prune_datastore(
    sessions: sessionmaker[Session],
    datastore: Datastore,
    dataset_id: str,
    *,
    shared: bool = False,
) -> int:
    """Drop the datastore tables of the dataset's resources that are not public.

    With ``shared``, ``datastore`` is the shared datastore and the tables kept are those of
    ``shared_resource_ids`` instead (a withdrawal, a level change or a replaced resource
    drops the others). Returns how many resources were pruned. Dropping an absent table is
    harmless, so this is safe to call after every change (approve, withdraw) and after loads.
    """
    with sessions() as session:
        if shared:
            public = shared_resource_ids(session, dataset_id)
        else:
            public = public_resource_ids(session, dataset_id)
        every = set(
            session.scalars(select(Resource.id).where(Resource.dataset_id == dataset_id)).all()
        )
    hidden = sorted(every - public)
    for resource_id in hidden:
        datastore.drop(resource_id)
    if hidden:
        log.info(
            "datastore pruned",
            extra={"dataset_id": dataset_id, "count": len(hidden), "shared": shared},
        )
    return len(hidden)


def has_loaded_tables(sessions: sessionmaker[Session], dataset_id: str) -> bool:
    """Whether a version of one of the dataset's resources was ever loaded into a datastore.

    Without one, ``prune_datastore`` has nothing to drop; a load that comes later is
    followed by its own prune (the ``load_datastore`` job).
    """
    with sessions() as session:
        loaded = session.scalar(
            select(ResourceVersion.id)
            .join(Resource, Resource.id == ResourceVersion.resource_id)
            .where(Resource.dataset_id == dataset_id, ResourceVersion.datastore_loaded.is_(True))
            .limit(1)
        )
    return loaded is not None


def dataset_of_version(sessions: sessionmaker[Session], version_id: str) -> str | None:
    """Return the id of the dataset a resource version belongs to, or None."""
    with sessions() as session:
        return session.scalar(
            select(Resource.dataset_id)
            .join(ResourceVersion, ResourceVersion.resource_id == Resource.id)
            .where(ResourceVersion.id == version_id)
        )


def resource_ids_in(sql: str) -> set[str]:
    """Return every resource id (a UUID, lower-cased) written in ``sql``.

    Datastore tables are named by resource id, so a query can only name a table by
    writing its id; callers compare these against the public resources.
    """
    return {match.lower() for match in _RESOURCE_ID.findall(sql)}


def non_public_resource_ids(sessions: sessionmaker[Session], ids: Iterable[str]) -> set[str]:
    """Return those of ``ids`` that are not a resource of a published dataset's live revision
    at the ``public`` level."""
    wanted = {i.lower() for i in ids}
    if not wanted:
        return set()
    with sessions() as session:
        public = set(
            session.scalars(
                select(RevisionResource.resource_id)
                .join(Dataset, Dataset.live_revision_id == RevisionResource.revision_id)
                .join(Revision, Revision.id == Dataset.live_revision_id)
                .where(
                    Dataset.state == DatasetState.PUBLISHED.value,
                    Revision.access_level == AccessLevel.PUBLIC.value,
                    RevisionResource.resource_id.in_(wanted),
                )
            ).all()
        )
    return wanted - {p.lower() for p in public}


def live_revision_number(session: Session, version: ResourceVersion) -> int | None:
    """Return the number of the live revision publishing ``version``, or None when the
    version is not what its resource publishes now (superseded, or not published)."""
    return session.scalar(
        select(Revision.number)
        .join(Dataset, Dataset.live_revision_id == Revision.id)
        .join(RevisionResource, RevisionResource.revision_id == Revision.id)
        .where(
            RevisionResource.resource_id == version.resource_id,
            RevisionResource.version_id == version.id,
        )
    )


def live_level(session: Session, version: ResourceVersion) -> str | None:
    """The access level of the live revision publishing the version (None: not live)."""
    return session.scalar(
        select(Revision.access_level)
        .join(Dataset, Dataset.live_revision_id == Revision.id)
        .join(RevisionResource, RevisionResource.revision_id == Revision.id)
        .where(RevisionResource.version_id == version.id)
    )
