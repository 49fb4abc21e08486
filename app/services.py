"""The composition root: the only place that picks concrete backends (STYLE §3).

``build_services(settings)`` works without Flask, so the CLI, the job worker, the
benchmarks and the tests all compose the portal the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.bulk import JOB_BULK_ARCHIVE, build_archive
from app.config import Settings, datastore_url_for, s3_options, search_url_for
from app.encoded_views import EncodedViews
from app.freshness import Freshness
from app.harvesting import build_harvester
from app.indexing import document_from_public, index_dataset, rebuild_index
from app.keys import Keys, load_keys
from app.leases import leases_for
from app.rate_store import RateLimits, open_rate_limits
from app.webhook_sender import GuardedSender
from datasets.audience import Readers
from datasets.bulk_archives import ArchiveInfo, BulkArchives
from datasets.data_requests import DataRequests
from datasets.datastore import SHARED_DATASTORE, Datastore, open_datastore
from datasets.datastore_staging import JOB_STAGE_DATASTORE, JOB_SWEEP_STAGED, Staging
from datasets.datastore_sync import dataset_of_version, prune_datastore
from datasets.editing import DatasetEditor
from datasets.follows import JOB_NOTIFY_FOLLOWERS, Follows
from datasets.leak_reports import Reports
from datasets.live_feed import LiveFeed
from datasets.model import Dataset, DatasetState
from datasets.notifications import Notifier
from datasets.personal import DEFAULT_QUASI_IDENTIFIERS, Policy, policy_from_dict
from datasets.processing import TIME_LIMIT, Processor
from datasets.progress import ProgressBoard
from datasets.public import PublicCatalog
from datasets.public_cache import BoundedCache, ViewCache
from datasets.queue import HueyQueue, Wakeup, open_huey
from datasets.resource_edit import JOB_PROCESS_VERSION
from datasets.sharing import Sharing
from datasets.storage import BlobStore, LocalBlobStore, open_blob_store
from datasets.uploads import sweep_leftovers
from datasets.usage import UsageRecorder
from datasets.vault import Vault
from datasets.webhooks import JOB_DELIVER_WEBHOOK, JOB_WEBHOOK_EVENT, Webhooks
from datasets.workflow import JOB_LOAD_DATASTORE, Workflow
from harvesters import Harvester
from publishers import (
    Accounts,
    Administration,
    Audit,
    Mailer,
    Registration,
    SignInSessions,
    Site,
    Tokens,
    make_engine,
    make_sessions,
    open_mailer,
)
from search_index import SearchIndex, SearchPage, SearchQuery, open_search_index

__all__ = ["Caches", "Services", "build_services", "document_from_public"]
log = logging.getLogger(__name__)
JOB_INDEX_DATASET = "index_dataset"
# Rendered anonymous pages one process keeps (each at most ``app.web.page_cache.MAX_BYTES``).
PAGE_CACHE_SIZE = 300


@dataclass(frozen=True)
class Caches:
    """The bounded memories of the web pages, shared by a process's threads."""

    # DCAT and data.json bodies by ETag (the ETag changes with the catalog).
    catalog_documents: BoundedCache[str, tuple[bytes, str]]
    # Rendered analyses of a published table (map, dictionary, statistics), per language.
    fragments: BoundedCache[tuple[object, ...], str]
    # The point map of a published table, by resource, file digest and coordinate columns.
    maps: BoundedCache[tuple[str, str, str, str], object]
    # The ids of a dataset's related datasets, for a minute per dataset version.
    related: ViewCache[tuple[str, ...]]
    # Whole pages rendered for anonymous readers, with the views they were built from
    # (``app.web.page_cache``); None when ``OPENDATA_PAGE_CACHE_SECONDS`` is 0.
    pages: BoundedCache[tuple[object, ...], tuple[tuple[object, ...], str]] | None = None
    # The encoded JSON of public views in API lists (``app.encoded_views``).
    views: EncodedViews = field(default_factory=EncodedViews)


def new_caches(page_seconds: float = 0) -> Caches:
    """Empty caches of the sizes the pages were tuned with."""
    return Caches(
        catalog_documents=BoundedCache(64),
        fragments=BoundedCache(512),
        maps=BoundedCache(512),
        related=ViewCache(60, size=2000),
        pages=BoundedCache(PAGE_CACHE_SIZE, page_seconds) if page_seconds > 0 else None,
    )


