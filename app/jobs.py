"""The job process (issue 14): queued jobs run here, never in a process serving requests.

``run_job_process`` composes the portal, reconciles what a crash left behind
(``app.recovery``), then runs Huey's consumer with ``OPENDATA_JOB_WORKERS`` threads. Each
thread runs one job at a time in a child process forked from a clean fork server, so:

- a job that eats memory or crashes takes only its child with it;
- a job has a hard time limit (``OPENDATA_JOB_TIME_LIMIT``): the kernel ends the child with
  SIGALRM, and the upload it was processing is marked failed with ``time-limit``;
- a child killed otherwise (out of memory, ``kill -9``) is retried by the queue, and a file
  whose processing was interrupted too often is marked failed with ``interrupted``;
- while a child processes an upload it holds a lease (``app.leases``: a byte-range lock in
  ``<data dir>/run/leases``, or a PostgreSQL advisory lock when the database is shared by
  several servers; released when the holder dies), so recovery never re-queues an upload
  another live process is working on.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.bulk import JOB_BULK_ARCHIVE
from app.config import Settings
from app.leases import leases_for, load_lease
from app.procutil import freeze_heap, set_title
from datasets.process_watch import die_with_process

if TYPE_CHECKING:
    from huey.consumer import Consumer

    from app.services import Services
    from datasets.queue import HueyQueue, JobHandler

log = logging.getLogger(__name__)
# Seconds a child may outlive its SIGALRM before the job process kills it outright.
KILL_GRACE = 10
# Longest wait of an idle consumer thread between two looks at the queue. Huey's default
# (10 s, reached after a minute idle) was added to the wait of every upload that arrived at
# a quiet server (issue 24); a look is one indexed read of the queue table (or one Redis
# call), so twice a second per thread costs nothing measurable.
QUEUE_POLL_MAX_SECONDS = 0.5


class JobFailed(RuntimeError):
    """A job's child process ended abnormally; the queue retries the job."""


def lease_key(job: str, payload: Mapping[str, Any]) -> str | None:
    """The lease a job holds while it runs (uploads being processed, datastore loads), or
    None."""
    if job == "process_version":  # datasets.resource_edit.JOB_PROCESS_VERSION
        return f"version:{payload['version_id']}"
    if job == "load_datastore":  # datasets.workflow.JOB_LOAD_DATASTORE
        return load_lease(str(payload["version_id"]))
    return None


class ChildRunner:
    """A ``JobExecutor``: runs each job in a child of a clean fork server, time-limited."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._settings = services.settings
        self._limit = services.settings.job_time_limit
        self._context = multiprocessing.get_context("forkserver")
        # The fork server imports the portal once; children start in milliseconds.
        preload = ["app.services", "app.jobs", "app.job_preload"]
        if self._settings.storage_url.startswith("s3://"):
            preload.append("datasets.storage.s3")  # boto3 takes a second to import
        self._context.set_forkserver_preload(preload)

    def close(self) -> None:
        """Stop the fork server, if one was started, and wait until it has ended.

        Without this it ends only when it sees this process's end, a moment after: a
        supervisor (or an operator) would find it still running once the job process has
        stopped. The standard library has no public call for it; ``_stop`` is the one its
        own tests use, so it is looked up defensively.
        """
        server = getattr(multiprocessing.forkserver, "_forkserver", None)
        stop = getattr(server, "_stop", None)
        if callable(stop):
            stop()

    def __call__(self, job: str, payload: Mapping[str, Any], handler: JobHandler) -> None:
        child = self._context.Process(
            target=run_child,
            args=(self._settings, job, dict(payload), os.getpid()),
            name=f"job-{job}",
        )
        child.start()
        log.info("job child %s started for %s", child.pid, job)
        child.join(self._limit + KILL_GRACE)
        if child.exitcode is None:  # ignored its alarm (it cannot, but never wait forever)
            child.kill()
            child.join()
        code = child.exitcode
        if code == 0:
            return
        if code == -signal.SIGALRM:
            log.warning(
                "job stopped at its time limit",
                extra={"job": job, "pid": child.pid, "seconds": self._limit},
            )
            self._services.job_stopped(job, payload, "time_limit", {"seconds": self._limit})
            return
        reason = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        log.warning("job child %s ended with %s", child.pid, reason, extra={"job": job})
        if code == 1 or self._services.job_died(job, payload):
            raise JobFailed(f"job {job} ended with {reason}")  # the queue retries it


def run_child(settings: Settings, job: str, payload: dict[str, Any], job_process: int) -> None:
    """Body of a job's child process: hard time limit, lease, then the handler."""
    die_with_process(job_process)
    set_title(f"opendata: job {job}")
    # Default action of SIGALRM: the kernel ends the process, whatever it is doing.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(settings.job_time_limit)
    from app.services import build_services

    services = build_services(settings)
    key = lease_key(job, payload)
    if key is None:
        services.queue.handler(job)(payload)
        return
    with leases_for(settings).hold(key) as held:
        # A second load of a version runs anyway (the level may have changed since the
        # first started); a second processing of an upload never does.
        if not held and job == "process_version":
            log.info("job skipped: another process runs it", extra={"job": job})
            return
        services.queue.handler(job)(payload)


