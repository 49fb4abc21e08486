"""datastore_search_sql within bounds: time, bytes of the result, queries at once."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import requests

from app.config import Settings
from datasets.datastore import PostgresDatastore
from tests.app.ckan_api.conftest import CkanPortal

# One call of one function for many seconds: SQLite's instr() over generated strings (no
# progress-handler check inside it); PostgreSQL's pg_sleep.
LONG_CALL = {
    "sqlite": "SELECT instr(a, b) FROM (SELECT replace(hex(zeroblob(600000)), '0', 'a') AS a, "
    "replace(hex(zeroblob(300000)), '0', 'a') || 'b' AS b)",
    "postgresql": "SELECT pg_sleep(30)",
}
# 200 MB of rows from a query of about a hundred bytes.
HUGE_RESULT = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) "
    "SELECT zeroblob(1000000) FROM c",
    "postgresql": "SELECT repeat('0', 2000000) FROM generate_series(1, 100)",
}


def _kind(portal: CkanPortal) -> str:
    return "postgresql" if isinstance(portal.services.datastore, PostgresDatastore) else "sqlite"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(sql_concurrency=1, sql_timeout_ms=3000)


def _sql(portal: CkanPortal, sql: str) -> requests.Response:
    return requests.post(
        f"{portal.server.url}/api/action/datastore_search_sql",
        json={"sql": sql},
        cookies={"lang": "en"},
        timeout=60,
    )


def _peak_rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)", status)
    assert found, status
    return int(found.group(1))


def test_a_huge_result_is_refused_before_the_worker_holds_it(portal: CkanPortal) -> None:
    Path("/proc/self/clear_refs").write_text("5")  # reset this process's peak RSS
    before = _peak_rss_kib()
    answer = _sql(portal, HUGE_RESULT[_kind(portal)])
    grown_mib = (_peak_rss_kib() - before) / 1024
    assert answer.status_code == 409, answer.text[:200]
    error = answer.json()["error"]
    assert error["__type"] == "Validation Error"
    assert "larger than 16777216 bytes" in error["sql"][0]
    assert grown_mib < 64, f"the serving process grew by {grown_mib:.0f} MiB"


def test_one_long_function_call_stops_at_the_time_limit(portal: CkanPortal) -> None:
    started = time.monotonic()
    answer = _sql(portal, LONG_CALL[_kind(portal)])
    assert time.monotonic() - started < 7  # was 20 s and more with a 3 s limit
    assert answer.status_code == 409
    assert answer.json()["error"]["sql"] == ["The query took too long and was stopped"]


def test_queries_beyond_the_slots_are_refused_and_others_are_answered(
    portal: CkanPortal,
) -> None:
    first: list[requests.Response] = []
    running = threading.Thread(target=lambda: first.append(_sql(portal, LONG_CALL[_kind(portal)])))
    running.start()
    try:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:  # let the first query take the only slot
            time.sleep(0.05)
        second = _sql(portal, f'SELECT count(*) AS n FROM "{portal.resource_id}"')
        assert second.status_code == 429
        assert second.headers["Retry-After"] == "3"
        assert second.json()["error"]["__type"] == "Rate Limit Error"
        assert "Too many SQL queries" in second.json()["error"]["message"]
        started = time.monotonic()
        health = requests.get(f"{portal.server.url}/healthz", timeout=10)
        assert health.status_code == 200 and time.monotonic() - started < 1.0
    finally:
        running.join(timeout=30)
    assert first[0].status_code == 409
    after = _sql(portal, f'SELECT count(*) AS n FROM "{portal.resource_id}"')
    assert after.json()["result"]["records"] == [{"n": 4}]