@dataclass(frozen=True)
class Services:
    """Everything the web layer, the CLI and the worker use; composed by ``build_services``."""

    settings: Settings
    keys: Keys
    engine: Engine
    sessions: sessionmaker[Session]
    accounts: Accounts
    tokens: Tokens
    public_store: BlobStore
    vault: Vault
    queue: HueyQueue
    processor: Processor
    editor: DatasetEditor
    workflow: Workflow
    catalog: PublicCatalog[SearchQuery, SearchPage]
    search: SearchIndex
    datastore: Datastore
    # Tables of datasets at the registered/agencies/restricted levels (issue 18): read only
    # through ``readers``, never by the SQL endpoint.
    shared_datastore: Datastore
    mailer: Mailer
    # Accounts administration, registration, audit log and site content (issue 5).
    audit: Audit
    admin: Administration
    registration: Registration
    site: Site
    notifier: Notifier
    reports: Reports
    # Server-side sign-in sessions (issue 15).
    signin_sessions: SignInSessions
    # Harvest sources and jobs (issue 9).
    harvester: Harvester
    # Usage counters of the APIs and downloads; the APIs' rate limits (the application's
    # sign-in and mail throttles count in their store).
    usage: UsageRecorder
    rate_limits: RateLimits
    caches: Caches
    # Shared data (issue 18): requests, grants, the access log; each reader's projection.
    sharing: Sharing
    readers: Readers
    # Rows written to published tables by agency systems and sensors (issue 17).
    live_feed: LiveFeed
    # Requests for datasets the portal does not have (issue 21).
    data_requests: DataRequests
    # Followers of datasets and their mails; overdue-update flags (issue 21).
    follows: Follows
    freshness: Freshness
    # Tokens' subscriptions to published changes, delivered by jobs (issue 23).
    webhooks: Webhooks
    # The nightly bulk archives of the public data (issue 23).
    bulk: BulkArchives

    def build_bulk_archive(self) -> ArchiveInfo:
        """Build a bulk archive now and list it (``app.bulk``); raise ``ArchiveStopped``."""
        s = self.settings
        return build_archive(
            self.catalog,
            self.public_store,
            self.bulk,
            site_url=s.site_url,
            scratch=s.data_dir / "tmp",
            max_bytes=s.bulk_max_mb * 1024 * 1024,
            max_seconds=s.bulk_max_seconds,
        )

    def bulk_job(self, payload: Mapping[str, Any]) -> ArchiveInfo | None:
        """The ``bulk_archive`` job: one build at a time across servers (None: another is
        running), and the nightly one (``nightly`` in ``payload``) once whichever job
        processes queued it."""
        with leases_for(self.settings).hold("bulk-archive-build") as alone:
            if not alone:
                return None
            if payload.get("nightly") and self.bulk.built_since(timedelta(hours=12)):
                return None
            return self.build_bulk_archive()

    def index_dataset(self, dataset_id: str) -> None:
        """Bring the search index in line with the database for one dataset."""
        index_dataset(self.catalog, self.search, self.sessions, dataset_id)

    def job_stopped(
        self, job: str, payload: Mapping[str, Any], code: str, params: Mapping[str, Any]
    ) -> None:
        """Record that the job process stopped a job (its time limit): the upload fails."""
        if job == JOB_PROCESS_VERSION:
            self.processor.mark_failed(str(payload["version_id"]), TIME_LIMIT, params)
        log.warning("job stopped", extra={"job": job, "code": code})

    def job_died(self, job: str, payload: Mapping[str, Any]) -> bool:
        """A job's process died (killed, out of memory): True when it should run again."""
        if job == JOB_PROCESS_VERSION:
            return self.processor.retry_or_fail(str(payload["version_id"]))
        return True

    def prune_datastore(self, dataset_id: str) -> None:
        """Drop the datastore tables of the dataset's resources that are not public, and the
        shared datastore's tables of those no longer published at a shared level."""
        prune_datastore(self.sessions, self.datastore, dataset_id)
        prune_datastore(self.sessions, self.shared_datastore, dataset_id, shared=True)

    def rebuild_index(self) -> int:
        """Rebuild the whole search index from the database; return the count."""
        return rebuild_index(self.catalog, self.search, self.sessions)

    def ready_checks(self) -> dict[str, str]:
        """Check the database, storage and search; return component → "ok" or an error code."""
        results = {}
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            results["database"] = "ok"
        except Exception:
            results["database"] = "unreachable"
        try:
            self.public_store.ping()
            results["storage"] = "ok"
        except OSError:
            results["storage"] = "unwritable"
        results["search"] = self._search_check()
        return results

    def _search_check(self) -> str:
        """Run a real query on the index: "ok", "unreadable" (damaged or unreachable: the
        fix is ``opendata index rebuild``) or "empty" (nothing indexed while datasets are
        published, as after the index folder was emptied)."""
        try:
            self.search.ping()
            empty = self.search.count() == 0
        except Exception:
            log.warning("search index check failed", exc_info=True)
            return "unreadable"
        if empty:
            with self.sessions() as session:
                published = session.scalar(
                    select(Dataset.id).where(Dataset.state == DatasetState.PUBLISHED.value).limit(1)
                )
            if published is not None:
                return "empty"
        return "ok"