def _reconcile(services: Services, settings: Settings, *, periodic: bool = False) -> None:
    """Reconciliation, by one job process at a time (across servers when the database is
    shared); a failure never stops jobs."""
    from app.recovery import reconcile

    what = "periodic recovery" if periodic else "start-up reconciliation"
    leases = leases_for(settings)
    with leases.hold("reconcile") as alone:
        if not alone:
            log.info("%s: another job process is doing it", what)
            return
        try:
            report = reconcile(services, leases, periodic=periodic)
        except Exception:
            log.exception("%s failed; jobs run anyway", what)
            return
    if not periodic or report.requeued or report.failed or report.harvests or report.staged_dropped:
        log.info("%s: %s", what, report.summary())


def _recover_periodically(services: Services, settings: Settings) -> None:
    """Every ``OPENDATA_RECOVERY_SECONDS``, take over what dead job processes left (a worker
    killed on another machine: its uploads and harvest jobs hold no lease any more)."""
    while True:
        time.sleep(settings.recovery_seconds)
        _reconcile(services, settings, periodic=True)


def schedule_bulk_archive(services: Services) -> None:
    """Register the periodic task that queues the nightly bulk archive (``app.bulk``)."""
    from huey import crontab

    hour = services.settings.bulk_hour
    if not 0 <= hour <= 23:
        return
    leases = leases_for(services.settings)

    @services.queue.huey.periodic_task(crontab(minute="0", hour=str(hour)), name="opendata.bulk")
    def bulk_due() -> None:
        # Each job process runs this at that hour; the job builds once (``bulk_job``: one
        # build at a time, none when one was listed in the last hours), under the job's
        # time limit.
        with leases.hold("bulk-archive") as alone:
            if alone:
                services.queue.enqueue(JOB_BULK_ARCHIVE, {"nightly": True})


def woken_consumer(queue: HueyQueue, workers: int) -> Consumer:
    """Huey's consumer with ``workers`` threads; where they poll (the SQLite queue), an idle
    worker also wakes the moment a job is queued (``datasets.queue.Wakeup``), not at its
    next poll, which backs off to ``QUEUE_POLL_MAX_SECONDS`` at most (Huey's own: 10 s)."""
    from huey.consumer import Consumer, Worker

    woken = None
    if queue.wakeup is not None and not queue.huey.storage.blocking:
        try:
            woken = queue.wakeup.listen()
        except OSError:
            log.warning("job wake-ups unavailable: idle workers poll the queue", exc_info=True)
    if woken is None:
        return queue.huey.create_consumer(
            workers=workers, worker_type="thread", max_delay=QUEUE_POLL_MAX_SECONDS
        )
    event = woken

    class WokenWorker(Worker):  # type: ignore[misc]  # Huey ships no type hints
        delay: float

        def sleep(self) -> None:
            self.delay = min(self.delay, self.max_delay)
            if event.wait(self.delay):  # a job was queued (or the consumer stops)
                if not self.stop_flag.is_set():
                    event.clear()
                self.delay = self.default_delay
            else:
                self.delay *= self.backoff

    class WokenConsumer(Consumer):  # type: ignore[misc]  # Huey ships no type hints
        worker_class = WokenWorker

        def stop(self, graceful: bool = False) -> None:
            self.stop_flag.set()
            event.set()  # sleeping workers see the stop at once, as Huey's own do
            super().stop(graceful)

    return WokenConsumer(
        queue.huey, workers=workers, worker_type="thread", max_delay=QUEUE_POLL_MAX_SECONDS
    )


def run_job_process(settings: Settings, workers: int) -> None:
    """Run the job process until SIGTERM/SIGINT: reconcile, then consume the queue."""
    from app.harvesting import schedule_harvests
    from app.services import build_services

    set_title(f"opendata: jobs [{workers} workers]")
    services = build_services(settings)
    runner = ChildRunner(services)
    services.queue.executor = runner
    schedule_harvests(services)
    schedule_bulk_archive(services)
    _reconcile(services, settings)
    threading.Thread(
        target=_recover_periodically, args=(services, settings), name="recovery", daemon=True
    ).start()
    consumer = woken_consumer(services.queue, workers)
    freeze_heap()  # what the process keeps for its life: no collection walks it again
    log.info("job process running with %d workers", workers)
    try:
        consumer.run()
    finally:
        runner.close()
