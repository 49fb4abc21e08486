"""Strip and analyse fetched records in worker processes while the job imports others.

Everything between a record's download and its import is a pure function of the fetched
files, the policy and the hash key: stripping by the policy (``sanitize.strip``) and the
analysis processing would make of each stripped table (format, inferred schema,
validation report, personal-data findings: ``datasets.table_analysis.analyse_table``). A
large job runs it in a small process pool, a few records ahead of the import, so that the
CPU-bound table work of one dataset overlaps the database work of another. The database
is written by the job's own thread only; a worker reads and writes files in the item's
scratch folder and nothing else.

The stripped record comes back exactly as ``strip`` returns it in the job's thread, so
the privacy fail-safe, reports and content hashes are the same either way; a small job
(``RunnerDeps.pool_min``) or a one-core machine does the same work inline.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from datasets.personal import Policy
from datasets.table_analysis import TableAnalysis, analyse_table
from harvesters.base import RemoteRecord, file_sha256
from harvesters.errors import HarvestError
from harvesters.sanitize import StrippedRecord, strip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StripTask:
    """One record to strip, with what stripping needs (all of it picklable)."""

    record: RemoteRecord
    policy: Policy
    hash_key: bytes
    organization_mailbox: str
    policy_fingerprint: str
    scratch: Path
    analyse: bool


@dataclass(frozen=True)
class Prepared:
    """A stripped record and the analyses of its tables, or why stripping failed."""

    stripped: StrippedRecord | None
    analyses: tuple[tuple[str, str, TableAnalysis], ...] = ()  # (sha256, file name, analysis)
    error_code: str = ""
    error_detail: str = ""


def prepare(task: StripTask) -> Prepared:
    """Strip the record; analyse each stripped table when asked (never raises a HarvestError)."""
    try:
        stripped = strip(
            task.record,
            task.policy,
            hash_key=task.hash_key,
            organization_mailbox=task.organization_mailbox,
            policy_fingerprint=task.policy_fingerprint,
            keep_raw=True,  # the job's thread removes it once the result is in (retries)
        )
    except HarvestError as exc:
        # Harvest errors carry keyword state that does not survive pickling: send plain values.
        return Prepared(None, error_code=exc.code, error_detail=str(exc)[:300])
    analyses: list[tuple[str, str, TableAnalysis]] = []
    if task.analyse:
        for resource in stripped.record.resources:
            if resource.path is None:
                continue
            try:
                found = analyse_table(resource.path, resource.filename, task.scratch)
            except Exception as exc:
                # Processing meets the same problem with the same file and records it.
                log.info("no analysis ahead", extra={"error": type(exc).__name__})
                continue
            if found is not None:
                analyses.append((file_sha256(resource.path), resource.filename, found))
    return Prepared(stripped, tuple(analyses))


class Preparer:
    """Runs ``prepare`` in a process pool (``workers`` > 0) or inline."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0
        self.succeeded = False  # set by the caller once a pooled task has come back

    @property
    def pooled(self) -> bool:
        """Whether tasks run in worker processes."""
        return self._workers > 0

    def submit(self, task: StripTask) -> Future[Prepared]:
        """Start preparing ``task``; the future holds the result or the exception."""
        while self._workers > 0:
            try:
                return self._open().submit(prepare, task)
            except BrokenProcessPool:  # a worker died since the last task was handed over
                self.restart()
            except OSError:  # no process can be started here (limits): inline from now on
                log.warning("harvest worker processes cannot start; preparing inline")
                self.close()
                self._workers = 0
        done: Future[Prepared] = Future()
        try:
            done.set_result(prepare(task))
        except Exception as exc:
            done.set_exception(exc)  # raised where the result is asked for, as from a pool
        return done

    def _open(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # A fresh interpreter per worker: forking a process that runs threads (a web
            # server, a job consumer) could copy a lock held by one of them.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self._workers, mp_context=context)
        return self._pool

    def restart(self) -> None:
        """Replace a broken pool (a worker died: out of memory, killed).

        Workers that keep dying before a single task came back cannot run here at all:
        the rest of the job is then prepared inline.
        """
        log.warning("harvest worker pool broken; starting a new one")
        self.restarts += 1
        self.close()
        if not self.succeeded and self.restarts >= 2:
            log.warning("harvest worker processes never finished a task; preparing inline")
            self._workers = 0

    def close(self) -> None:
        """Stop the workers (pending tasks are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