def open_stores(settings: Settings) -> tuple[BlobStore, BlobStore]:
    """The public store and the vault's (private) store that ``OPENDATA_STORAGE_URL`` names:
    ``public/`` and ``private/`` in the data dir's ``files/``, another folder or a bucket."""
    root = settings.data_dir.resolve() / "files"
    options = s3_options(settings)
    return (
        open_blob_store(settings.storage_url, root, "public", options),
        open_blob_store(settings.storage_url, root, "private", options),
    )


def build_services(settings: Settings) -> Services:
    """Compose the portal from ``settings``; the data dir's keys must exist."""
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = load_keys(settings)
    engine = make_engine(settings.effective_database_url)
    sessions = make_sessions(engine)
    accounts = Accounts(sessions)
    public_store, private_store = open_stores(settings)
    vault = Vault(private_store, keys.encryption_key, data_dir / "tmp")
    # Uploads and decrypted copies left by a crash (plaintext, maybe personal data).
    sweep_leftovers(
        [data_dir / "staging", data_dir / "tmp"]
        + [s.root / "tmp" for s in (public_store, private_store) if isinstance(s, LocalBlobStore)],
        settings.staging_max_age_hours * 3600,
    )
    huey = open_huey(settings.redis_url or None, data_dir, immediate=settings.jobs_immediate)
    # Workers poll a SQLite queue: queueing a job wakes them (Redis wakes them itself).
    wakeup = None if settings.redis_url or huey.immediate else Wakeup(data_dir / "run" / "wake")
    queue = HueyQueue(huey, {}, wakeup)
    datastore = open_datastore(datastore_url_for(settings), data_dir)
    # Never given to the SQL endpoint: only Readers-checked surfaces read it (issue 18).
    shared_datastore = open_datastore(datastore_url_for(settings), data_dir, SHARED_DATASTORE)
    processor = Processor(
        sessions,
        vault,
        public_store,
        policy_for=lambda org_id: _policy_for(accounts, org_id),
        hash_key=keys.hash_key,
        quasi_identifiers=DEFAULT_QUASI_IDENTIFIERS,
        datastore=datastore,
        progress=ProgressBoard(data_dir / "progress", redis_url=settings.redis_url),
        shared_datastore=shared_datastore,
    )
    audit = Audit(
        sessions,
        settings.audit_retention_days,
        ip_source=_request_ip,
        channel_source=_request_channel,
    )
    # Lifecycle transitions are audited by the workflow itself: every surface at once.
    workflow = Workflow(sessions, accounts, queue, audit=audit)
    mailer = open_mailer(settings.smtp_url, data_dir / "logs")
    notifier = Notifier(sessions, accounts, mailer, settings.site_url)
    workflow.add_listener(notifier.on_transition)
    follows = Follows(
        sessions,
        accounts,
        mailer,
        queue,
        secret_key=keys.secret_key,
        site_url=settings.site_url,
    )
    workflow.add_listener(follows.on_transition)
    sharing = Sharing(sessions)
    webhooks = Webhooks(
        sessions,
        accounts,
        sharing,
        mailer,
        queue,
        GuardedSender(settings.webhook_allowed_hosts),
        encryption_key=keys.encryption_key,
        site_url=settings.site_url,
        retry_seconds=settings.webhook_retry_seconds,
        max_failures=settings.webhook_max_failures,
    )
    workflow.add_listener(webhooks.on_transition)

    def published_change(action: str, dataset_id: str) -> None:
        follows.on_transition(action, dataset_id)
        webhooks.on_transition(action, dataset_id)

    search = open_search_index(search_url_for(settings))
    catalog: PublicCatalog[SearchQuery, SearchPage] = PublicCatalog(
        sessions, search, cache_seconds=30
    )

    def prune(dataset_id: str) -> None:
        prune_datastore(sessions, datastore, dataset_id)
        prune_datastore(sessions, shared_datastore, dataset_id, shared=True)

    harvester = build_harvester(
        settings,
        keys,
        sessions=sessions,
        accounts=accounts,
        queue=queue,
        processor=processor,
        vault=vault,
        public_store=public_store,
        catalog=catalog,
        search=search,
        notifier=notifier,
        prune_datastore=prune,
        followers=published_change,
        audit=audit,
    )
    rate_limits = open_rate_limits(
        settings.data_dir,
        settings.redis_url,
        settings.rate_limit_anon,
        settings.rate_limit_token,
        daily=settings.api_quota_token_daily,
    )
    sharing.add_listener(notifier.on_sharing)
    services = Services(
        settings=settings,
        keys=keys,
        engine=engine,
        sessions=sessions,
        accounts=accounts,
        tokens=Tokens(sessions),
        audit=audit,
        admin=Administration(sessions, accounts, audit),
        registration=Registration(sessions, accounts, keys.secret_key),
        site=Site(sessions, audit),
        public_store=public_store,
        vault=vault,
        queue=queue,
        processor=processor,
        editor=DatasetEditor(sessions, vault, public_store, queue),
        workflow=workflow,
        catalog=catalog,
        search=search,
        datastore=datastore,
        shared_datastore=shared_datastore,
        mailer=mailer,
        notifier=notifier,
        reports=Reports(
            sessions, encryption_key=keys.encryption_key, on_received=notifier.report_received
        ),
        signin_sessions=SignInSessions(
            sessions,
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
        ),
        harvester=harvester,
        usage=UsageRecorder(sessions),
        rate_limits=rate_limits,
        caches=new_caches(settings.page_cache_seconds),
        sharing=sharing,
        readers=Readers(sessions, sharing),
        live_feed=LiveFeed(
            sessions,
            vault,
            processor,
            audit,
            policy_for=lambda org_id: _policy_for(accounts, org_id),
        ),
        data_requests=DataRequests(sessions, keys.encryption_key, mailer, settings.site_url),
        follows=follows,
        freshness=Freshness(catalog),
        webhooks=webhooks,
        bulk=BulkArchives(sessions, public_store, settings.bulk_keep),
    )
    workflow.add_after_commit(services.index_dataset)
    # Withdrawn or replaced resources leave the datastore (datastore_search_sql reads it).
    workflow.add_after_commit(services.prune_datastore)
    staging = Staging(sessions, processor.projections)
    handlers: Mapping[str, Any] = {
        JOB_PROCESS_VERSION: processor.run_job,
        JOB_LOAD_DATASTORE: lambda payload: _load_and_prune(services, payload),
        JOB_STAGE_DATASTORE: staging.stage_job,
        JOB_SWEEP_STAGED: staging.sweep_job,
        JOB_INDEX_DATASET: lambda payload: services.index_dataset(str(payload["dataset_id"])),
        JOB_NOTIFY_FOLLOWERS: follows.notify_job,
        JOB_WEBHOOK_EVENT: webhooks.event_job,
        JOB_DELIVER_WEBHOOK: webhooks.delivering.deliver_job,
        JOB_BULK_ARCHIVE: services.bulk_job,
    }
    for job, handler in handlers.items():
        queue.register(job, handler)
    return services


def _load_and_prune(services: Services, payload: Mapping[str, Any]) -> None:
    # A load queued at approval may run after a withdrawal: prune again afterwards.
    services.processor.load_job(payload)
    dataset_id = dataset_of_version(services.sessions, str(payload["version_id"]))
    if dataset_id is not None:
        services.prune_datastore(dataset_id)


def _policy_for(accounts: Accounts, organization_id: str) -> Policy:
    """The organization's stored rules only: the built-in defaults come after the scan's
    proposals (``datasets.personal.decide``), the organization's rules before them."""
    org = accounts.find_organization(organization_id)
    if org is None or not org.policy:
        return Policy()
    return policy_from_dict(json.loads(org.policy))


def _request_ip() -> str | None:
    # The audit log's address of the acting client (truncated before it is stored).
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None


# Blueprints of the two APIs; every other request comes through the web pages.
_API_CHANNELS = {"api": "rest", "ckan_api": "ckan"}


def _request_channel() -> str | None:
    # The surface an audited action came through ("web", "rest", "ckan"); None outside
    # a request (the CLI names itself).
    from flask import has_request_context, request

    if not has_request_context():
        return None
    return _API_CHANNELS.get(request.blueprint or "", "web")
