"""The supervisor of `opendata serve` and `opendata worker` (issue 14).

It runs the start-up step, then starts its children as fresh programs (never forks of
itself, so no child inherits a connection, a lock or a thread) and starts again any child
that dies, after a pause that doubles up to 30 s while the child keeps dying young:

- ``front`` (``opendata serve``): the buffering HTTP front (title ``opendata: front``, see
  ``app/http_front.py``) on the listening socket the supervisor opened, so a restarted front
  serves the same port at once; it relays whole requests to gunicorn;
- ``web``: the gunicorn master (title ``gunicorn: master [opendata]``) on
  ``<data dir>/run/gunicorn.sock`` behind the front (on the given socket itself with
  ``--bind unix:PATH``);
- ``jobs``: the job process (title ``opendata: jobs``, see ``app/jobs.py``); ``opendata
  worker`` runs only this one.

Each child gets a death signal from the kernel if the supervisor dies, so ``kill -9`` of
the supervisor leaves no process holding the port. SIGTERM or SIGINT stop everything:
the children get SIGTERM, then SIGKILL after ``STOP_TIMEOUT``. Every start, exit and
restart is logged on standard error (``supervisor: ...``) with the child's pid.
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from app.procutil import die_with_parent, lower_priority, set_title

log = logging.getLogger("opendata.supervisor")
STOP_TIMEOUT = 35.0
MAX_BACKOFF = 30.0
# A child that ran this long was healthy: its next restart is immediate again.
HEALTHY_AFTER = 30.0
# The job process runs at a lower CPU priority than the web processes.
JOBS_NICE = 5


@dataclass
class Child:
    """One supervised program: its command, the fds it inherits, its current process."""

    name: str
    argv: list[str]
    pass_fds: tuple[int, ...] = ()
    # Signal the kernel sends the child when the supervisor dies.
    death_signal: int = signal.SIGKILL
    # Added to the child's nice value: the job process yields the CPU to the web.
    nice: int = 0
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    backoff: float = 0.0
    due: float = 0.0  # when a dead child starts again
    restarts: int = field(default=0)

    def start(self) -> None:
        sig, nice = self.death_signal, self.nice

        def before_exec() -> None:
            die_with_parent(sig)
            if nice:
                lower_priority(nice)

        # The command is this interpreter running `app.cli` with fixed internal arguments.
        self.process = subprocess.Popen(  # noqa: S603
            self.argv, pass_fds=self.pass_fds, preexec_fn=before_exec
        )
        self.started = time.monotonic()
        log.info("supervisor: started %s (pid %d)", self.name, self.process.pid)


def child_command(*args: str) -> list[str]:
    """The command line of an internal `opendata` command run by this interpreter."""
    # -P: the working directory is not put on the module path, so an `app` folder where
    # the operator happens to stand cannot replace the portal's own package.
    return [sys.executable, "-P", "-m", "app.cli", *args]


def listen(bind: str) -> socket.socket:
    """Open the listening socket for ``HOST:PORT`` (inheritable by the web child)."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, int(port)), family=family, backlog=2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Start the children, restart the ones that die, stop them all on SIGTERM/SIGINT."""

    def __init__(self, title: str, children: list[Child]) -> None:
        self.title = title
        self.children = children
        self._stopping = False

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("supervisor: received %s, stopping", signal.Signals(signum).name)
        self._stopping = True

    def run(self) -> int:
        """Supervise until asked to stop; return the exit status."""
        set_title(self.title)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for child in self.children:
            child.start()
        while not self._stopping:
            time.sleep(0.2)
            now = time.monotonic()
            for child in self.children:
                self._check(child, now)
        self._stop_all()
        return 0

    def _check(self, child: Child, now: float) -> None:
        if child.process is None:
            if now >= child.due and not self._stopping:
                child.restarts += 1
                child.start()
            return
        code = child.process.poll()
        if code is None:
            return
        lived = now - child.started
        child.backoff = 0.0 if lived >= HEALTHY_AFTER else min(max(child.backoff * 2, 0.5), 30)
        child.due = now + child.backoff
        log.warning(
            "supervisor: %s (pid %d) exited with %s after %.1f s; restarting in %.1f s",
            child.name,
            child.process.pid,
            _describe(code),
            lived,
            child.backoff,
        )
        child.process = None

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process is not None]
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("supervisor: %s did not stop in time; killing it", child.name)
                child.process.kill()
                child.process.wait()
            log.info("supervisor: %s stopped (%s)", child.name, _describe(child.process.returncode))


def _describe(code: int) -> str:
    if code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"code {code}"


def configure_logging(level: str) -> None:
    """Log the supervisor's lines on standard error with a timestamp and the pid."""
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s [%(process)d] %(levelname)s %(message)s",
    )
