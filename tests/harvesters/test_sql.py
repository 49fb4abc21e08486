"""SQL sources against a real SQLite file and a real PostgreSQL database, read-only."""

from __future__ import annotations

import os
import sqlite3
import uuid

import psycopg
import pytest

from harvesters import (
    AddressPolicy,
    AddressRefused,
    BadResponse,
    SqlBoundaries,
    SqlSource,
    parse_config,
)
from publishers import InvalidInput
from tests.harvesters.conftest import register

QUERIES = {"tram-xe-buyt": "SELECT ma, ten, so_cho FROM tram ORDER BY ma"}


def _sqlite_db(tmp_path):
    path = tmp_path / "agency.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE tram (ma TEXT, ten TEXT, so_cho INTEGER)")
        conn.executemany(
            "INSERT INTO tram VALUES (?, ?, ?)",
            [("T1", "Trạm Bến Thành", 40), ("T2", "Trạm Chợ Lớn", 30)],
        )
    return path


def test_sqlite_source_publishes_each_query(hservices, org, tmp_path):
    path = _sqlite_db(tmp_path)
    register(hservices, "sql-a", "sql", f"sqlite:///{path}", org, {"queries": QUERIES})
    report = hservices.harvester.run("sql-a")
    assert report.counts()["created"] == 1, report.to_dict()
    view = next(iter(hservices.catalog.iter_all()))
    assert view.title == "tram-xe-buyt" and view.resources[0].row_count == 2
    assert hservices.harvester.run("sql-a").counts()["unchanged"] == 1
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE tram SET so_cho = 41 WHERE ma = 'T1'")
    assert hservices.harvester.run("sql-a").counts()["updated"] == 1


def test_sqlite_source_is_read_only(tmp_path) -> None:
    path = _sqlite_db(tmp_path)
    config = parse_config({"queries": {"x": "SELECT 1"}}, "sql")
    allowed = SqlBoundaries(allowed_paths=(tmp_path,))
    source = SqlSource(f"sqlite:///{path}", config, AddressPolicy(), boundaries=allowed)
    from harvesters.base import RemoteRef

    # a write smuggled in a WITH is refused before it runs
    sneaky = parse_config({"queries": {"x": "SELECT 1"}}, "sql")
    object.__setattr__(
        sneaky, "queries", {"x": "WITH a AS (DELETE FROM tram RETURNING *) SELECT * FROM a"}
    )
    with pytest.raises(BadResponse):
        SqlSource(f"sqlite:///{path}", sneaky, AddressPolicy(), boundaries=allowed).fetch(
            RemoteRef("x", ""), tmp_path
        )
    record = source.fetch(RemoteRef("x", ""), tmp_path)
    assert record.resources[0].path is not None
    source.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM tram").fetchone() == (2,)


def test_sql_config_refuses_statements_other_than_select() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_config({"queries": {"x": "DELETE FROM tram"}}, "sql")
    assert exc.value.errors == {"config.queries": ["not_a_select:x"]}
    with pytest.raises(InvalidInput) as missing:
        parse_config({}, "sql")
    assert missing.value.errors == {"config.queries": ["required_for_sql"]}


@pytest.fixture
def agency_postgres():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL source test does not run")
    name = f"agency_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE tram (ma TEXT, ten TEXT, so_cho INTEGER)")
        conn.execute("INSERT INTO tram VALUES ('T1', 'Trạm Bến Thành', 40)")
    yield url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_source_runs_read_only(hservices, org, agency_postgres):
    register(hservices, "sql-pg", "sql", agency_postgres, org, {"queries": QUERIES})
    report = hservices.harvester.run("sql-pg")
    assert report.counts()["created"] == 1, report.to_dict()
    assert next(iter(hservices.catalog.iter_all())).resources[0].row_count == 1
    config = parse_config({"queries": {"x": "SELECT 1"}}, "sql")
    from harvesters.base import RemoteRef

    writer = SqlSource(agency_postgres, config, AddressPolicy.from_setting("127.0.0.1"))
    object.__setattr__(config, "queries", {"x": "SELECT nextval('s')"})
    with psycopg.connect(agency_postgres, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE s")
    with pytest.raises(BadResponse) as exc:  # nextval writes: the READ ONLY transaction refuses
        writer.fetch(RemoteRef("x", ""), hservices.settings.data_dir)
    assert exc.value.code == "query_failed"
    writer.close()


def test_postgresql_host_must_be_allow_listed(agency_postgres, tmp_path) -> None:
    from harvesters.base import RemoteRef

    source = SqlSource(agency_postgres, parse_config({"queries": QUERIES}, "sql"), AddressPolicy())
    with pytest.raises(AddressRefused):
        source.fetch(RemoteRef("tram-xe-buyt", ""), tmp_path)
