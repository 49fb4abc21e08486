"""What several servers must share (issue 19), without starting servers: progress in Redis,
harvest credentials in the database, leases in PostgreSQL, keys from the environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time

import pytest
import redis

from app.config import Settings
from app.leases import Leases, PostgresLeases, leases_for
from app.startup import StartupError, prepare
from datasets.progress import ProgressBoard
from harvesters.sources import SecretStore

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return REDIS_URL


def test_progress_written_on_one_server_is_read_on_another(tmp_path, redis_url) -> None:
    worker = ProgressBoard(tmp_path / "worker" / "progress", redis_url=redis_url)
    web = ProgressBoard(tmp_path / "web" / "progress", redis_url=redis_url)
    worker.update("v-1", "validating", 400, 1000)
    seen = web.read("v-1")
    assert seen is not None and (seen.stage, seen.percent) == ("validating", 40)
    assert not (tmp_path / "worker").exists()  # nothing on the worker's disk
    assert 0 < redis.Redis.from_url(redis_url).ttl("opendata:progress:v-1") <= 3600
    web.clear("v-1")
    assert worker.read("v-1") is None
    assert web.read("../etc") is None  # a bad id is no progress, never a Redis key


def test_harvest_credentials_in_the_database_are_read_by_every_server(tmp_path, services) -> None:
    key = bytes.fromhex(secrets.token_hex(32))
    one = SecretStore(tmp_path / "one" / "secrets", key, services.sessions)
    other = SecretStore(tmp_path / "other" / "secrets", key, services.sessions)
    one.put("nguon-khoa", "Bearer bi-mat")
    assert other.has("nguon-khoa") and other.get("nguon-khoa") == "Bearer bi-mat"
    one.put("nguon-khoa", "Bearer moi")  # replaced
    assert other.get("nguon-khoa") == "Bearer moi"
    assert not (tmp_path / "one").exists() and not (tmp_path / "other").exists()
    with services.sessions() as session:
        from harvesters.model import HarvestSecret

        sealed = session.get(HarvestSecret, "nguon-khoa").sealed
    assert b"bi-mat" not in sealed and b"moi" not in sealed  # sealed, never in clear
    wrong = SecretStore(tmp_path / "x", bytes(32), services.sessions)
    assert wrong.get("nguon-khoa") is None  # another key reads nothing


def test_leases_follow_the_database(settings) -> None:
    leases = leases_for(settings)
    if settings.database_url.startswith("postgresql"):
        assert isinstance(leases, PostgresLeases)
    else:
        assert isinstance(leases, Leases)


@pytest.mark.postgres
def test_a_postgres_lease_excludes_other_processes_and_ends_with_its_holder() -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests do not run")
    leases = PostgresLeases(url)
    script = textwrap.dedent(
        f"""
        import sys
        from app.leases import PostgresLeases
        with PostgresLeases({url!r}).hold("version:two-nodes") as held:
            print("held" if held else "busy", flush=True)
            sys.stdin.read()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
    assert leases.is_held("version:two-nodes")
    with leases.hold("version:two-nodes") as got:
        assert not got
    holder.kill()  # SIGKILL: PostgreSQL ends its session, and the lock with it
    holder.wait(10)
    for _ in range(50):
        if not leases.is_held("version:two-nodes"):
            break
        time.sleep(0.1)
    with leases.hold("version:two-nodes") as got:
        assert got


def test_a_bucket_needs_the_keys_from_the_environment(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "instance", storage_url="s3://opendata/portal")
    with pytest.raises(StartupError, match="OPENDATA_SECRET_KEY, OPENDATA_ENCRYPTION_KEY"):
        prepare(settings)
    assert not (tmp_path / "instance" / "keys").exists()


def test_periodic_recovery_requeues_an_upload_a_dead_worker_took(settings, redis_url) -> None:
    from app.recovery import reconcile
    from app.services import build_services
    from publishers import Role
    from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

    svc = build_services(settings.with_overrides(redis_url=redis_url, jobs_immediate=False))
    try:
        org = make_org(svc)
        publisher = actor(svc, make_user(svc, org, Role.PUBLISHER))
        dataset = make_dataset(svc, publisher, org, title="Hàng đợi chung")
        upload_bytes(svc, publisher, dataset.name, "mã,tên\n1,Một\n".encode())
        queued = svc.queue.queued_payloads("process_version")
        assert queued is not None and len(queued) == 1
        version_id = str(queued[0]["version_id"])
        leases = leases_for(svc.settings)
        # Still waiting in Redis: left alone (no duplicate).
        assert reconcile(svc, leases, periodic=True).requeued == []
        # A worker took it from Redis and died before starting it: queued again.
        redis.Redis.from_url(redis_url).flushdb()
        assert reconcile(svc, leases, periodic=True).requeued == [version_id]
        again = svc.queue.queued_payloads("process_version")
        assert again is not None and [p["version_id"] for p in again] == [version_id]
    finally:
        svc.engine.dispose()
        redis.Redis.from_url(redis_url).flushdb()
