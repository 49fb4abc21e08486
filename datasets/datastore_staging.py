"""Datastore tables built while a submission waits for review, swapped in at approval (issue 24).

A submission queues ``stage_datastore`` for each of its tables (``Workflow.submit``); the job
process builds the table the approval would load, in the datastore of the revision's access
level, as a staged table that no reader reaches (``Datastore.stage``). Its key names what it
was built from: the access level, the file of that level's projection (the public file's
hash, or the agency file's vault key) and the schema. The approval's load computes the key of
what it publishes and swaps the staged table in when the keys match (``load_staged``: one
transaction, no rows copied); otherwise (nothing staged, staging still running or failed, a
changed file, schema or level) it loads the file as before.

Staged tables that no submission waits for any more (rejected, withdrawn, replaced by a new
version, a dataset deleted, a job process that died between staging and approval) are dropped
by ``Staging.sweep``: queued after a rejection or a withdrawal, and run by every start-up
reconciliation and periodic recovery of the job process.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.access import AGENCY_LEVELS, AccessLevel
from datasets.datastore import Datastore, DatastoreError
from datasets.datastore_sync import SHARED_LEVELS
from datasets.errors import BlobNotFound
from datasets.model import (
    Dataset,
    DatasetState,
    ResourceVersion,
    Revision,
    RevisionResource,
    RevisionStatus,
)
from datasets.storage import BlobStore, local_copy
from datasets.vault import Vault

log = logging.getLogger(__name__)

JOB_STAGE_DATASTORE = "stage_datastore"
JOB_SWEEP_STAGED = "sweep_staged"
# Raised when what a staged table holds for the same inputs changes (casting, indexes).
STAGE_FORMAT = 1


def staging_key(level: str, source: str, schema: Mapping[str, Any]) -> str:
    """The key of a table built from ``source`` (a blob's hash or vault key) with ``schema``
    for a dataset at ``level``."""
    text = json.dumps([STAGE_FORMAT, level, source, schema], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Projection:
    """What a datastore load of a version at an access level reads and where it goes.

    ``public``: the public file into the public datastore (its column statistics are the
    ones stored on the version). ``source`` lends the file's path for the block.
    """

    datastore: Datastore
    schema: dict[str, Any]
    key: str
    public: bool
    source: Callable[[], AbstractContextManager[Path]]


class Projections:
    """Picks, for a version and an access level, the file, schema and datastore of its table:
    the public file into the public datastore (``public``), the public file into the shared
    one (``registered``), the agency file into the shared one (``agencies``/``restricted``
    with agency decisions); None for ``catalog-only``."""

    def __init__(
        self,
        public_store: BlobStore,
        vault: Vault,
        datastore: Datastore,
        shared: Datastore | None,
    ) -> None:
        self._public = public_store
        self._vault = vault
        self._datastore = datastore
        self._shared = shared

    def stores(self) -> list[Datastore]:
        """The datastores tables are loaded (and staged) into."""
        return [self._datastore] + ([self._shared] if self._shared is not None else [])

    def of(self, version: ResourceVersion, level: str) -> Projection | None:
        """The projection of ``version`` at ``level``, or None when it is loaded nowhere."""
        sha = version.public_sha256
        if not version.is_tabular or not sha:
            return None
        schema = dict(version.public_schema or {})
        if level == AccessLevel.PUBLIC.value:
            return Projection(
                self._datastore, schema, staging_key(level, sha, schema), True, self._blob(sha)
            )
        if self._shared is None or level not in SHARED_LEVELS:
            return None
        agency = version.agency_key
        if level in AGENCY_LEVELS and agency:
            schema = dict(version.agency_schema or schema)
            return Projection(
                self._shared,
                schema,
                staging_key(level, agency, schema),
                False,
                lambda: self._vault.decrypted(agency, ".csv"),
            )
        return Projection(
            self._shared, schema, staging_key(level, sha, schema), False, self._blob(sha)
        )

    def _blob(self, sha: str) -> Callable[[], AbstractContextManager[Path]]:
        # A store without files on disk (a bucket) lends a scratch copy.
        return lambda: local_copy(self._public, sha, self._vault.scratch_dir)


def submitted_level(session: Session, version_id: str) -> str | None:
    """The access level of the submitted revision waiting for review that holds the version
    (None when no submission holds it)."""
    return session.scalar(
        select(Revision.access_level)
        .join(Dataset, Dataset.working_revision_id == Revision.id)
        .join(RevisionResource, RevisionResource.revision_id == Revision.id)
        .where(
            RevisionResource.version_id == version_id,
            Revision.status == RevisionStatus.SUBMITTED.value,
        )
    )


class Staging:
    """Stages submitted tables (a job) and sweeps the staged tables no one waits for."""

    def __init__(self, sessions: sessionmaker[Session], projections: Projections) -> None:
        self._sessions = sessions
        self._projections = projections

    def stage_job(self, payload: Mapping[str, Any]) -> None:
        """Job handler: ``stage`` the payload's version."""
        self.stage(str(payload["version_id"]))

    def stage(self, version_id: str) -> bool:
        """Stage the version's table if a submission still waits for review with it; True
        when a table was staged. Failures are logged: the approval then loads the file."""
        with self._sessions() as session:
            version = session.get(ResourceVersion, version_id)
            level = submitted_level(session, version_id) if version is not None else None
            target, resource_id = None, ""
            if version is not None and level is not None:
                target = self._projections.of(version, level)
                resource_id = version.resource_id
        if target is None:
            return False
        try:
            with target.source() as path:
                target.datastore.stage(resource_id, path, target.schema, key=target.key)
        except (BlobNotFound, DatastoreError) as exc:
            log.warning("datastore staging failed", extra={"version_id": version_id, "error": exc})
            return False
        log.info("datastore table staged", extra={"version_id": version_id})
        return True

    def sweep_job(self, payload: Mapping[str, Any]) -> None:
        """Job handler: ``sweep``."""
        self.sweep()

    def sweep(self) -> int:
        """Drop every staged table that neither a submission waiting for review nor a
        publication whose load has not run yet would swap in; return how many."""
        dropped = 0
        for store in self._projections.stores():
            staged = store.staged()
            if not staged:
                continue
            wanted = self._wanted(staged)
            for resource_id, key in staged.items():
                if key not in wanted[resource_id]:
                    store.drop_staged(resource_id, key)
                    dropped += 1
        if dropped:
            log.info("staged datastore tables dropped", extra={"count": dropped})
        return dropped

    def _wanted(self, resource_ids: Iterable[str]) -> defaultdict[str, set[str]]:
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        with self._sessions() as session:
            for version, level in _waiting_versions(session, list(resource_ids)):
                target = self._projections.of(version, level)
                if target is not None:
                    wanted[version.resource_id].add(target.key)
        return wanted


def _waiting_versions(
    session: Session, resource_ids: list[str]
) -> Iterator[tuple[ResourceVersion, str]]:
    """The versions of those resources in a submission waiting for review, or in a live
    revision whose datastore load has not run yet, with the revision's access level."""
    waiting = or_(
        and_(
            Dataset.working_revision_id == Revision.id,
            Revision.status == RevisionStatus.SUBMITTED.value,
        ),
        and_(
            Dataset.live_revision_id == Revision.id,
            Dataset.state == DatasetState.PUBLISHED.value,
            ResourceVersion.datastore_loaded.is_(False),
        ),
    )
    rows = session.execute(
        select(ResourceVersion, Revision.access_level)
        .join(RevisionResource, RevisionResource.version_id == ResourceVersion.id)
        .join(Revision, Revision.id == RevisionResource.revision_id)
        .join(Dataset, Dataset.id == Revision.dataset_id)
        .where(RevisionResource.resource_id.in_(resource_ids), waiting)
    )
    for version, level in rows.all():
        yield version, str(level)
