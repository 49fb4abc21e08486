"""Run the portal under gunicorn from Python (`opendata serve`)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from app.config import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self._options = options
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from app import create_app

        return create_app(self._settings)


def run_gunicorn(settings: Settings, *, bind: str, workers: int, threads: int) -> None:
    """Serve until stopped: ``workers`` processes with ``threads`` threads each.

    A TCP ``bind`` is served by the buffering front (``start_http_front``), gunicorn itself
    listening on a unix socket behind it; a ``unix:`` bind is served by gunicorn directly.
    """
    front = None
    if not bind.startswith("unix:"):
        socket_path = http_front_socket(settings)
        front = start_http_front(settings, listen=bind, backend=socket_path)
        bind = f"unix:{socket_path}"
    try:
        _Gunicorn(gunicorn_options(bind, workers, threads, front=front), settings).run()
    finally:
        if front is not None:
            stop_http_front(front)


def gunicorn_options(
    bind: str, workers: int, threads: int, *, front: subprocess.Popen[bytes] | None
) -> dict[str, Any]:
    """Return gunicorn's settings; behind the front, the client address comes by PROXY v1."""
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "accesslog": "-",
        "proc_name": "opendata",
    }
    if front is not None:
        options["proxy_protocol"] = "v1"
    return options


def http_front_socket(settings: Settings) -> str:
    """Return a fresh unix socket path for gunicorn behind the front (under the data dir)."""
    run_dir = settings.data_dir.resolve() / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / f"gunicorn-{os.getpid()}.sock"
    path.unlink(missing_ok=True)
    return str(path)


def start_http_front(settings: Settings, *, listen: str, backend: str) -> subprocess.Popen[bytes]:
    """Start the buffering front (``app.http_front``) listening on ``listen`` (host:port).

    It runs in its own process (never forked with the workers) and ends when this process
    closes its standard input, so it never outlives the server. Big bodies are spooled to
    ``<data dir>/tmp``.
    """
    spool = settings.data_dir.resolve() / "tmp"
    command = [
        sys.executable,
        "-m",
        "app.http_front",
        "--listen",
        listen,
        "--backend",
        backend,
        "--max-body-bytes",
        str(settings.max_upload_bytes + 1024 * 1024),
        "--spool-dir",
        str(spool),
    ]
    return subprocess.Popen(command, stdin=subprocess.PIPE)  # noqa: S603 -- our own module


def stop_http_front(front: subprocess.Popen[bytes]) -> None:
    """Stop the front: close its standard input, then wait (terminate after 5 s)."""
    if front.stdin is not None:
        front.stdin.close()
    try:
        front.wait(timeout=5)
    except subprocess.TimeoutExpired:
        front.terminate()
        front.wait(timeout=5)


def start_embedded_jobs(huey: Any, threads: int = 1) -> Any:
    """Run queued jobs in background threads of this process (no `opendata worker` needed).

    Huey's consumer installs signal handlers when it starts, which only the main thread
    may do; the server's own process manager owns the signals, so the consumer's are
    skipped. Returns the running consumer.
    """
    consumer = huey.create_consumer(workers=threads, worker_type="thread")
    consumer._set_signal_handlers = lambda: None  # the server handles signals
    consumer.start()
    return consumer
