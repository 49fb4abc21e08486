"""The start-up step: create every schema before any process starts serving (issue 14).

`opendata serve` and `opendata worker` run ``prepare`` before they start their processes:
the secret keys, the database (Alembic), Huey's SQLite queue, the datastore and the search
index are created here, once, under a file lock in the data dir, so that no serving process
ever creates a schema while another one opens it. Contention with processes already running
on the same files (``database is locked``) is retried for a bounded time, then reported.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from app.config import Settings, datastore_url_for, s3_options, search_url_for

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long start-up waits for other processes holding the lock or the database.
STARTUP_TIMEOUT = 60.0


class StartupError(RuntimeError):
    """The data dir could not be prepared within the time limit; the message says why."""


def run_dir(settings: Settings) -> Path:
    """The folder of the process model's lock files (start-up lock, job leases)."""
    path = settings.data_dir.resolve() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare(settings: Settings, *, timeout: float = STARTUP_TIMEOUT) -> None:
    """Create keys, database, job queue, datastore, index, bucket; idempotent, one at a time."""
    from app.keys import ensure_key_files

    _check_shared_keys(settings)
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    log.info("start-up step begins")
    deadline = time.monotonic() + timeout
    with _exclusive(run_dir(settings) / "startup.lock", deadline), _shared_lock(settings, timeout):
        for name in ensure_key_files(data_dir):
            log.info("created key file %s", name)
        retry_locked(lambda: _migrate(settings.effective_database_url), deadline)
        retry_locked(lambda: _create_queue(settings), deadline)
        retry_locked(lambda: _create_datastore(settings), deadline)
        retry_locked(lambda: _create_index(settings), deadline)
        _create_bucket(settings)
    log.info("start-up step done: database, job queue, datastore and index exist")


def _check_shared_keys(settings: Settings) -> None:
    """On a bucket (several servers), the keys must come from the environment: key files
    created in each server's data dir would differ, and one server could not read what
    another encrypted or signed."""
    if not settings.storage_url.startswith("s3://"):
        return
    missing = [n for n in ("secret_key", "encryption_key", "hash_key") if not getattr(settings, n)]
    if missing:
        names = ", ".join(f"OPENDATA_{n.upper()}" for n in missing)
        raise StartupError(
            f"OPENDATA_STORAGE_URL is a bucket: set {names} (the same on every server)"
        )


@contextmanager
def _shared_lock(settings: Settings, timeout: float) -> Iterator[None]:
    """On a PostgreSQL database shared by several servers, one start-up step at a time
    across all of them (an advisory lock): two servers never migrate at once."""
    from app.leases import PostgresLeases, postgres_url

    url = postgres_url(settings)
    if url is None:
        yield
        return
    with PostgresLeases(url).hold("startup", wait=timeout) as got:
        if not got:
            raise StartupError("another server holds the start-up lock of the database")
        yield


def _create_bucket(settings: Settings) -> None:
    try:
        bucket = prepare_storage(settings)
    except OSError as exc:  # unreachable now: start anyway, /readyz reports the storage
        log.warning("start-up could not check the bucket: %s", exc)
        return
    if bucket:
        log.info("created bucket %s", bucket)


def prepare_storage(settings: Settings) -> str | None:
    """Create the bucket ``OPENDATA_STORAGE_URL`` names when absent; return its name if it
    was created (the local store creates its folders itself)."""
    if not settings.storage_url.startswith("s3://"):
        return None
    from datasets.storage.s3 import S3BlobStore

    store = S3BlobStore.from_url(settings.storage_url, s3_options(settings))
    return store.bucket if store.ensure_bucket() else None


def retry_locked(action: Callable[[], T], deadline: float) -> T:
    """Run ``action``; while SQLite says it is locked or busy, retry until ``deadline``."""
    delay = 0.05
    while True:
        try:
            return action()
        except (OperationalError, sqlite3.OperationalError) as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            log.warning("start-up waits for a locked database: %s", text.splitlines()[0])
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextmanager
def _exclusive(path: Path, deadline: float) -> Iterator[None]:
    with path.open("a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StartupError(f"another process holds {path} (start-up)") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _migrate(url: str) -> None:
    """Upgrade the database unless it is at every head already: told from the migration
    files and the version table (``app.migration_state``), without importing Alembic."""
    from app.migration_state import database_is_current

    if database_is_current(url):
        return
    from app.database import upgrade_database

    upgrade_database(url)


def _create_queue(settings: Settings) -> None:
    from datasets.queue import open_huey

    huey = open_huey(settings.redis_url or None, settings.data_dir.resolve(), create=True)
    close = getattr(huey.storage, "close", None)
    if callable(close):
        close()


def _create_datastore(settings: Settings) -> None:
    from datasets.datastore import SHARED_DATASTORE, open_datastore

    open_datastore(datastore_url_for(settings), settings.data_dir.resolve())
    open_datastore(datastore_url_for(settings), settings.data_dir.resolve(), SHARED_DATASTORE)


def _create_index(settings: Settings) -> None:
    """Create the search index; rebuild it when an older version built it (a field this
    version writes is missing), before any process serves or writes it."""
    from search_index import SearchUnavailable, open_search_index

    index = open_search_index(search_url_for(settings))
    try:
        outdated = index.outdated()
    except SearchUnavailable:  # damaged: /readyz reports it, `opendata index rebuild` repairs
        log.warning("the search index cannot be read at start-up", exc_info=True)
        outdated = False
    finally:
        _close(index)
    if outdated:
        from app.services import build_services

        log.info("the search index was built by an older version: rebuilding it")
        services = build_services(settings)
        try:
            count = services.rebuild_index()
        finally:
            _close(services.search)
            services.engine.dispose()
        log.info("search index rebuilt: %d datasets", count)


def _close(index: object) -> None:
    close = getattr(index, "close", None)
    if callable(close):
        close()
