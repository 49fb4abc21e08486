"""Two portal nodes and two job workers sharing PostgreSQL, Redis and an S3 server (issue 19).

Every process has its own data dir, so anything one keeps on its disk is invisible to the
others: a publisher uploads through node A, a worker validates, the steward approves through
node B, and both nodes serve the same dataset (search, download, conversion, records, DCAT);
a harvest queued on one node is seen on the other with the same sign-in session; killing
node A and the worker processing an upload loses nothing.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import signal
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
import requests

from publishers import Role, Scope
from tests.app.processes import wait_until
from tests.app.twonodes import Cluster, cluster, fresh_database, wait_for
from tests.factories import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("two_nodes")]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number no other test uses
TIMEOUT = 10  # "within a few seconds", with room for a loaded machine
CSV = "mã trạm,tên trạm,quận\n" + "".join(
    f"{i},Trạm số {i},Quận {i % 12 + 1}\n" for i in range(300)
)
SOURCE_SECRET = "Bearer khoa-nguon-cho-dau-moi"  # a local test server's only
HARVESTED = "mã,tên chợ\n1,Chợ Bến Thành\n2,Chợ Lớn\n".encode()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, s3_server) -> Iterator[dict[str, object]]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: the two-node test needs PostgreSQL")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    tmp = tmp_path_factory.mktemp("two-nodes")
    with (
        fresh_database(base) as url,
        cluster(url, REDIS_URL, s3_server, tmp, OPENDATA_RECOVERY_SECONDS="2") as shared,
    ):
        people = _people(shared)
        harvest_url = _serve_file(HARVESTED)
        _register_source(shared, people["org"], harvest_url)
        shared.start_node("a")
        shared.start_node("b")
        shared.start_worker("w1")
        shared.start_worker("w2")
        shared.wait_ready()
        yield {"cluster": shared, **people}


def _people(shared: Cluster) -> dict[str, object]:
    from app.services import build_services

    svc = build_services(shared.settings)
    org = make_org(svc)
    publisher = make_user(svc, org, Role.PUBLISHER)
    steward = make_user(svc, org, Role.STEWARD)
    admin = make_user(svc, sysadmin=True)
    people = {
        "org": org.name,
        "publisher": svc.tokens.create(publisher.id, "two-nodes", scope=Scope.READ_WRITE),
        "steward": svc.tokens.create(steward.id, "two-nodes", scope=Scope.READ_WRITE),
        "admin": admin.name,
    }
    svc.engine.dispose()
    return people


def _serve_file(body: bytes) -> str:
    """A CSV on 127.0.0.1 that answers only with the source's credential."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != SOURCE_SECRET:
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/cho-dau-moi.csv"


def _register_source(shared: Cluster, org: str, url: str) -> None:
    from app.services import build_services

    svc = build_services(shared.settings)
    svc.harvester.sources.register("cho-hai-nut", "file", url, org)
    # Set here (the set-up's data dir): the worker running the harvest reads it elsewhere.
    svc.harvester.sources.set_secret("cho-hai-nut", SOURCE_SECRET)
    svc.engine.dispose()


def _api(base: str, path: str, token: str = "", **kwargs: object) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    method = str(kwargs.pop("method", "GET"))
    return requests.request(method, f"{base}{path}", headers=headers, timeout=30, **kwargs)


def _upload(base: str, token: str, org: str, title: str, data: bytes) -> tuple[str, str]:
    made = _api(
        base, "/api/v1/datasets", token, method="POST", json={"organization": org, "title": title}
    )
    assert made.status_code == 201, made.text
    name = made.json()["name"]
    sent = _api(
        base,
        f"/api/v1/datasets/{name}/resources",
        token,
        method="POST",
        files={"file": ("tram-xe-buyt.csv", data, "text/csv")},
    )
    assert sent.status_code == 201, sent.text
    return name, sent.json()["id"]


def _resource(base: str, token: str, name: str, resource_id: str) -> dict[str, object]:
    found = _api(base, f"/api/v1/datasets/{name}", token).json()
    return next(r for r in found["resources"] if r["id"] == resource_id)


def _ready(base: str, token: str, name: str, resource_id: str) -> dict[str, object] | None:
    resource = _resource(base, token, name, resource_id)
    assert resource["status"] != "failed", resource
    return resource if resource["status"] == "ready" else None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path


