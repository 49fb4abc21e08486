"""Harvest jobs: run a source now, queue a run, run due sources, read job reports."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets.queue import TaskQueue
from harvesters.base import HarvestSource
from harvesters.ckan import CkanSource
from harvesters.datajson import DataJsonSource
from harvesters.dcat import DcatSource
from harvesters.files import FileSource
from harvesters.http import AddressPolicy, HttpLimits, open_session
from harvesters.model import HarvestJob, JobStatus
from harvesters.report import HarvestReport
from harvesters.run_context import Progress, RunnerDeps, SourceContext
from harvesters.runner import run_harvest
from harvesters.schedule import is_due
from harvesters.sources import HarvestSources, SourceInfo
from harvesters.sql import SqlBoundaries, SqlSource
from publishers import Conflict, NotFound, utcnow

log = logging.getLogger(__name__)
JOB_HARVEST = "harvest_run"
# Without run leases, a job still marked running after this long is taken as dead.
STALE_RUNNING = timedelta(hours=6)
# The error of a job whose process died while it ran (kill -9, power cut).
INTERRUPTED = "interrupted"


class RunLeases(Protocol):
    """Locks held by a live process and released by the kernel when it dies."""

    def hold(self, key: str) -> AbstractContextManager[bool]:
        """Hold ``key`` for the block; yield False if another process holds it."""
        ...

    def is_held(self, key: str) -> bool:
        """Whether another live process holds ``key``."""
        ...


def run_lease_key(source_id: str) -> str:
    """The lease a process holds while it runs a job of the source."""
    return f"harvest:{source_id}"


@dataclass(frozen=True)
class JobInfo:
    """A job as the admin pages show it."""

    id: str
    source_id: str
    status: str
    dry_run: bool
    created: datetime
    started: datetime | None
    finished: datetime | None
    counts: Mapping[str, int]
    report: Mapping[str, Any]
    error: str


def _job_info(job: HarvestJob) -> JobInfo:
    return JobInfo(
        job.id,
        job.source_id,
        job.status,
        job.dry_run,
        job.created,
        job.started,
        job.finished,
        dict(job.counts or {}),
        dict(job.report or {}),
        job.error,
    )


class Harvester:
    """Runs harvest jobs for registered sources and keeps their reports."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sources: HarvestSources,
        deps: RunnerDeps,
        policy: AddressPolicy,
        limits: HttpLimits,
        queue: TaskQueue | None = None,
        clock: Callable[[], datetime] = utcnow,
        on_finish: Callable[[], None] | None = None,
        sql_boundaries: SqlBoundaries | None = None,
        leases: RunLeases | None = None,
    ) -> None:
        self._sessions = sessions
        self._leases = leases
        self._sql_boundaries = sql_boundaries or SqlBoundaries()
        self.sources = sources
        self._deps = deps
        self._policy = policy
        self._limits = limits
        self._queue = queue
        self._clock = clock
        self._on_finish = on_finish

    def open_source(self, info: SourceInfo) -> HarvestSource:
        """Return the source object of ``info`` on a fresh guarded session."""
        config = info.parsed
        secret = self.sources.secret_of(info)
        if info.type == "sql":
            return SqlSource(
                info.url,
                config,
                self._policy,
                secret=secret,
                max_bytes=self._limits.max_bytes,
                boundaries=self._sql_boundaries,
            )
        session = open_session(self._policy, self._limits)
        kinds: dict[str, Any] = {
            "ckan": CkanSource,
            "dcat": DcatSource,
            "datajson": DataJsonSource,
            "file": FileSource,
        }
        source: HarvestSource = kinds[info.type](info.url, config, session, secret)
        return source

    def run(
        self,
        name: str,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        job_id: str | None = None,
    ) -> HarvestReport:
        """Run one job for the source now and return its report (also stored with the job)."""
        info = self.sources.get(name)
        job_id = job_id or self._new_job(info.id, dry_run)
        held: AbstractContextManager[bool | None] = (
            nullcontext(None) if self._leases is None else self._leases.hold(run_lease_key(info.id))
        )
        with held as alone:
            self._start(job_id, info.id, alone)
            return self._run_started(info, job_id, dry_run, progress)

    def _run_started(
        self, info: SourceInfo, job_id: str, dry_run: bool, progress: Progress | None
    ) -> HarvestReport:
        report = HarvestReport(source=info.name, dry_run=dry_run)
        try:
            publisher, steward = self.sources.actors(info)
            context = SourceContext(
                info.id, info.name, info.type, info.organization_id, info.parsed, publisher, steward
            )
            source = self.open_source(info)
            try:
                report = run_harvest(
                    source, context, self._deps, dry_run=dry_run, progress=progress
                )
            finally:
                close = getattr(source, "close", None)
                if callable(close):
                    close()
        except Exception:
            log.exception("harvest job failed", extra={"source": info.name, "job_id": job_id})
            report.status, report.error = "failed", "internal_error"
        finally:
            if self._on_finish is not None:
                self._on_finish()  # e.g. the batched search-index update
        self._finish(job_id, report)
        if not dry_run:
            self.sources.mark_run(info.id, self._clock())
        log.info(
            "harvest job done",
            extra={
                "source": info.name,
                "job_id": job_id,
                "status": report.status,
                "counts": report.counts(),
            },
        )
        return report

    def _new_job(self, source_id: str, dry_run: bool) -> str:
        with self._sessions.begin() as session:
            job = HarvestJob(source_id=source_id, dry_run=dry_run, created=self._clock())
            session.add(job)
            session.flush()
            return job.id

    def _start(self, job_id: str, source_id: str, alone: bool | None) -> None:
        """Mark the job running, unless another live job of the source runs (Conflict).

        ``alone`` says whether this process got the source's run lease (None: no leases).
        With the lease, a job still marked running has lost its process: it is marked
        failed as interrupted. Without leases, one older than ``STALE_RUNNING`` is ignored.
        """
        now = self._clock()
        busy = False
        with self._sessions.begin() as session:
            running = session.scalar(
                select(HarvestJob).where(
                    HarvestJob.source_id == source_id,
                    HarvestJob.status == JobStatus.RUNNING.value,
                    HarvestJob.id != job_id,
                )
            )
            job = session.get(HarvestJob, job_id)
            if job is None:
                raise NotFound("job not found")
            if running is not None and alone:
                running.status, running.error = JobStatus.FAILED.value, INTERRUPTED
                running.finished = now
            elif alone is False or (
                running is not None
                and running.started
                and _aware(running.started) > now - STALE_RUNNING
            ):
                busy = True
            if not busy:
                job.status, job.started = JobStatus.RUNNING.value, now
                return
        # Recorded in its own transaction: raising inside the one above rolled it back and
        # left the refused job "queued" for good.
        with self._sessions.begin() as session:
            refused = session.get(HarvestJob, job_id)
            if refused is not None:
                refused.status, refused.error = JobStatus.FAILED.value, "already_running"
                refused.finished = now
        raise Conflict("another job of this source is running")

    def _finish(self, job_id: str, report: HarvestReport) -> None:
        with self._sessions.begin() as session:
            job = session.get(HarvestJob, job_id)
            if job is None:
                return
            job.status = {
                "failed": JobStatus.FAILED.value,
                "stopped": JobStatus.STOPPED.value,
            }.get(report.status, JobStatus.FINISHED.value)
            job.finished = self._clock()
            job.counts = report.counts()
            job.report = report.to_dict()
            job.error = report.error

    def fail_interrupted(self) -> list[str]:
        """Mark failed, as interrupted, the jobs marked running whose process is gone.

        Run at start-up (a crash leaves the row running, and the admin page would say so
        for hours); needs the run leases to tell a dead job from a live one elsewhere.
        """
        if self._leases is None:
            return []
        failed = []
        with self._sessions.begin() as session:
            running = session.scalars(
                select(HarvestJob).where(HarvestJob.status == JobStatus.RUNNING.value)
            ).all()
            for job in running:
                if self._leases.is_held(run_lease_key(job.source_id)):
                    continue
                session.refresh(job)  # it may have finished since it was read
                if job.status == JobStatus.RUNNING.value:
                    job.status, job.error = JobStatus.FAILED.value, INTERRUPTED
                    job.finished = self._clock()
                    failed.append(job.id)
        return failed

    def queue_run(self, name: str, *, dry_run: bool = False) -> str:
        """Queue a job for the source (run by the worker, or inline in tests); return its id."""
        info = self.sources.get(name)
        job_id = self._new_job(info.id, dry_run)
        if self._queue is None:
            self.run(info.name, dry_run=dry_run, job_id=job_id)
        else:
            self._queue.enqueue(
                JOB_HARVEST, {"job_id": job_id, "source": info.id, "dry_run": dry_run}
            )
        return job_id

    def run_job(self, payload: Mapping[str, Any]) -> None:
        """Queue handler: run a queued job."""
        try:
            self.run(
                str(payload["source"]),
                dry_run=bool(payload.get("dry_run")),
                job_id=str(payload["job_id"]),
            )
        except Conflict:
            log.info("harvest job skipped: source busy", extra={"job_id": payload.get("job_id")})

    def due_sources(self, now: datetime | None = None) -> list[SourceInfo]:
        """Return the sources whose schedule says they should run at ``now``."""
        now = now or self._clock()
        return [s for s in self.sources.list() if is_due(s.schedule, s.last_run, s.created, now)]

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Queue a job for every due source (the worker calls this every minute)."""
        queued = []
        for info in self.due_sources(now):
            self.sources.mark_run(info.id, now or self._clock())  # no double queueing
            self.queue_run(info.name)
            queued.append(info.name)
        return queued

    def jobs(self, name: str, limit: int = 20) -> list[JobInfo]:
        """Return the source's latest jobs, newest first."""
        info = self.sources.get(name)
        with self._sessions() as session:
            rows = session.scalars(
                select(HarvestJob)
                .where(HarvestJob.source_id == info.id)
                .order_by(HarvestJob.created.desc())
                .limit(limit)
            ).all()
            return [_job_info(row) for row in rows]

    def job(self, job_id: str) -> JobInfo:
        """Return one job; raise ``NotFound``."""
        with self._sessions() as session:
            row = session.get(HarvestJob, job_id)
            if row is None:
                raise NotFound("job not found")
            return _job_info(row)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


class InlineQueue:
    """A ``TaskQueue`` running each job at once: harvest imports process files synchronously."""

    def __init__(self, handlers: Mapping[str, Callable[[Mapping[str, Any]], None]]) -> None:
        self._handlers = dict(handlers)

    def enqueue(self, job: str, payload: Mapping[str, Any]) -> None:
        """Run the job now."""
        self._handlers[job](payload)
