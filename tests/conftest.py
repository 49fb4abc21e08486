"""The fixture chain every test reuses: settings → services → app → client, runner, auth.

Tests that touch the database run on SQLite always and on PostgreSQL when
``TEST_DATABASE_URL`` is set: a fresh database is created for the test run (one per
xdist worker) and every table is emptied between tests. Each SQLite test gets its own copy
of a database migrated once per run (and xdist worker): the migrations themselves are
tested by test_migrations_match_models.py.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy import text

from tests.s3server import S3Server
from tests.servers import LiveServer

if TYPE_CHECKING:
    from app.config import Settings
    from app.services import Services

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def conformance_dir() -> Path:
    """Return the shared conformance folder; skip without it, fail on CI."""
    if not CONFORMANCE.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CONFORMANCE} is missing on CI")
        pytest.skip(f"{CONFORMANCE} is not present on this machine")
    return CONFORMANCE


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run (and xdist worker), migrated."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests do not run")
    from app.database import upgrade_database

    name = f"opendata_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)
    yield url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated to every head, once for the run (and xdist worker)."""
    from app.database import upgrade_database

    path = tmp_path_factory.mktemp("template") / "portal.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's own backup (whatever its journal holds)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite in tmp_path, or the run's PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        copy_sqlite(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    from publishers import Base, make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a test: a temporary data dir, inline jobs, the chosen database."""
    from app.config import Settings
    from app.keys import ensure_key_files

    data_dir = tmp_path / "instance"
    data_dir.mkdir()
    ensure_key_files(data_dir)
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        jobs_immediate=True,
        testing=True,
        max_upload_mb=5,
        rate_limit_anon="0",
        rate_limit_token="0",
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server (moto's server mode) on 127.0.0.1, one per run."""
    server = S3Server(tmp_path_factory.mktemp("s3") / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    from app.services import build_services

    svc = build_services(settings)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def app(settings: Settings, services: Services):
    from app import create_app

    return create_app(settings, services)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app served over HTTP on 127.0.0.1 (a real socket, threaded)."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def second_portal(tmp_path: Path) -> Iterator[LiveServer]:
    """Another, independent portal instance (SQLite) served on 127.0.0.1."""
    from app import create_app
    from app.config import Settings
    from app.database import upgrade_database
    from app.keys import ensure_key_files

    data_dir = tmp_path / "second"
    data_dir.mkdir()
    ensure_key_files(data_dir)
    url = f"sqlite:///{data_dir / 'portal.sqlite3'}"
    upgrade_database(url)
    other = Settings(
        data_dir=data_dir,
        database_url=url,
        jobs_immediate=True,
        testing=True,
        rate_limit_anon="0",
        rate_limit_token="0",
    )
    server = LiveServer(create_app(other))
    server.start()
    yield server
    server.stop()


CSRF_RE = __import__("re").compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client, path: str) -> str:
    """Return the CSRF token of the form on ``path``."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, login: str, password: str) -> object:
        token = csrf_from(self._client, "/user/login")
        return self._client.post(
            "/user/login", data={"login": login, "password": password, "csrf_token": token}
        )

    def logout(self) -> object:
        token = csrf_from(self._client, "/")
        return self._client.post("/user/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say how many tests ran on PostgreSQL, so a CI log shows they were not skipped."""
    passed = terminalreporter.stats.get("passed", [])
    on_postgres = [r for r in passed if "postgres" in r.keywords]
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "postgres" in r.keywords]
    terminalreporter.write_line(
        f"PostgreSQL: {len(on_postgres)} tests passed on PostgreSQL, {len(skipped)} skipped"
        + ("" if os.environ.get("TEST_DATABASE_URL") else " (TEST_DATABASE_URL not set)")
    )
