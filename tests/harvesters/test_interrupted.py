"""A harvest job whose process is killed is failed as interrupted, not left running (issue 14).

A real `opendata harvest run` is killed with SIGKILL while it waits on a slow source; its job
row stays ``running``. Without run leases the source was then refused for six hours
(``already_running``); now the next run, and the job process's start-up reconciliation, see
that no live process holds the source's run lease. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.leases import leases_for
from app.recovery import reconcile
from harvesters.jobs import run_lease_key
from publishers import Conflict
from tests.app.processes import Running, environment, start, wait_until
from tests.harvesters.conftest import register
from tests.servers import Recorded, ReplayServer

TABLE = "ma_cho,ten_cho\n1,Chợ Bến Thành\n2,Chợ Bình Tây\n".encode()


def _slow(seconds: float) -> Recorded:
    return Recorded(200, TABLE, {"Content-Type": "text/csv"}, delay=seconds)


@pytest.fixture
def source(hservices: Any, org: Any) -> Iterator[tuple[ReplayServer, str]]:
    with ReplayServer({"/kho/cho.csv": _slow(120)}) as server:
        info = register(hservices, "kho-cham", "file", f"{server.url}/kho/cho.csv", org)
        yield server, info.id


def _running_job(hservices: Any) -> Any:
    jobs = hservices.harvester.jobs("kho-cham")
    return next((job for job in jobs if job.status == "running"), None)


def _start_run(hsettings: Any, tmp_path: Path) -> Running:
    env = environment(hsettings, OPENDATA_HARVEST_ALLOWED_HOSTS="127.0.0.1")
    return start(["harvest", "run", "kho-cham"], env, tmp_path / "harvest.log")


def _kill_mid_run(hservices: Any, hsettings: Any, source_id: str, tmp_path: Path) -> Any:
    """Start `opendata harvest run`, SIGKILL it once its job runs; return that job."""
    running = _start_run(hsettings, tmp_path)
    try:
        job = wait_until(lambda: _running_job(hservices), 60)
        assert job is not None, running.text()
        assert leases_for(hsettings).is_held(run_lease_key(source_id))
        os.kill(running.pid, signal.SIGKILL)
        running.process.wait(10)
    finally:
        running.kill_group()
    assert hservices.harvester.job(job.id).status == "running"  # what the kill left
    return job


def test_a_killed_run_is_failed_as_interrupted_and_the_source_runs_again(
    hservices: Any, hsettings: Any, source: tuple[ReplayServer, str], tmp_path: Path
) -> None:
    server, source_id = source
    job = _kill_mid_run(hservices, hsettings, source_id, tmp_path)
    assert not leases_for(hsettings).is_held(run_lease_key(source_id))
    server.routes["/kho/cho.csv"] = _slow(0)
    report = hservices.harvester.run("kho-cham")
    assert report.counts()["created"] == 1
    killed = hservices.harvester.job(job.id)
    assert (killed.status, killed.error) == ("failed", "interrupted")
    assert killed.finished is not None


def test_start_up_reconciliation_fails_the_killed_job(
    hservices: Any, hsettings: Any, source: tuple[ReplayServer, str], tmp_path: Path
) -> None:
    _server, source_id = source
    job = _kill_mid_run(hservices, hsettings, source_id, tmp_path)
    report = reconcile(hservices, leases_for(hsettings))
    assert report.harvests == [job.id]
    assert "1 harvest jobs failed as interrupted" in report.summary()
    assert (hservices.harvester.job(job.id).status, hservices.harvester.job(job.id).error) == (
        "failed",
        "interrupted",
    )


def test_a_run_while_a_live_process_runs_the_source_is_refused(
    hservices: Any, hsettings: Any, source: tuple[ReplayServer, str], tmp_path: Path
) -> None:
    _server, _source_id = source
    running = _start_run(hsettings, tmp_path)
    try:
        job = wait_until(lambda: _running_job(hservices), 60)
        assert job is not None, running.text()
        assert reconcile(hservices, leases_for(hsettings)).harvests == []
        with pytest.raises(Conflict):
            hservices.harvester.run("kho-cham")
        assert hservices.harvester.job(job.id).status == "running"
        refused = hservices.harvester.jobs("kho-cham")[0]
        assert (refused.status, refused.error) == ("failed", "already_running")
    finally:
        running.kill_group()
