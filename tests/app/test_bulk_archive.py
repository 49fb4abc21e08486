"""The bulk archive (issue 23): built from the public data only, listed once whole, served.

Runs on SQLite and PostgreSQL, with the local store and with the S3 server the suite starts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from app.bulk import ArchiveStopped, build_archive
from datasets.storage.s3 import S3BlobStore
from publishers import Role
from tests.factories import (
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    publish_sample,
    upload_bytes,
)

# Personal data of a dataset that is not public, and of one never published: none of it
# (nor anything else of the draft) may reach the archive.
SECRET_ROWS = [
    ["ma_ho", "ho_ten", "so_cccd", "dien_thoai", "phuong", "so_nguoi"],
    ["HOBIMAT-01", "Nguyễn Thị Bí Mật", "079301234567", "0909123456", "Phường Bến Nghé", "4"],
    ["HOBIMAT-02", "Trần Văn Kín Đáo", "079302345678", "0918234567", "Phường Đa Kao", "3"],
]
SECRET_VALUES = [v for row in SECRET_ROWS[1:] for v in row[:4]]
DRAFT_TITLE = "Bản nháp hộ nghèo chưa công bố"


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _restricted_with_personal_data(services) -> str:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(
        services,
        publisher,
        org,
        title="Hộ gia đình được hỗ trợ",
        access_level="restricted",
        access_instructions="Liên hệ Sở Lao động.",
    )
    resource_id = upload_bytes(services, publisher, dataset.name, _csv(SECRET_ROWS), "ho.csv")
    drops = [{"column": c, "action": "drop"} for c in ("ho_ten", "so_cccd", "dien_thoai")]
    services.editor.set_decisions(steward, dataset.name, resource_id, drops)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    draft = make_dataset(services, publisher, org, title=DRAFT_TITLE)
    upload_bytes(services, publisher, draft.name, _csv(SECRET_ROWS), "nhap.csv")
    return dataset.name


def _members(services, sha256: str) -> dict[str, bytes]:
    with services.public_store.open(sha256) as blob:
        data = blob.read()
    assert hashlib.sha256(data).hexdigest() == sha256
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _check_archive(services, public_name: str, restricted_name: str) -> None:
    (info,) = services.bulk.listed()
    assert info.filename.startswith("opendata-") and info.filename.endswith(".zip")
    assert (info.datasets, info.tables) == (1, 1)
    members = _members(services, info.sha256)
    assert services.public_store.size(info.sha256) == info.size
    # every member but SHA256SUMS is listed in it with its digest
    sums = dict(
        reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines()
    )
    assert set(sums) == set(members) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(members[name]).hexdigest() == digest, name
    # the catalog, as the portal serves it
    data_json = json.loads(members["catalog/data.json"])
    titles = {d["title"] for d in data_json["dataset"]}
    assert "Trạm dừng xe buýt giao thông" in titles
    assert b"dcat:Catalog" in members["catalog/catalog.ttl"]
    assert b"<rdf:RDF" in members["catalog/catalog.rdf"]
    # the public table and its descriptor, whose path is the CSV beside it
    descriptor = json.loads(members[f"datasets/{public_name}/datapackage.json"])
    (resource,) = descriptor["resources"]
    table = members[f"datasets/{public_name}/{resource['path']}"]
    assert table.decode().replace("\r\n", "\n").lstrip("\ufeff") == SAMPLE_CSV.decode()
    assert resource["schema"]["fields"][0]["name"] == "ma_tram"
    # nothing of the restricted dataset's data, nothing at all of the draft
    assert not [n for n in members if n.startswith(f"datasets/{restricted_name}/")]
    everything = b"\n".join(members.values()).decode()
    for value in [*SECRET_VALUES, "HOBIMAT", DRAFT_TITLE]:
        assert value not in everything, value


@pytest.fixture
def portal(services):
    public, _rid, _p, _s = publish_sample(services)
    restricted = _restricted_with_personal_data(services)
    return services, public.name, restricted


def test_archive_holds_public_tables_and_catalog_only(portal) -> None:
    services, public_name, restricted_name = portal
    services.build_bulk_archive()
    _check_archive(services, public_name, restricted_name)


def test_archive_on_s3(s3_server, settings) -> None:
    from app.services import build_services

    svc = build_services(settings.with_overrides(**s3_server.settings_changes()))
    try:
        public, _rid, _p, _s = publish_sample(svc)
        restricted = _restricted_with_personal_data(svc)
        assert isinstance(svc.public_store, S3BlobStore)  # the archive goes to the bucket
        svc.build_bulk_archive()
        _check_archive(svc, public.name, restricted)
    finally:
        svc.engine.dispose()


def test_a_failed_build_leaves_the_previous_archive_served(portal, client) -> None:
    services, public_name, _restricted = portal
    first = services.build_bulk_archive()
    scratch = services.settings.data_dir / "tmp"
    # over a bound (size, then time): stopped, nothing listed, no scratch file left
    for max_bytes, max_seconds in ((1000, 60.0), (10**9, 0.0)):
        with pytest.raises(ArchiveStopped):
            build_archive(
                services.catalog,
                services.public_store,
                services.bulk,
                site_url=services.settings.site_url,
                scratch=scratch,
                max_bytes=max_bytes,
                max_seconds=max_seconds,
            )
    # a crash half-way (a published file gone from the store)
    view = services.catalog.get(public_name)
    services.public_store.delete(view.resources[0].sha256)
    with pytest.raises(Exception, match="not"):
        services.build_bulk_archive()
    assert services.bulk.listed() == [first]
    assert list(scratch.glob("bulk-*")) == []
    served = client.get(f"/api/v1/bulk/{first.filename}")
    assert served.status_code == 200
    assert hashlib.sha256(served.get_data()).hexdigest() == first.sha256


def _cli(settings, *args: str):
    from click.testing import CliRunner

    from app.cli import main

    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_api_page_and_cli_list_and_serve_archives(portal, client) -> None:
    services, _public, _restricted = portal
    assert client.get("/api/v1/bulk").get_json() == {"items": [], "total": 0, "next": None}
    assert "Chưa có tệp lưu trữ nào" in client.get("/bulk").get_data(as_text=True)
    built = _cli(services.settings, "bulk", "build")
    assert built.exit_code == 0, built.output
    (info,) = services.bulk.listed()
    assert info.sha256 in built.output and info.filename in built.output
    listing = client.get("/api/v1/bulk").get_json()
    (item,) = listing["items"]
    assert item["filename"] == info.filename and item["sha256"] == info.sha256
    assert item["size"] == info.size and (item["datasets"], item["tables"]) == (1, 1)
    download = client.get(urlsplit(item["url"]).path)
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert hashlib.sha256(download.get_data()).hexdigest() == info.sha256
    page = client.get("/bulk").get_data(as_text=True)
    assert info.filename in page and info.sha256 in page
    assert client.get("/api/v1/bulk/opendata-1999-01-01.zip").status_code == 404
    listed = _cli(services.settings, "bulk", "list")
    assert info.sha256 in listed.output


def test_the_job_process_queues_the_nightly_archive(services) -> None:
    from app.jobs import schedule_bulk_archive

    publish_sample(services)
    schedule_bulk_archive(services)
    huey = services.queue.huey
    assert not [t for t in huey.read_periodic(datetime(2026, 12, 7, 3, 0)) if _bulk(t)]
    (task,) = [t for t in huey.read_periodic(datetime(2026, 12, 7, 2, 0)) if _bulk(t)]
    assert services.bulk.listed() == []
    huey.execute(task)  # what the consumer runs at 02:00 UTC; it queues the job (inline here)
    (info,) = services.bulk.listed()
    assert info.tables == 1
    # another job process running the same task that night builds nothing more
    huey.execute(task)
    assert services.bulk.listed() == [info]
    # while the command line builds one now
    assert _cli(services.settings, "bulk", "build").exit_code == 0
    (again,) = services.bulk.listed()  # the same day's archive, replaced
    assert again.id != info.id and again.filename == info.filename
    assert not services.public_store.exists(info.sha256) or info.sha256 == again.sha256


def _bulk(task) -> bool:
    return type(task).__name__ == "opendata.bulk"
