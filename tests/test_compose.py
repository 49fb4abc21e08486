"""The scaled set-up of ``docker-compose.yml`` (issue 19), checked without a Docker engine.

``docker-compose config`` (Debian's docker-compose, which ``.ci/run`` installs) validates
the file against the Compose specification and resolves every anchor and variable; the
tests then read what it resolved.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "S3_ACCESS_KEY": "s3-access",
    "S3_SECRET_KEY": "s3-secret",
    "OPENDATA_SECRET_KEY": "k" * 40,
    "OPENDATA_ENCRYPTION_KEY": "e" * 44,
    "OPENDATA_HASH_KEY": "h" * 44,
}


def _compose(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.fail("docker-compose is not installed (.ci/run installs Debian's docker-compose)")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
        check=False,
        timeout=60,
    )


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = _compose(SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_scaled_set_up_has_every_process(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "objects",
        "migrate",
        "web-a",
        "web-b",
        "worker",
        "balancer",
    }
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for web in ("web-a", "web-b"):
        assert services[web]["command"][:2] == ["serve", "--no-jobs"]  # jobs run in the worker
        assert services[web]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert "/readyz" in " ".join(services[web]["healthcheck"]["test"])
    assert services["worker"]["command"] == ["worker"]
    assert services["balancer"]["ports"][0]["target"] == 80


def test_every_portal_process_shares_the_same_engines_and_keys(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    portal = ("migrate", "web-a", "web-b", "worker")
    environments = [services[name]["environment"] for name in portal]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["DATABASE_URL"] == "postgresql://opendata:pg-secret@postgres:5432/opendata"
    assert env["OPENDATA_SEARCH_URL"].startswith("postgresql://")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["OPENDATA_STORAGE_URL"].startswith("s3://")
    assert env["OPENDATA_S3_ENDPOINT_URL"] == "http://objects:9000"
    for key in ("OPENDATA_SECRET_KEY", "OPENDATA_ENCRYPTION_KEY", "OPENDATA_HASH_KEY"):
        assert env[key] == SECRETS[key]  # from the environment, never a file on one server
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web-a:5000" in nginx and "server web-b:5000" in nginx


def test_a_missing_secret_stops_the_set_up_with_its_name() -> None:
    for name in SECRETS:
        result = _compose({k: v for k, v in SECRETS.items() if k != name})
        assert result.returncode != 0
        assert f"set {name}" in result.stderr
