"""The background job queue behind one small interface (SPEC §5).

Huey does the queueing: its SQLite storage in the data dir by default, Redis when
``REDIS_URL`` is set, and its immediate mode (jobs run inline) in tests. Jobs are named
and dispatched through an explicit table of handlers built in the composition root.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

JobHandler = Callable[[Mapping[str, Any]], None]
# Runs one job given its name, payload and handler (the job process runs it elsewhere).
JobExecutor = Callable[[str, Mapping[str, Any], JobHandler], None]


def run_inline(job: str, payload: Mapping[str, Any], handler: JobHandler) -> None:
    """The default executor: run the handler in this process."""
    handler(payload)


class TaskQueue(Protocol):
    """Runs named jobs in the background (or inline, in immediate mode)."""

    def enqueue(self, job: str, payload: Mapping[str, Any]) -> None:
        """Queue ``job`` with a JSON-serializable payload; raise ``KeyError`` if unknown."""
        ...


class Wakeup:
    """Wakes idle job processes the moment a job is queued (issue 24).

    Huey's workers poll a SQLite queue, backing off to one look every 10 s while idle (on
    Redis they block instead), so a job queued after a quiet spell, such as the datastore
    load of an approval, waited up to 10 s. Each job process listens on a datagram socket
    (Linux's abstract namespace: no file, gone with the process) named after the data dir
    and its pid, and leaves a file named by its pid in ``folder``; queueing a job sends one
    byte to each. Best effort: a wake-up that cannot be sent leaves the job to the poll.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._prefix = "opendata-jobs-" + hashlib.sha256(str(folder).encode()).hexdigest()[:16]

    def _address(self, pid: int) -> str:
        return f"\0{self._prefix}-{pid}"

    def notify(self) -> None:
        """Wake every listening job process (never raises)."""
        try:
            pids = [int(p.name) for p in self.folder.iterdir() if p.name.isdigit()]
        except OSError:
            return
        if not pids:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            for pid in pids:
                try:
                    sock.sendto(b"!", self._address(pid))
                except ConnectionRefusedError:  # that process is gone
                    (self.folder / str(pid)).unlink(missing_ok=True)
                except OSError:  # its buffer is full: it has wake-ups waiting already
                    continue

    def listen(self) -> threading.Event:
        """Listen for this process; return an event set at each wake-up (a daemon thread
        receives them). Raises ``OSError`` when the socket cannot be bound."""
        woken = threading.Event()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(self._address(os.getpid()))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / str(os.getpid())).touch()

        def receive() -> None:
            while sock.recv(64):
                woken.set()

        threading.Thread(target=receive, name="job-wakeup", daemon=True).start()
        return woken


class HueyQueue:
    """A ``TaskQueue`` on Huey; one Huey task dispatches to the handler table."""

    def __init__(
        self, huey: Huey, handlers: Mapping[str, JobHandler], wakeup: Wakeup | None = None
    ) -> None:
        self.huey = huey
        self._handlers = dict(handlers)
        # Set where workers poll (the SQLite queue): enqueue wakes them (``Wakeup``).
        self.wakeup = wakeup
        # Where a dequeued job runs: inline by default; the job process runs each job in
        # a child process with a time limit (app/jobs.py).
        self.executor: JobExecutor = run_inline

        # Huey ships no type hints, so its decorator is untyped.
        @huey.task(retries=2, retry_delay=5, name="opendata.run_job")  # type: ignore[untyped-decorator]
        def run_job(job: str, payload: dict[str, Any]) -> None:
            log.info("job start", extra={"job": job})
            self.executor(job, payload, self._handlers[job])
            log.info("job done", extra={"job": job})

        self._run_job = run_job

    def register(self, job: str, handler: JobHandler) -> None:
        """Add a handler (composition root only, before jobs are queued)."""
        self._handlers[job] = handler

    def enqueue(self, job: str, payload: Mapping[str, Any]) -> None:
        """Queue the job; in immediate mode it runs now and its errors propagate."""
        if job not in self._handlers:
            raise KeyError(job)
        self._run_job(job, dict(payload))
        if self.wakeup is not None and not self.huey.immediate:
            self.wakeup.notify()

    def enqueue_later(self, job: str, payload: Mapping[str, Any], delay: float) -> None:
        """Queue the job to run ``delay`` seconds from now (now in immediate mode)."""
        if job not in self._handlers:
            raise KeyError(job)
        if self.huey.immediate or delay <= 0:
            self._run_job(job, dict(payload))
        else:
            self._run_job.schedule(args=(job, dict(payload)), delay=delay)

    @property
    def immediate(self) -> bool:
        """True when jobs run inline."""
        return bool(self.huey.immediate)

    def handler(self, job: str) -> JobHandler:
        """Return the handler of ``job``; raise ``KeyError`` if unknown."""
        return self._handlers[job]

    def queued_payloads(self, job: str, limit: int = 10_000) -> list[Mapping[str, Any]] | None:
        """Payloads of ``job`` waiting in the queue or for a retry; None when more than
        ``limit`` jobs wait (reading them all would cost too much)."""
        if self.huey.immediate:
            return []
        if self.huey.pending_count() + self.huey.scheduled_count() > limit:
            return None
        tasks = [*self.huey.pending(), *self.huey.scheduled()]
        return [t.args[1] for t in tasks if len(t.args) == 2 and t.args[0] == job]

    def pending_count(self) -> int:
        """Return how many jobs wait in the queue."""
        return int(self.huey.pending_count())


def open_huey(
    redis_url: str | None, data_dir: Path, *, immediate: bool = False, create: bool = False
) -> Huey:
    """Return a Huey on Redis when ``redis_url`` is set, else on SQLite in ``data_dir``.

    The SQLite queue's tables are created when ``create`` is set (the start-up step) or
    when its file does not exist yet; serving processes never run its DDL, which takes an
    exclusive lock, while others open it.
    """
    if immediate:
        return Huey("opendata", immediate=True, results=False)
    if redis_url:
        # Blocking reads: an idle worker takes a job the moment it is queued.
        return RedisHuey("opendata", url=redis_url, results=False, blocking=True, read_timeout=1)
    path = data_dir / "jobs.sqlite3"
    return SqliteHuey(
        "opendata",
        filename=str(path),
        results=False,
        timeout=30,  # busy timeout (s), as the portal's own SQLite engine
        create_tables=create or not path.exists(),
    )
