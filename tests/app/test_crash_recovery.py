"""Recovery after a crash (issue 14): what `kill -9` leaves behind is repaired at start-up.

The states are made by killing real processes with SIGKILL at the point in question, or
(where the point is a single line) by writing the state such a kill leaves. Every test runs
on SQLite and PostgreSQL (the ``settings`` fixture).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import update

from app.config import Settings
from app.leases import AnyLeases, PostgresLeases, leases_for, load_lease
from app.recovery import reconcile
from app.services import Services, build_services
from app.startup import prepare
from datasets.datastore import DatastoreError
from datasets.model import Dataset, ResourceVersion
from datasets.processing import MAX_ATTEMPTS
from publishers import Role
from search_index import SearchDocument, SearchQuery
from tests.app.processes import environment, start, titled, wait_until
from tests.factories import (
    PASSWORD,
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    publish_sample,
    upload_bytes,
)


def _version(services: Services, resource_id: str) -> ResourceVersion:
    with services.sessions() as session:
        version = session.query(ResourceVersion).filter_by(resource_id=resource_id).one()
        session.expunge(version)
        return version


def _set(services: Services, resource_id: str, **values: object) -> None:
    with services.sessions.begin() as session:
        session.execute(
            update(ResourceVersion).where(ResourceVersion.resource_id == resource_id).values(values)
        )


def _uploaded(services: Services) -> tuple[str, str, str]:
    """Upload a CSV; return the dataset's name, the resource id and the publisher's name."""
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    publisher = actor(services, user)
    dataset = make_dataset(services, publisher, org)
    resource_id = upload_bytes(services, publisher, dataset.name, SAMPLE_CSV, "tram.csv")
    return dataset.name, resource_id, user.name


def test_upload_left_processing_by_a_kill_is_processed_again(services: Services) -> None:
    _name, resource_id, _user = _uploaded(services)
    assert _version(services, resource_id).status == "ready"
    # A kill -9 in the middle of processing leaves the version processing, one attempt made,
    # and the job gone from the queue (it was taken before the process died).
    _set(services, resource_id, status="processing", processing_attempts=1, public_sha256=None)
    report = reconcile(services, leases_for(services.settings))
    assert report.requeued == [_version(services, resource_id).id]
    version = _version(services, resource_id)
    assert version.status == "ready" and version.public_sha256
    assert version.processing_attempts == 0


def test_upload_interrupted_too_often_fails_with_a_visible_reason(
    services: Services, client, auth
) -> None:
    name, resource_id, user = _uploaded(services)
    _set(services, resource_id, status="processing", processing_attempts=MAX_ATTEMPTS)
    report = reconcile(services, leases_for(services.settings))
    version = _version(services, resource_id)
    assert report.failed == [version.id] and report.requeued == []
    assert (version.status, version.error_code) == ("failed", "interrupted")
    assert version.error_params == {"attempts": MAX_ATTEMPTS}
    # The publisher sees why, in words, on the dataset's page.
    assert auth.login(user, PASSWORD).status_code == 302
    page = client.get(f"/dataset/{name}/manage").text
    assert "Việc kiểm tra tệp bị gián đoạn 3 lần (máy chủ dừng hoặc hết bộ nhớ)" in page


def test_job_child_that_died_is_retried_until_the_attempts_are_spent(services: Services) -> None:
    _name, resource_id, _user = _uploaded(services)
    version_id = _version(services, resource_id).id
    _set(services, resource_id, status="processing", processing_attempts=MAX_ATTEMPTS - 1)
    assert services.job_died("process_version", {"version_id": version_id})  # once more
    _set(services, resource_id, processing_attempts=MAX_ATTEMPTS)
    assert not services.job_died("process_version", {"version_id": version_id})
    version = _version(services, resource_id)
    assert (version.status, version.error_code) == ("failed", "interrupted")


def test_upload_another_process_is_working_on_is_left_alone(services: Services) -> None:
    _name, resource_id, _user = _uploaded(services)
    _set(services, resource_id, status="processing", processing_attempts=1)
    version_id = _version(services, resource_id).id
    leases = leases_for(services.settings)
    with _lease_in_other_process(leases, f"version:{version_id}"):
        report = reconcile(services, leases)
    assert report.busy == [version_id] and report.requeued == []
    assert _version(services, resource_id).status == "processing"


def test_published_table_missing_from_the_datastore_is_loaded(services: Services) -> None:
    _dataset, resource_id, _publisher, _steward = publish_sample(services)
    # A kill between the approval's commit and its load job: published, never loaded.
    services.datastore.drop(resource_id)
    _set(services, resource_id, datastore_loaded=False)
    with pytest.raises(DatastoreError):
        services.datastore.info(resource_id)
    report = reconcile(services, leases_for(services.settings))
    assert report.loads == [_version(services, resource_id).id]
    assert services.datastore.info(resource_id).row_count == 4
    assert _version(services, resource_id).datastore_loaded


def test_a_load_still_running_or_waiting_is_not_queued_again(services: Services) -> None:
    _dataset, resource_id, _publisher, _steward = publish_sample(services)
    version_id = _version(services, resource_id).id
    # The approval's load has not committed yet: the periodic sweep sees it as missing.
    _set(services, resource_id, datastore_loaded=False)
    leases = leases_for(services.settings)
    with _lease_in_other_process(leases, load_lease(version_id)):  # a job child loading it
        assert reconcile(services, leases, periodic=True).loads == []
        assert reconcile(services, leases).loads == []  # nor at another process's start-up
    assert not _version(services, resource_id).datastore_loaded  # nothing loaded it again
    # Its lease released (the loading child died): the sweep queues the load again.
    assert reconcile(services, leases, periodic=True).loads == [version_id]
    assert _version(services, resource_id).datastore_loaded


def test_approval_killed_after_its_commit_is_found_by_search_after_restart(
    settings: Settings, services: Services
) -> None:
    """SIGKILL of the approving process between the commit and the index update."""
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward_user = make_user(services, org, Role.STEWARD)
    dataset = make_dataset(services, publisher, org, title="Bãi đỗ xe quận Một")
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV, "bai-do-xe.csv")
    services.workflow.submit(publisher, dataset.name)
    prepare(settings)
    script = textwrap.dedent(
        f"""
        import os
        from app.config import load_settings
        from app.services import build_services
        services = build_services(load_settings())
        services.search.upsert = lambda documents: os.kill(os.getpid(), 9)
        steward = services.accounts.actor_for({steward_user.id!r})
        services.workflow.approve(steward, {dataset.name!r})
        """
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], env=environment(settings), capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    with services.sessions() as session:
        row = session.query(Dataset).filter_by(name=dataset.name).one()
        assert row.state == "published"
        assert row.index_stale  # marked in the approval's transaction
    assert _found(services, "bãi đỗ xe") == []

    report = reconcile(services, leases_for(settings))
    assert report.reindexed == [dataset.id] or report.index_rebuilt == 1
    assert _found(services, "bãi đỗ xe") == [dataset.id]
    with services.sessions() as session:
        assert not session.query(Dataset).filter_by(name=dataset.name).one().index_stale


def test_stale_dataset_is_reindexed_when_the_index_count_agrees(services: Services) -> None:
    dataset, _resource_id, _publisher, _steward = publish_sample(services)
    with services.sessions.begin() as session:
        session.execute(update(Dataset).values(index_stale=True))
    services.search.upsert(
        [
            dataclasses.replace(
                _document(services, dataset.id), title_vi="Tên cũ trước khi phê duyệt"
            )
        ]
    )
    report = reconcile(services, leases_for(services.settings))
    assert report.reindexed == [dataset.id] and report.index_rebuilt is None
    assert _found(services, "trước khi phê duyệt") == []
    assert _found(services, "trạm dừng xe buýt") == [dataset.id]


@pytest.mark.slow
def test_job_process_killed_mid_upload_is_recovered_by_the_restart(
    settings: Settings, tmp_path: Path
) -> None:
    """kill -9 of the job process while its child processes an upload; the restart finishes it."""
    background = dataclasses.replace(settings, jobs_immediate=False, max_upload_mb=50)
    prepare(background)
    services = build_services(background)
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org)
    rows = "".join(f"{i},Trạm số {i},Quận {i % 24},{i * 7}\n" for i in range(300_000))
    data = ("ma,ten,quan,so_cho\n" + rows).encode()
    resource_id = upload_bytes(services, publisher, dataset.name, data, "tram-lon.csv")
    assert _version(services, resource_id).status == "processing"  # queued, not run

    worker = start(["worker"], environment(background), tmp_path / "worker.log")
    try:
        child = wait_until(lambda: titled("opendata: job process_version", worker.pid), 60)
        assert child, worker.text()[-3000:]
        # Processing has started (the attempt is committed) and is not finished.
        started = wait_until(lambda: _version(services, resource_id).processing_attempts, 60)
        assert started == 1 and _version(services, resource_id).status == "processing"
        (jobs,) = titled("opendata: jobs", worker.pid)
        os.kill(jobs, signal.SIGKILL)
        assert wait_until(lambda: not os.path.exists(f"/proc/{child[0]}/cmdline"), 15)
        assert _version(services, resource_id).status == "processing"

        def finished() -> str | None:
            status = _version(services, resource_id).status
            return None if status == "processing" else status

        assert wait_until(finished, 180, interval=0.5) == "ready", worker.text()[-3000:]
        assert "1 uploads queued again" in worker.text()
        assert worker.stop() == 0
    finally:
        worker.kill_group()
        services.engine.dispose()


@pytest.mark.slow
def test_job_child_killed_mid_upload_is_retried_by_the_queue(
    settings: Settings, tmp_path: Path
) -> None:
    """kill -9 of the job's child only (as the out-of-memory killer would): the job runs again."""
    background = dataclasses.replace(settings, jobs_immediate=False, max_upload_mb=50)
    prepare(background)
    services = build_services(background)
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org)
    rows = "".join(f"{i},Trạm số {i},Quận {i % 24},{i * 7}\n" for i in range(300_000))
    data = ("ma,ten,quan,so_cho\n" + rows).encode()
    resource_id = upload_bytes(services, publisher, dataset.name, data, "tram-lon.csv")
    worker = start(["worker"], environment(background), tmp_path / "worker.log")
    try:
        assert wait_until(lambda: _version(services, resource_id).processing_attempts, 90)
        # Start-up reconciliation may have queued the same upload again: its second child
        # finds the lease held and ends; kill every child of this job that is running.
        children = titled("opendata: job process_version", worker.pid)
        assert children, worker.text()[-3000:]
        (jobs,) = titled("opendata: jobs", worker.pid)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)

        def finished() -> str | None:
            status = _version(services, resource_id).status
            return None if status == "processing" else status

        assert wait_until(finished, 240, interval=0.5) == "ready", worker.text()[-3000:]
        assert any(f"job child {c} ended with signal 9" in worker.text() for c in children)
        assert titled("opendata: jobs", worker.pid) == [jobs]  # the job process lived on
        assert worker.stop() == 0
    finally:
        worker.kill_group()
        services.engine.dispose()


def _document(services: Services, dataset_id: str) -> SearchDocument:
    from app.services import document_from_public

    view = services.catalog.get(dataset_id)
    assert view is not None
    return document_from_public(view)


def _found(services: Services, text: str) -> list[str]:
    return [hit.id for hit in services.search.search(SearchQuery(text=text)).hits]


class _lease_in_other_process:
    """Hold a lease from another process (leases are per process) for a with-block."""

    def __init__(self, leases: AnyLeases, key: str) -> None:
        self._leases, self._key = leases, key

    def __enter__(self) -> None:
        # A lock file on SQLite, an advisory lock on PostgreSQL (shared by every server).
        same = (
            f"PostgresLeases({self._leases.url!r})"
            if isinstance(self._leases, PostgresLeases)
            else f"Leases(Path({str(self._leases.path)!r}))"
        )
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            from app.leases import Leases, PostgresLeases
            with {same}.hold({self._key!r}) as held:
                print("held" if held else "busy", flush=True)
                sys.stdin.read()
            """
        )
        self._process = subprocess.Popen(
            [sys.executable, "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        assert self._process.stdout.readline().strip() == b"held"

    def __exit__(self, *exc: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(30)
