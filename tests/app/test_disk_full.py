"""Disk full during an upload: a clear error on every surface, nothing left behind.

The portal runs in a real server process whose file-size limit (``RLIMIT_FSIZE``, with
SIGXFSZ ignored) is 2 MiB: the kernel then refuses, with EFBIG, any write past 2 MiB in
any file, exactly where a full disk refuses writes with ENOSPC. No root, no loop device,
nothing that can harm the machine. An upload just under the limit passes the staging
copy but not its encrypted copy in the vault (the encryption adds a header and a tag per
chunk); before the fix its plaintext stayed in ``staging/`` for good and the user got a
500. A larger upload is refused while it is being received.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from publishers import Role
from tests.conftest import REPO_ROOT
from tests.factories import PASSWORD, make_org, make_user

LIMIT = 2 * 1024 * 1024
MESSAGE = "không còn chỗ để lưu tệp"  # the portal speaks Vietnamese by default
SERVER = """
import sys
from werkzeug.serving import make_server
from app import create_app
from app.config import load_settings
from app.services import build_services
settings = load_settings()
server = make_server("127.0.0.1", 0, create_app(settings, build_services(settings)), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _file_size_limit() -> None:  # runs in the server process before it starts
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _csv(size: int) -> bytes:
    header = b"ma,ten_phuong,so_ho\n"
    row = "P{:06d},Phường Bến Nghé,{}\n"
    lines, total, i = [header], len(header), 0
    while total < size:
        line = row.format(i, i % 97).encode()
        lines.append(line)
        total += len(line)
        i += 1
    return b"".join(lines)[:size]


@pytest.fixture
def portal(settings) -> Iterator[str]:
    env = {
        **os.environ,
        "OPENDATA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.effective_database_url,
        "OPENDATA_MAX_UPLOAD_MB": "5",
        "OPENDATA_RATE_LIMIT_ANON": "0",
        "OPENDATA_RATE_LIMIT_TOKEN": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        preexec_fn=_file_size_limit,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


def _leftovers(settings) -> list[str]:
    data = Path(settings.data_dir)
    folders = [data / "staging", data / "tmp", data / "files" / "private" / "tmp"]
    return [str(p) for folder in folders for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def team(services):
    org = make_org(services)
    publisher = make_user(services, org, Role.PUBLISHER)
    token = services.tokens.create(publisher.id, "script")
    return org, publisher, {"Authorization": f"Bearer {token}"}


def _draft(portal: str, org, headers) -> str:
    response = requests.post(
        f"{portal}/api/v1/datasets",
        json={"organization": org.name, "title": "Hộ dân theo phường"},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["name"])


def _resources(portal: str, name: str, headers) -> list[object]:
    response = requests.get(f"{portal}/api/v1/datasets/{name}", headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return list(response.json()["resources"])


@pytest.mark.parametrize("size", [LIMIT - 16, LIMIT + 300_000], ids=["vault", "receiving"])
def test_rest_upload_on_a_full_disk(portal, settings, team, size: int) -> None:
    org, _user, headers = team
    name = _draft(portal, org, headers)
    response = requests.post(
        f"{portal}/api/v1/datasets/{name}/resources",
        files={"file": ("ho_dan.csv", _csv(size), "text/csv")},
        headers=headers,
        timeout=120,
    )
    assert _leftovers(settings) == []
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["code"] == "insufficient_storage" and MESSAGE in error["message"]
    assert _resources(portal, name, headers) == []


def test_ckan_upload_on_a_full_disk(portal, settings, team) -> None:
    org, _user, headers = team
    name = _draft(portal, org, headers)
    response = requests.post(
        f"{portal}/api/3/action/resource_create",
        data={"package_id": name, "name": "Hộ dân"},
        files={"upload": ("ho_dan.csv", _csv(LIMIT - 16), "text/csv")},
        headers=headers,
        timeout=120,
    )
    assert response.status_code == 507, response.text
    body = response.json()
    assert body["success"] is False and MESSAGE in body["error"]["message"]
    assert _leftovers(settings) == []
    assert _resources(portal, name, headers) == []


def test_web_upload_on_a_full_disk(portal, settings, team) -> None:
    org, user, headers = team
    name = _draft(portal, org, headers)
    web = requests.Session()
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    login = token.search(web.get(f"{portal}/user/login", timeout=60).text)
    assert login
    signed_in = web.post(
        f"{portal}/user/login",
        data={"login": user.name, "password": PASSWORD, "csrf_token": login.group(1)},
        timeout=60,
    )
    assert signed_in.status_code == 200, signed_in.text[:500]
    form = token.search(web.get(f"{portal}/dataset/{name}/manage", timeout=60).text)
    assert form
    response = web.post(
        f"{portal}/dataset/{name}/resources",
        data={"csrf_token": form.group(1), "name": "Hộ dân"},
        files={"file": ("ho_dan.csv", _csv(LIMIT - 16), "text/csv")},
        timeout=120,
    )
    assert response.status_code == 507, response.text[:500]
    assert MESSAGE in response.text
    assert _leftovers(settings) == []
    assert _resources(portal, name, headers) == []


def test_leftovers_older_than_the_longest_upload_are_swept_at_start(settings) -> None:
    from app.services import build_services

    data = Path(settings.data_dir)
    old, young = data / "staging" / "upload-crashed", data / "staging" / "upload-running"
    scratch = data / "tmp" / "dec-crashed"
    for path in (old, young, scratch):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"ho_ten,cccd\nNguyen Van An,079123456789\n")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(scratch, (day_ago, day_ago))
    build_services(settings).engine.dispose()  # a process starting
    assert not old.exists() and not scratch.exists()
    assert young.exists()  # may be an upload in progress in another process
