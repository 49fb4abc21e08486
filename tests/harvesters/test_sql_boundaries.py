"""SQL sources read only allow-listed files, never the portal's own; secret columns wait."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from harvesters import SqlBoundaries
from harvesters.errors import BadResponse
from harvesters.sql import secret_columns
from tests.harvesters.conftest import register

ACCOUNTS_QUERY = {"tai-khoan": "SELECT * FROM users"}


@pytest.fixture
def agency(tmp_path: Path) -> Path:
    folder = tmp_path / "agency"
    folder.mkdir()
    return folder


@pytest.fixture
def hsettings(settings, agency):
    return settings.with_overrides(harvest_allowed_hosts="127.0.0.1", harvest_sql_paths=str(agency))


def _outcome(report) -> tuple[str, str]:
    data = report.to_dict()
    if data.get("error"):
        return "job_failed", data["error"]
    item = data["items"][0]
    return item["outcome"], item.get("reason", "") + " " + item.get("detail", "")


def _users_table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (ten_dang_nhap TEXT, mat_khau TEXT, email TEXT)")
        conn.execute("INSERT INTO users VALUES ('an', 'pbkdf2$abc', 'an@example.org')")


def test_the_portals_own_database_is_refused_even_through_an_allowed_folder(
    hservices, org, agency, tmp_path
):
    own = hservices.settings.effective_database_url
    if not own.startswith("sqlite:"):
        pytest.skip("the portal's database is PostgreSQL here (checked below by address)")
    link = agency / "portal.sqlite3"
    os.symlink(own.split(":///", 1)[1], link)
    register(hservices, "own-db", "sql", f"sqlite:///{link}", org, {"queries": ACCOUNTS_QUERY})
    report = hservices.harvester.run("own-db")
    outcome, reason = _outcome(report)
    assert outcome in ("failed", "job_failed") and "own" in reason, report.to_dict()
    assert not list(hservices.catalog.iter_all())


@pytest.mark.parametrize("route", ["symlink", "dotdot", "outside"])
def test_files_in_the_data_dir_or_outside_the_allow_list_are_refused(
    hservices, org, agency, tmp_path, route
):
    data_dir = hservices.settings.data_dir
    secret_db = data_dir / "copy.sqlite3"
    _users_table(secret_db)
    if route == "symlink":
        target = agency / "innocent.sqlite3"
        os.symlink(secret_db, target)
    elif route == "dotdot":
        target = agency / ".." / data_dir.name / "copy.sqlite3"
    else:
        target = tmp_path / "elsewhere.sqlite3"
        _users_table(target)
    register(hservices, "sneaky", "sql", f"sqlite:///{target}", org, {"queries": ACCOUNTS_QUERY})
    outcome, reason = _outcome(hservices.harvester.run("sneaky"))
    assert outcome in ("failed", "job_failed") and "path_refused" in reason
    assert not list(hservices.catalog.iter_all())


def test_secret_looking_columns_are_held_for_review(hservices, org, agency):
    path = agency / "agency.sqlite3"
    with sqlite3.connect(path) as conn:  # no personal data: only the column name tells
        conn.execute("CREATE TABLE users (ma_thiet_bi TEXT, mat_khau TEXT)")
        conn.executemany("INSERT INTO users VALUES (?, ?)", [("TB1", "x9f2"), ("TB2", "k7q1")])
    register(hservices, "accounts", "sql", f"sqlite:///{path}", org, {"queries": ACCOUNTS_QUERY})
    report = hservices.harvester.run("accounts")
    item = report.to_dict()["items"][0]
    assert item["held"] is True and "mat_khau" in item["reason"], item
    assert not list(hservices.catalog.iter_all())  # nothing published


def test_the_portals_own_postgresql_database_is_refused():
    boundaries = SqlBoundaries(own_database_url="postgresql://portal@127.0.0.1:5432/portal")
    with pytest.raises(BadResponse) as refused:
        boundaries.check_postgres("127.0.0.1", 5432, "portal")
    assert refused.value.code == "path_refused"
    boundaries.check_postgres("127.0.0.1", 5432, "agency")  # another database is fine


def test_secret_columns_in_english_and_vietnamese():
    columns = [
        "ten",
        "password_hash",
        "apiKey",
        "Mật khẩu",
        "mat_khau",
        "khoa_bi_mat",
        "ma_bam",
        "so_cho",
        "monkey",
        "khoa_noi",
        "token_hash",
    ]
    assert secret_columns(columns) == [
        "password_hash",
        "apiKey",
        "Mật khẩu",
        "mat_khau",
        "khoa_bi_mat",
        "ma_bam",
        "token_hash",
    ]
