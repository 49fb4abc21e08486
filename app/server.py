"""Run the portal under gunicorn from Python (the ``web`` child of `opendata serve`).

The gunicorn master opens nothing of the portal: each web worker composes it after the
fork. Jobs never run here (issue 14): they run in the job process (``app/jobs.py``).
On a TCP bind, gunicorn listens on a unix socket behind the buffering front
(``app/http_front.py``), which reads whole requests before they take a worker thread.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from app.access_log import AccessLogger
from app.config import Settings
from app.procutil import die_with_parent, freeze_heap
from app.web_worker import LingeringThreadWorker


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

        app = create_app(self._settings)
        freeze_heap()
        return app


def _post_fork(_server: Any, _worker: Any) -> None:
    # A worker whose master was killed (kill -9) ends at once instead of holding the port.
    die_with_parent()


def front_socket_path(settings: Settings) -> Path:
    """The unix socket gunicorn listens on behind the front (one per data dir)."""
    return settings.data_dir.resolve() / "run" / "gunicorn.sock"


def control_socket_path(settings: Settings) -> Path:
    """Gunicorn's control socket (``gunicornc -s PATH``), one per data dir, owner only."""
    return settings.data_dir.resolve() / "run" / "gunicorn.ctl"


def run_gunicorn(
    settings: Settings, *, bind: str, workers: int, threads: int, behind_front: bool = False
) -> None:
    """Serve until stopped: ``workers`` processes with ``threads`` threads each.

    ``bind`` may be ``fd://N`` (a socket the supervisor opened) or ``unix:PATH``. Behind the
    front, the client's address arrives by the PROXY protocol (v1).
    """
    _preimport()
    freeze_heap()
    control = control_socket_path(settings)
    control.parent.mkdir(parents=True, exist_ok=True)
    options = gunicorn_options(bind, workers, threads, control, behind_front=behind_front)
    _Gunicorn(options, settings).run()


def gunicorn_options(
    bind: str, workers: int, threads: int, control_socket: Path, *, behind_front: bool = False
) -> dict[str, Any]:
    """Return gunicorn's settings."""
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        # gthread, answering a busy keep-alive connection on its thread (``app.web_worker``).
        "worker_class": LingeringThreadWorker,
        "timeout": 120,
        "accesslog": "-",
        # One short line a request, without personal data (``app.access_log``).
        "logger_class": AccessLogger,
        "proc_name": "opendata",
        "post_fork": _post_fork,
        # Gunicorn's default control socket is one path per user (~/.gunicorn): two
        # portals would share it, so each data dir has its own, readable by its owner only.
        "control_socket": str(control_socket),
        "control_socket_mode": 0o600,
    }
    if behind_front:
        options["proxy_protocol"] = "v1"
    return options


# Modules every web worker imports to build the app; imported once in the master (they
# open nothing), so the workers fork with them loaded and boot in a fraction of the time.
_WEB_MODULES = (
    *("app.services", "app.errors", "app.i18n", "app.security", "app.web.public"),
    *("app.web.manage", "app.web.catalog", "app.web.admin", "app.api", "app.ckan_api"),
    *("app.api.records_lean", "app.web.sso"),
)


def _preimport() -> None:
    for name in _WEB_MODULES:
        with contextlib.suppress(ImportError):  # only a speed-up: the workers import anyway
            importlib.import_module(name)
