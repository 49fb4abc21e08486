"""Compose the harvester from the portal's services (a companion of ``app/services.py``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import update

from datasets.editing import JOB_PROCESS_VERSION, DatasetEditor
from datasets.model import Dataset
from datasets.workflow import Workflow
from harvesters import (
    JOB_HARVEST,
    AddressPolicy,
    Harvester,
    HarvestSources,
    HttpLimits,
    Importer,
    InlineQueue,
    RunnerDeps,
    SecretStore,
    SqlBoundaries,
)
from publishers import utcnow

if TYPE_CHECKING:
    from app.config import Settings
    from app.services import Services


log = logging.getLogger(__name__)
BATCH = 250


class BatchIndexer:
    """Collect the datasets a harvest job changed; update the search index in batches.

    A failed batch marks its datasets ``index_stale`` (``opendata index rebuild`` repairs
    them), as a failed after-commit update does for a single dataset.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._pending: list[str] = []

    def add(self, dataset_id: str) -> None:
        """Remember a changed dataset; flush when a batch is full."""
        self._pending.append(dataset_id)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Bring the index in line with the database for every remembered dataset."""
        ids, self._pending = list(dict.fromkeys(self._pending)), []
        if not ids:
            return
        from app.services import document_from_public

        svc = self._services
        try:
            views = svc.catalog.get_many(ids)
            svc.search.upsert([document_from_public(v) for v in views])
            public = {v.id for v in views}
            gone = [i for i in ids if i not in public]
            if gone:
                svc.search.delete(gone)
            with svc.sessions.begin() as session:  # the approvals marked them stale
                session.execute(
                    update(Dataset).where(Dataset.id.in_(ids)).values(index_stale=False)
                )
        except Exception:
            log.exception("harvest index batch failed", extra={"count": len(ids)})
            with svc.sessions.begin() as session:
                for dataset_id in ids:
                    dataset = session.get(Dataset, dataset_id)
                    if dataset is not None:
                        dataset.index_stale = True


def sql_boundaries(settings: Settings) -> SqlBoundaries:
    """What SQL sources may read: ``OPENDATA_HARVEST_SQL_PATHS``, never the portal's own."""
    allowed = tuple(Path(p.strip()) for p in settings.harvest_sql_paths.split(",") if p.strip())
    forbidden = [settings.data_dir]
    own = settings.effective_database_url
    if own.startswith("sqlite:"):
        forbidden.append(Path(own.split(":///", 1)[-1]))
    return SqlBoundaries(allowed, tuple(forbidden), own)


def build_harvester(services: Services) -> Harvester:
    """Return the harvester; register its queue job. Imports process files inline."""
    from app.jobs import leases_for  # the run leases of the data dir (issue 14)

    settings = services.settings
    data_dir = settings.data_dir.resolve()
    # The harvest job already runs in the background: it processes each file itself so
    # that it can submit and approve in the same run.
    inline = InlineQueue({JOB_PROCESS_VERSION: services.processor.run_job})
    indexer = BatchIndexer(services)
    # A workflow of its own: the same transitions, listeners and after-commit work as the
    # shared one, but search-index updates are batched per job (one Whoosh commit per
    # batch instead of one per dataset: the largest cost of a 10,000-dataset harvest).
    workflow = Workflow(services.sessions, services.accounts, services.queue)
    workflow.add_after_commit(indexer.add)
    for name in ("prune_datastore",):
        callback = getattr(services, name, None)
        if callable(callback):
            workflow.add_after_commit(callback)
    # No workflow listener: the harvester's own transitions concern its system accounts;
    # the importer tells the stewards about the submissions it leaves for them.
    notifier = getattr(services, "notifier", None)
    notify = notifier.on_transition if notifier is not None else None
    editor = DatasetEditor(services.sessions, services.vault, services.public_store, inline)
    scratch = data_dir / "tmp" / "harvest"
    scratch.mkdir(parents=True, exist_ok=True)
    deps = RunnerDeps(
        sessions=services.sessions,
        accounts=services.accounts,
        importer=Importer(services.sessions, editor, workflow, utcnow, notify),
        hash_key=services.keys.hash_key,
        scratch=scratch,
        clock=utcnow,
        # The job's worker processes analyse each stripped table once; processing takes it.
        analyses=services.processor.prepared,
    )
    sources = HarvestSources(
        services.sessions,
        services.accounts,
        SecretStore(data_dir / "secrets", services.keys.encryption_key),
    )
    harvester = Harvester(
        services.sessions,
        sources,
        deps,
        AddressPolicy.from_setting(settings.harvest_allowed_hosts),
        HttpLimits(max_bytes=settings.max_upload_bytes),
        queue=services.queue,
        on_finish=indexer.flush,
        sql_boundaries=sql_boundaries(settings),
        leases=leases_for(settings),
    )
    services.queue.register(JOB_HARVEST, harvester.run_job)
    return harvester


def schedule_harvests(services: Services) -> None:
    """Register the periodic task that queues due harvest sources every minute."""
    from huey import crontab

    harvester = services.harvester
    if harvester is None:
        return

    @services.queue.huey.periodic_task(crontab(minute="*"), name="opendata.harvest_due")
    def harvest_due() -> None:
        harvester.run_due()


DEMO_SOURCE = "du-lieu-mo-tphcm"


def register_demo_source(services: Services) -> None:
    """Register the demo catalog's harvest source definition (idempotent; never run here).

    It points at the portal's own ``/data.json`` as an example of a DCAT-US source; running
    it needs ``OPENDATA_HARVEST_ALLOWED_HOSTS`` to allow the portal's own (loopback) address.
    """
    harvester = services.harvester
    if harvester is None or harvester.sources.find(DEMO_SOURCE) is not None:
        return
    harvester.sources.register(
        DEMO_SOURCE,
        "datajson",
        f"{services.settings.site_url.rstrip('/')}/data.json",
        "cuc-thong-ke",
        {"approval_extra": "accessLevel=public", "require_review": True},
        "manual",
    )