def test_upload_on_a_approve_on_b_then_both_serve_it(nodes) -> None:
    shared: Cluster = nodes["cluster"]  # type: ignore[assignment]
    a, b = shared.bases["a"], shared.bases["b"]
    token, steward = str(nodes["publisher"]), str(nodes["steward"])
    name, rid = _upload(a, token, str(nodes["org"]), "Trạm xe buýt hai nút", CSV.encode())
    resource, _ = wait_for(lambda: _ready(b, token, name, rid), 60, "validation on a worker")
    ran = [w for w, p in shared.workers.items() if "started for process_version" in p.text()]
    assert ran, "no worker processed the upload"

    assert _api(a, f"/api/v1/datasets/{name}/submit", token, method="POST").status_code == 200
    approved = _api(b, f"/api/v1/datasets/{name}/approve", steward, method="POST")
    assert approved.status_code == 200, approved.text

    def everywhere() -> bool:
        return all(name in _api(n, "/api/v1/datasets?q=hai+nút").text for n in (a, b))

    wait_for(everywhere, TIMEOUT, "search on both nodes")
    public = _api(a, f"/api/v1/datasets/{name}").json()["resources"][0]
    assert public["sha256"] == resource["sha256"]
    download = _path(str(public["download_url"]))
    bodies = [_api(n, download).content for n in (a, b)]
    assert bodies[0] == bodies[1] and hashlib.sha256(bodies[0]).hexdigest() == resource["sha256"]
    assert "Trạm số 299" in bodies[0].decode("utf-8-sig")
    # A conversion built by one node is the same file, with the same ETag, on the other.
    xlsx = download.rsplit(".", 1)[0] + ".xlsx"
    first, second = _api(a, xlsx), _api(b, xlsx)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["ETag"] == second.headers["ETag"]
    part = _api(b, xlsx, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == first.content[10:100]

    seen: list[str] = []

    def previewable() -> bool:
        rows = [
            _api(n, f"/api/v1/datasets/{name}/resources/{rid}/records?_limit=5") for n in (a, b)
        ]
        seen[:] = [f"{r.status_code} {r.text[:300]}" for r in rows]
        return all(r.status_code == 200 and "Trạm số 0" in _text(r) for r in rows)

    assert wait_until(previewable, TIMEOUT, 0.2), seen
    for n in (a, b):
        dcat = _api(n, f"/dataset/{name}.ttl")
        assert dcat.status_code == 200 and "Trạm xe buýt hai nút" in dcat.text
        assert name in _api(n, "/catalog.ttl").text


def _text(response: requests.Response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def _signed_in(base: str, login: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/user/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = browser.post(
        f"{base}/user/login",
        data={"login": login, "password": PASSWORD, "csrf_token": token.group(1)},
        timeout=30,
    )
    assert answer.status_code == 200 and "/user/login" not in answer.url, answer.url
    return browser


def test_a_harvest_queued_on_one_node_is_seen_on_the_other(nodes) -> None:
    shared: Cluster = nodes["cluster"]  # type: ignore[assignment]
    a, b = shared.bases["a"], shared.bases["b"]
    browser = _signed_in(a, str(nodes["admin"]))
    page = browser.get(f"{a}/admin/harvest/cho-hai-nut", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    queued = browser.post(
        f"{a}/admin/harvest/cho-hai-nut/run", data={"csrf_token": token.group(1)}, timeout=30
    )
    assert queued.status_code == 200 and "/jobs/" in queued.url, queued.url
    job_path = _path(queued.url)

    def finished_on_b() -> bool:
        # The session made on node A is valid on node B (sessions live in the database).
        seen = browser.get(f"{b}{job_path}", timeout=30)
        assert seen.status_code == 200, seen.status_code
        return "cho-dau-moi" in _api(b, "/api/v1/datasets?q=cho+dau+moi").text

    wait_for(finished_on_b, 30, "the harvested dataset on node B")
    assert "cho-dau-moi" in _api(a, "/api/v1/datasets?q=cho+dau+moi").text


def _kill(running) -> None:  # type: ignore[no-untyped-def]
    os.killpg(running.pid, signal.SIGKILL)
    running.process.wait(10)


def test_killing_node_a_and_the_busy_worker_loses_nothing(nodes) -> None:
    shared: Cluster = nodes["cluster"]  # type: ignore[assignment]
    a, b = shared.bases["a"], shared.bases["b"]
    token = str(nodes["publisher"])
    big = ("mã,tên,ghi chú\n" + "".join(f"{i},Hộ {i},dòng {i}\n" for i in range(150_000))).encode()
    before = {w: p.text().count("started for process_version") for w, p in shared.workers.items()}
    name, rid = _upload(a, token, str(nodes["org"]), "Tập lớn giữa chừng", big)
    _kill(shared.nodes.pop("a"))  # node A dies right after acknowledging the upload

    def busy_worker() -> str | None:
        for w, p in shared.workers.items():
            if p.text().count("started for process_version") > before[w]:
                return w
        return None

    worker, _ = wait_for(busy_worker, 30, "a worker starts processing")
    # Midway: its progress (in Redis) shows rows read, whichever node is asked.
    wait_for(lambda: _resource(b, token, name, rid)["progress"], 30, "progress on node B")
    _kill(shared.workers.pop(worker))  # and the worker processing it, midway
    resource, took = wait_for(
        lambda: _ready(b, token, name, rid), 90, "the other worker takes over"
    )
    assert resource["row_count"] == 150_000
    survivor = next(iter(shared.workers.values()))
    assert "started for process_version" in survivor.text()
    print(f"\ntaken over in {took:.1f} s after the kill; node A's port refuses: {_dead(a)}")


def _dead(base: str) -> bool:
    try:
        requests.get(f"{base}/healthz", timeout=2)
    except requests.RequestException:
        return True
    return False
