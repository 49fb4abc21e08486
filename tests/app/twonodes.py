"""Two portal nodes and two job workers on 127.0.0.1 sharing PostgreSQL, Redis and an S3
server (issue 19): the set-up of ``test_two_nodes.py`` and ``benchmarks/bench_two_nodes.py``."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

from app.config import Settings
from tests.app.processes import Running, environment, free_port, start, wait_until
from tests.s3server import S3Server


@dataclass
class Cluster:
    """The shared settings, the running processes and each node's base URL."""

    settings: Settings
    env: dict[str, str]
    tmp: Path
    nodes: dict[str, Running] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)
    workers: dict[str, Running] = field(default_factory=dict)

    def node_env(self, name: str) -> dict[str, str]:
        return {**self.env, "OPENDATA_DATA_DIR": str(self.tmp / name)}

    def start_node(self, name: str, workers: int = 2, cpu: int | None = None) -> str:
        port = free_port()
        args = ["serve", "--no-jobs", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        self.nodes[name] = start(args, self.node_env(name), self.tmp / f"{name}.log", cpu)
        self.bases[name] = f"http://127.0.0.1:{port}"
        return self.bases[name]

    def start_worker(self, name: str) -> None:
        env = self.node_env(name)
        self.workers[name] = start(["worker", "--threads", "1"], env, self.tmp / f"{name}.log")

    def wait_ready(self, timeout: float = 60) -> None:
        for name, base in self.bases.items():
            ready = wait_until(lambda b=base: _status(f"{b}/readyz") == 200, timeout)
            assert ready, self.nodes[name].text()[-3000:]

    def stop_all(self) -> None:
        for running in [*self.nodes.values(), *self.workers.values()]:
            running.kill_group()


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=3).status_code
    except requests.RequestException:
        return 0


def shared_keys() -> dict[str, str]:
    """The same secret keys for every process, from the environment."""
    return {
        "OPENDATA_SECRET_KEY": secrets.token_hex(48),
        "OPENDATA_ENCRYPTION_KEY": secrets.token_hex(32),
        "OPENDATA_HASH_KEY": secrets.token_hex(32),
    }


@contextmanager
def fresh_database(base_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for this run, dropped afterwards."""
    name = f"opendata_2n_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def cluster(
    database_url: str, redis_url: str, s3: S3Server, tmp: Path, **extra: str
) -> Iterator[Cluster]:
    """Shared settings (not started): prepare the database and bucket once, in this process."""
    from app.startup import prepare

    keys = shared_keys()
    storage = s3.settings_changes()
    settings = Settings(
        data_dir=tmp / "setup",
        database_url=database_url,
        redis_url=redis_url,
        search_url=database_url,
        storage_url=str(storage["storage_url"]),
        s3_endpoint_url=s3.endpoint_url,
        aws_access_key_id=str(storage["aws_access_key_id"]),
        aws_secret_access_key=str(storage["aws_secret_access_key"]),
        aws_region="us-east-1",
        secret_key=keys["OPENDATA_SECRET_KEY"],
        encryption_key=keys["OPENDATA_ENCRYPTION_KEY"],
        hash_key=keys["OPENDATA_HASH_KEY"],
        rate_limit_anon="0",
        rate_limit_token="0",
    )
    redis.Redis.from_url(redis_url).flushdb()
    prepare(settings)
    env = environment(
        settings,
        REDIS_URL=redis_url,
        OPENDATA_SEARCH_URL=database_url,
        OPENDATA_STORAGE_URL=settings.storage_url,
        OPENDATA_S3_ENDPOINT_URL=s3.endpoint_url,
        AWS_ACCESS_KEY_ID=settings.aws_access_key_id,
        AWS_SECRET_ACCESS_KEY=settings.aws_secret_access_key,
        AWS_REGION="us-east-1",
        OPENDATA_HARVEST_ALLOWED_HOSTS="127.0.0.1",
        **keys,
        **extra,
    )
    found = Cluster(settings, env, tmp)
    try:
        yield found
    finally:
        found.stop_all()
        redis.Redis.from_url(redis_url).flushdb()


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    """``wait_until`` that fails with ``what`` when the time runs out."""
    began = time.monotonic()
    value = wait_until(check, timeout, 0.2)
    assert value, f"{what}: not within {timeout} s"
    return value, time.monotonic() - began
