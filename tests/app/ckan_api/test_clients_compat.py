"""Other clients of the CKAN API: Frictionless' CKAN adapter, browsers (CORS) and gzip."""

from __future__ import annotations

import gzip
import hashlib

import requests
from frictionless import Package
from frictionless.portals import CkanControl

from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import publish_sample


def test_frictionless_ckan_adapter_reads_and_validates_a_package(portal: CkanPortal) -> None:
    control = CkanControl(baseurl=portal.server.url, dataset=portal.dataset.name)
    package = Package(control=control)
    assert [r.format for r in package.resources] == ["csv"]
    resource = package.resources[0]
    assert resource.hash and resource.hash.startswith("sha256:")
    report = package.validate()
    assert report.valid, report.flatten(["type", "note"])
    assert report.tasks[0].stats["sha256"] == resource.hash.removeprefix("sha256:")


def test_a_wrong_hash_is_still_caught_by_frictionless(portal: CkanPortal) -> None:
    control = CkanControl(baseurl=portal.server.url, dataset=portal.dataset.name)
    package = Package(control=control)
    package.resources[0].hash = "sha256:" + "0" * 64
    report = package.validate()
    assert report.flatten(["type"]) == [["hash-count"]]


def test_action_get_answers_are_gzipped_and_readable_cross_origin(portal: CkanPortal) -> None:
    url = f"{portal.server.url}/api/3/action/package_show"
    params = {"id": portal.dataset.name}
    answer = requests.get(
        url,
        params=params,
        headers={"Accept-Encoding": "gzip", "Origin": "https://example.org"},
        timeout=10,
        stream=True,
    )
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    raw = answer.raw.read(decode_content=False)
    assert gzip.decompress(raw).startswith(b'{"help"')
    plain = requests.get(url, params=params, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers
    assert plain.json()["result"]["name"] == portal.dataset.name
    preflight = requests.options(url, headers={"Origin": "https://example.org"}, timeout=10)
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    # writes are not opened to other sites
    post = requests.post(
        f"{portal.server.url}/api/3/action/package_patch",
        json={"id": portal.dataset.name, "title": "x"},
        headers={"Origin": "https://example.org"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in post.headers


def test_downloads_are_gzipped_unless_a_range_is_asked(portal: CkanPortal) -> None:
    rows = "".join(f"T{i:04d},Trạm số {i},Quận 1,10.77,106.69,{i % 50}\n" for i in range(200))
    data = ("ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n" + rows).encode()
    _dataset, resource_id, _p, _s = publish_sample(portal.services, "Trạm lớn", data)
    resource = portal.anonymous.action.resource_show(id=resource_id)
    assert resource["size"] > 1024  # the published file (normalized CSV)
    headers = {"Accept-Encoding": "gzip", "Origin": "https://example.org"}
    answer = requests.get(resource["url"], headers=headers, timeout=10, stream=True)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["ETag"].startswith('W/"')
    packed = answer.raw.read(decode_content=False)
    raw = gzip.decompress(packed)
    assert len(packed) < len(raw) == resource["size"]
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == resource["hash"]
    ranged = requests.get(
        resource["url"], headers={**headers, "Range": "bytes=0-9"}, timeout=10, stream=True
    )
    assert ranged.status_code == 206 and "Content-Encoding" not in ranged.headers
    assert ranged.raw.read(decode_content=False) == raw[:10]
