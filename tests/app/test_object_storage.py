"""The portal on an S3 bucket (``OPENDATA_STORAGE_URL=s3://…``): upload → publish → download.

The bucket is on the real S3-compatible server the suite starts on 127.0.0.1 (moto's
server mode); the data dir keeps no public file and no vault blob.
"""

from __future__ import annotations

import hashlib
import io
import os

import pytest
import requests
from openpyxl import load_workbook

from datasets.datastore import DatastoreQuery
from datasets.storage.s3 import S3BlobStore
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes
from tests.s3server import SECRET_KEY

PDF = b"%PDF-1.4\n" + os.urandom(300_000) + b"\n%%EOF\n"


@pytest.fixture
def s3_settings(settings, s3_server):
    return settings.with_overrides(**s3_server.settings_changes())


@pytest.fixture
def s3_services(s3_settings):
    from app.services import build_services

    svc = build_services(s3_settings)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def s3_client(s3_settings, s3_services):
    from app import create_app

    return create_app(s3_settings, s3_services).test_client()


def _scratch_files(services) -> list[str]:
    return [p.name for p in services.vault.scratch_dir.iterdir() if p.is_file()]


def _publish(services, files: dict[str, bytes]):
    from publishers import Role

    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Trạm xe buýt trên S3")
    ids = {
        name: upload_bytes(services, publisher, dataset.name, data, name)
        for name, data in files.items()
    }
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return services.catalog.get(dataset.name), ids


def test_upload_publish_download_on_s3_byte_for_byte(s3_services, s3_client, s3_settings) -> None:
    assert isinstance(s3_services.public_store, S3BlobStore)
    view, ids = _publish(s3_services, {"data.csv": SAMPLE_CSV, "bao-cao.pdf": PDF})
    pdf = next(r for r in view.resources if r.id == ids["bao-cao.pdf"])
    base = f"/dataset/{view.name}/resource/{pdf.id}/download"

    whole = s3_client.get(f"{base}/{pdf.filename}")
    assert whole.status_code == 200
    assert whole.get_data() == PDF  # byte for byte, through the bucket
    assert whole.headers["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest() == pdf.sha256
    assert whole.headers["ETag"] == f'"{pdf.sha256}"'
    assert whole.headers["Last-Modified"] and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Length"] == str(len(PDF))
    assert "attachment" in whole.headers["Content-Disposition"]

    part = s3_client.get(f"{base}/{pdf.filename}", headers={"Range": "bytes=250000-250099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 250000-250099/{len(PDF)}"
    assert part.get_data() == PDF[250000:250100]
    tail = s3_client.get(f"{base}/{pdf.filename}", headers={"Range": "bytes=-7"})
    assert tail.status_code == 206 and tail.get_data() == PDF[-7:]
    beyond = s3_client.get(f"{base}/{pdf.filename}", headers={"Range": f"bytes={len(PDF)}-"})
    assert beyond.status_code == 416

    same = s3_client.get(f"{base}/{pdf.filename}", headers={"If-None-Match": whole.headers["ETag"]})
    assert same.status_code == 304 and same.get_data() == b""

    # Nothing public and nothing from the vault on the server's disk.
    files = s3_settings.data_dir / "files"
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]
    store = s3_services.public_store
    assert pdf.sha256 in set(store.keys())


def test_tables_on_s3_are_loaded_previewed_and_converted(s3_services, s3_client) -> None:
    view, ids = _publish(s3_services, {"data.csv": SAMPLE_CSV})
    table = next(r for r in view.resources if r.id == ids["data.csv"])
    # The datastore load read the public file from the bucket (through a scratch copy).
    rows = s3_services.datastore.search(table.id, DatastoreQuery(limit=10)).records
    assert [r["ten_tram"] for r in rows][:2] == ["Trạm Bến Thành", "Trạm Đường Nguyễn Huệ"]
    assert _scratch_files(s3_services) == []  # the copy is gone

    base = f"/dataset/{view.name}/resource/{table.id}/download"
    csv_body = s3_client.get(f"{base}/{table.filename}").get_data()
    assert csv_body.decode("utf-8-sig").splitlines()[1].startswith("T001,Trạm Bến Thành")
    xlsx = s3_client.get(f"{base}/data.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.cell(2, 2).value == "Trạm Bến Thành"
    assert _scratch_files(s3_services) == []

    page = s3_client.get(f"/dataset/{view.name}")
    assert page.status_code == 200 and "Trạm Chợ Lớn" in page.get_data(as_text=True)


def test_presigned_downloads_redirect_to_the_bucket(s3_settings) -> None:
    from app import create_app
    from app.services import build_services

    settings = s3_settings.with_overrides(s3_presigned_downloads=60)
    services = build_services(settings)
    try:
        client = create_app(settings, services).test_client()
        view, _ids = _publish(services, {"bao-cao.pdf": PDF})
        pdf = view.resources[0]
        answer = client.get(f"/dataset/{view.name}/resource/{pdf.id}/download/{pdf.filename}")
        assert answer.status_code == 302
        location = answer.headers["Location"]
        assert location.startswith(settings.s3_endpoint_url)
        assert "X-Amz-Expires=60&" in location  # SigV4, valid one minute
        assert SECRET_KEY not in location
        assert answer.headers["Cache-Control"] == "no-store"
        fetched = requests.get(location, timeout=10)
        assert fetched.status_code == 200 and fetched.content == PDF
        assert "attachment" in fetched.headers["Content-Disposition"]
    finally:
        services.engine.dispose()


def test_an_unreachable_bucket_is_503_and_not_ready(s3_services, s3_client, s3_settings) -> None:
    ready = s3_client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["storage"] == "ok"
    view, _ids = _publish(s3_services, {"bao-cao.pdf": PDF})
    pdf = view.resources[0]

    from app import create_app
    from app.services import build_services

    settings = s3_settings.with_overrides(storage_url="s3://no-such-bucket/portal")
    gone = build_services(settings)
    try:
        assert gone.ready_checks()["storage"] == "unwritable"
        client = create_app(settings, gone).test_client()
        answer = client.get(f"/dataset/{view.name}/resource/{pdf.id}/download/{pdf.filename}")
        assert answer.status_code == 503
        page = answer.get_data(as_text=True)
        assert "NoSuchBucket" not in page and SECRET_KEY not in page
    finally:
        gone.engine.dispose()
