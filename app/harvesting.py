"""Compose the harvester from the portal's services (a companion of ``app/services.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.indexing import document_from_public
from app.leases import leases_for
from datasets.datastore_sync import has_loaded_tables
from datasets.editing import DatasetEditor
from datasets.model import Dataset
from datasets.notifications import Notifier
from datasets.processing import Processor
from datasets.public import PublicCatalog
from datasets.queue import HueyQueue
from datasets.resource_edit import JOB_PROCESS_VERSION
from datasets.storage import BlobStore
from datasets.vault import Vault
from datasets.workflow import Workflow
from harvesters import (
    JOB_HARVEST,
    AddressPolicy,
    BatchImporter,
    Harvester,
    HarvestSources,
    HttpLimits,
    Importer,
    InlineQueue,
    RunnerDeps,
    SecretStore,
    SqlBoundaries,
)
from publishers import Accounts, Audit, utcnow
from search_index import SearchIndex, SearchPage, SearchQuery

if TYPE_CHECKING:
    from app.config import Settings
    from app.keys import Keys


class Composed(Protocol):
    """What the harvest schedule and the demo source read of the composed services."""

    @property
    def settings(self) -> Settings: ...

    @property
    def queue(self) -> HueyQueue: ...

    @property
    def harvester(self) -> Harvester: ...


log = logging.getLogger(__name__)
BATCH = 250


class BatchIndexer:
    """Collect the datasets a harvest job changed; update the search index in batches.

    A failed batch marks its datasets ``index_stale`` (``opendata index rebuild`` repairs
    them), as a failed after-commit update does for a single dataset.
    """

    def __init__(
        self,
        catalog: PublicCatalog[SearchQuery, SearchPage],
        search: SearchIndex,
        sessions: sessionmaker[Session],
    ) -> None:
        self._catalog = catalog
        self._search = search
        self._sessions = sessions
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
        try:
            views = self._catalog.get_many(ids)
            self._search.upsert([document_from_public(v) for v in views])
            public = {v.id for v in views}
            gone = [i for i in ids if i not in public]
            if gone:
                self._search.delete(gone)
            with self._sessions.begin() as session:  # the approvals marked them stale
                session.execute(
                    update(Dataset).where(Dataset.id.in_(ids)).values(index_stale=False)
                )
        except Exception:
            log.exception("harvest index batch failed", extra={"count": len(ids)})
            with self._sessions.begin() as session:
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


def build_harvester(
    settings: Settings,
    keys: Keys,
    *,
    sessions: sessionmaker[Session],
    accounts: Accounts,
    queue: HueyQueue,
    processor: Processor,
    vault: Vault,
    public_store: BlobStore,
    catalog: PublicCatalog[SearchQuery, SearchPage],
    search: SearchIndex,
    notifier: Notifier,
    prune_datastore: Callable[[str], None],
    followers: Callable[[str, str], None] | None = None,
    audit: Audit | None = None,
) -> Harvester:
    """Return the harvester; register its queue job. Imports process files inline."""
    data_dir = settings.data_dir.resolve()
    # The harvest job already runs in the background: it processes each file itself so
    # that it can submit and approve in the same run.
    leases = leases_for(settings)

    def process_leased(payload: Mapping[str, Any]) -> None:
        # Held like a queued upload's: recovery never queues it again while it runs here.
        with leases.hold(f"version:{payload['version_id']}") as held:
            if held:
                processor.run_job(payload)

    inline = InlineQueue({JOB_PROCESS_VERSION: process_leased})
    indexer = BatchIndexer(catalog, search, sessions)
    # A workflow of its own: the same transitions, listeners and after-commit work as the
    # shared one, but search-index updates are batched per job (one Whoosh commit per
    # batch instead of one per dataset: the largest cost of a 10,000-dataset harvest).
    workflow = Workflow(sessions, accounts, queue, audit=audit)
    workflow.add_after_commit(indexer.add)

    def prune_loaded(dataset_id: str) -> None:
        # One query for the datasets whose resources never reached a datastore (every new
        # harvested dataset): nothing there to drop.
        if has_loaded_tables(sessions, dataset_id):
            prune_datastore(dataset_id)

    workflow.add_after_commit(prune_loaded)
    # No review listener: the harvester's own transitions concern its system accounts;
    # the importer tells the stewards about the submissions it leaves for them. Followers
    # of a dataset hear of a harvested new version or withdrawal like any other (issue 21).
    if followers is not None:
        workflow.add_listener(followers)
    editor = DatasetEditor(sessions, vault, public_store, inline)
    scratch = data_dir / "tmp" / "harvest"
    scratch.mkdir(parents=True, exist_ok=True)
    importer = Importer(sessions, editor, workflow, utcnow, notifier.on_transition)
    deps = RunnerDeps(
        sessions=sessions,
        accounts=accounts,
        importer=importer,
        # Many datasets per transaction: one commit, one sync of the blobs per batch.
        batches=BatchImporter(sessions, vault, processor, workflow, utcnow, importer.tell_stewards),
        hash_key=keys.hash_key,
        scratch=scratch,
        clock=utcnow,
        # The job's worker processes analyse each stripped table once; processing takes it.
        analyses=processor.prepared,
    )
    sources = HarvestSources(
        sessions,
        accounts,
        # On a bucket (several servers), sealed in the database so every worker reads it.
        SecretStore(
            data_dir / "secrets",
            keys.encryption_key,
            sessions if settings.storage_url.startswith("s3://") else None,
        ),
    )
    harvester = Harvester(
        sessions,
        sources,
        deps,
        AddressPolicy.from_setting(settings.harvest_allowed_hosts),
        HttpLimits(max_bytes=settings.max_upload_bytes),
        queue=queue,
        on_finish=indexer.flush,
        sql_boundaries=sql_boundaries(settings),
        leases=leases,  # the run leases (issue 14), shared by the servers on PostgreSQL
    )
    queue.register(JOB_HARVEST, harvester.run_job)
    return harvester


def schedule_harvests(services: Composed) -> None:
    """Register the periodic task that queues due harvest sources every minute."""
    from huey import crontab

    harvester = services.harvester

    leases = leases_for(services.settings)

    @services.queue.huey.periodic_task(crontab(minute="*"), name="opendata.harvest_due")
    def harvest_due() -> None:
        # Every job worker runs this each minute: one at a time (across servers on
        # PostgreSQL), and a source queued by one is no longer due for the next.
        with leases.hold("harvest-due") as alone:
            if alone:
                harvester.run_due()


DEMO_SOURCE = "du-lieu-mo-tphcm"


def register_demo_source(services: Composed) -> None:
    """Register the demo catalog's harvest source definition (idempotent; never run here).

    It points at the portal's own ``/data.json`` as an example of a DCAT-US source; running
    it needs ``OPENDATA_HARVEST_ALLOWED_HOSTS`` to allow the portal's own (loopback) address.
    """
    harvester = services.harvester
    if harvester.sources.find(DEMO_SOURCE) is not None:
        return
    harvester.sources.register(
        DEMO_SOURCE,
        "datajson",
        f"{services.settings.site_url.rstrip('/')}/data.json",
        "cuc-thong-ke",
        {"approval_extra": "accessLevel=public", "require_review": True},
        "manual",
    )
