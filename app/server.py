"""Run the portal under gunicorn from Python (`opendata serve`)."""

from __future__ import annotations

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
    """Serve until stopped: ``workers`` processes with ``threads`` threads each."""
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "accesslog": "-",
        "proc_name": "opendata",
    }
    _Gunicorn(options, settings).run()


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
