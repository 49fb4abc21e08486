"""Start-up reconciliation (issue 14): repair what a crash (``kill -9``) left behind.

Run by the job process when it starts, before it takes jobs; never inside a request.

- Uploads stuck in ``processing`` whose lease no live process holds: queued again, or marked
  failed with ``interrupted`` once processing was started ``MAX_ATTEMPTS`` times.
- Published tables that are not in the datastore: their load is queued.
- Staged datastore tables that no submission waits for any more: dropped
  (``datasets.datastore_staging``).
- Harvest jobs marked running whose process is gone (no live process holds the source's
  run lease): marked failed as ``interrupted``, so the source runs again at once.
- Datasets marked ``index_stale`` (set in the approval's or withdrawal's own transaction,
  cleared only after the index was updated) are indexed again; when the index does not
  hold as many datasets as are published, or an older version built it (``outdated``), it
  is rebuilt from the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from app.leases import load_lease
from datasets.datastore_staging import Staging
from datasets.datastore_sync import SHARED_LEVELS
from datasets.model import (
    Dataset,
    DatasetState,
    ResourceVersion,
    Revision,
    RevisionResource,
    VersionStatus,
)
from datasets.processing import INTERRUPTED, MAX_ATTEMPTS
from datasets.resource_edit import JOB_PROCESS_VERSION
from datasets.workflow import JOB_LOAD_DATASTORE
from publishers import utcnow

DATASTORE_LEVELS = sorted({"public", *SHARED_LEVELS})

if TYPE_CHECKING:
    from app.leases import AnyLeases
    from app.services import Services

log = logging.getLogger(__name__)
# With a queue too long to read, a periodic sweep queues again an upload never started only
# after it waited this long (a worker killed after taking its job, before starting it).
QUEUED_GRACE = timedelta(minutes=10)


@dataclass
class RecoveryReport:
    """What reconciliation did (ids), for the log and the tests."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)
    reindexed: list[str] = field(default_factory=list)
    harvests: list[str] = field(default_factory=list)
    staged_dropped: int = 0
    index_rebuilt: int | None = None

    def summary(self) -> str:
        """One line for the log."""
        rebuilt = "no" if self.index_rebuilt is None else f"{self.index_rebuilt} datasets"
        return (
            f"{len(self.requeued)} uploads queued again, {len(self.failed)} failed as "
            f"interrupted, {len(self.busy)} being processed elsewhere, {len(self.loads)} "
            f"datastore loads queued, {len(self.harvests)} harvest jobs failed as interrupted, "
            f"{len(self.reindexed)} datasets reindexed, "
            f"{self.staged_dropped} staged datastore tables dropped, "
            f"index rebuilt: {rebuilt}"
        )


def reconcile(services: Services, leases: AnyLeases, *, periodic: bool = False) -> RecoveryReport:
    """Repair stuck uploads, missing datastore tables and search index gaps.

    ``periodic``: the sweep a running job process repeats (``OPENDATA_RECOVERY_SECONDS``), so
    that the work of a job worker that died on another machine is taken over by a live one.
    It leaves alone uploads still waiting in the queue (with a very long queue: those never
    started and younger than ``QUEUED_GRACE``) and never rebuilds the whole index.
    """
    report = RecoveryReport()
    _stuck_uploads(services, leases, report, periodic)
    _missing_loads(services, leases, report, periodic)
    report.harvests = services.harvester.fail_interrupted()
    _search_index(services, report, periodic)
    # Staged tables no submission waits for (a job process that died before the sweep
    # queued at a rejection ran, say): dropped, so none is kept forever (issue 24).
    report.staged_dropped = Staging(services.sessions, services.processor.projections).sweep()
    return report


def _stuck_uploads(
    services: Services, leases: AnyLeases, report: RecoveryReport, periodic: bool
) -> None:
    query = select(ResourceVersion).where(
        ResourceVersion.status == VersionStatus.PROCESSING.value,
        ResourceVersion.url.is_(None),
    )
    waiting: set[str] = set()
    if periodic:
        # Uploads still in the queue are left alone. A job taken by a worker that died (or
        # queued twice by a race) runs again: a second run is a no-op (lease or status).
        queued = services.queue.queued_payloads(JOB_PROCESS_VERSION)
        if queued is None:  # too long a queue to read: started ones, or queued long ago
            query = query.where(
                or_(
                    ResourceVersion.processing_attempts > 0,
                    ResourceVersion.created < utcnow() - QUEUED_GRACE,
                )
            )
        else:
            waiting = {str(p.get("version_id")) for p in queued}
    with services.sessions.begin() as session:
        stuck = session.scalars(query).all()
        for version in stuck:
            if version.id in waiting:
                continue
            if leases.is_held(f"version:{version.id}"):
                report.busy.append(version.id)
                continue
            session.refresh(version)  # it may have finished since it was read
            if version.status != VersionStatus.PROCESSING.value:
                continue
            if version.processing_attempts >= MAX_ATTEMPTS:
                version.status = VersionStatus.FAILED.value
                version.error_code = INTERRUPTED
                version.error_params = {"attempts": version.processing_attempts}
                version.processing_attempts = 0
                report.failed.append(version.id)
            else:
                report.requeued.append(version.id)
    for version_id in report.requeued:  # after the commit: a job may run at once
        services.queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version_id})
    if report.failed:
        log.warning("uploads failed as interrupted", extra={"versions": report.failed})


def _missing_loads(
    services: Services, leases: AnyLeases, report: RecoveryReport, periodic: bool
) -> None:
    """Queue the load of every published table not in its datastore, but for loads running
    (their lease is held) or, in a periodic sweep, still waiting in the queue."""
    waiting: set[str] = set()
    if periodic:
        queued = services.queue.queued_payloads(JOB_LOAD_DATASTORE)
        waiting = {str(p.get("version_id")) for p in queued or []}
    with services.sessions() as session:
        report.loads = list(
            session.scalars(
                select(ResourceVersion.id)
                .join(RevisionResource, RevisionResource.version_id == ResourceVersion.id)
                .join(Dataset, Dataset.live_revision_id == RevisionResource.revision_id)
                .join(Revision, Revision.id == Dataset.live_revision_id)
                .where(
                    Dataset.state == DatasetState.PUBLISHED.value,
                    # public tables, and shared ones (catalog-only tables are loaded nowhere)
                    Revision.access_level.in_(DATASTORE_LEVELS),
                    ResourceVersion.is_tabular.is_(True),
                    ResourceVersion.public_sha256.is_not(None),
                    ResourceVersion.datastore_loaded.is_(False),
                )
            ).all()
        )
    report.loads = [
        v for v in report.loads if v not in waiting and not leases.is_held(load_lease(v))
    ]
    for version_id in report.loads:
        services.queue.enqueue(JOB_LOAD_DATASTORE, {"version_id": version_id})


def _search_index(services: Services, report: RecoveryReport, periodic: bool) -> None:
    with services.sessions() as session:
        published = session.scalar(
            select(func.count())
            .select_from(Dataset)
            .where(Dataset.state == DatasetState.PUBLISHED.value)
        )
        stale = list(session.scalars(select(Dataset.id).where(Dataset.index_stale.is_(True))))
    if not periodic and (services.search.outdated() or services.search.count() != published):
        report.index_rebuilt = services.rebuild_index()
        return
    for dataset_id in stale:
        services.index_dataset(dataset_id)
        report.reindexed.append(dataset_id)
