"""Strip before store: personal metadata and columns never reach the database, files or logs."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from datasets.model import Dataset, ResourceVersion
from harvesters import is_functional_address
from publishers import Base
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"
CCCD, PHONE, NAME = "079203001234", "0903123456", "Nguyễn Văn Bình"
PERSON_MAIL, NOTE = "binh.nguyen.private@gmail.com", "ghi-chu-noi-bo-khong-cong-bo"
TABLE = (
    "ho_ten,so_cccd,so_dien_thoai,phuong,so_ho\n"
    f"{NAME},{CCCD},{PHONE},Bến Nghé,4\n"
    "Trần Thị Mai,079185004321,0912765432,Bến Thành,3\n"
    "Lê Văn Cường,079190007788,0987001122,Đa Kao,5\n"
)
RAW = (CCCD, PHONE, NAME, PERSON_MAIL, NOTE, "0912765432", "079185004321", "Trần Thị Mai")


def _sensitive_package(url: str) -> dict:
    return package(
        1,
        url,
        maintainer_email=PERSON_MAIL,
        author="Nguyễn Văn Bình",
        author_email=PERSON_MAIL,
        notes=f"Danh sách hộ dân. Liên hệ {PHONE}.",
        extras={"internal_notes": NOTE},
    )


def _everything_stored(svc) -> str:
    parts = []
    with svc.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in {t.name for t in Base.metadata.sorted_tables}:
                try:
                    parts.extend(str(tuple(row)) for row in conn.execute(table.select()))
                except Exception:  # a table of another area not migrated here
                    continue
    for path in Path(svc.settings.data_dir).rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    with svc.sessions() as session:
        keys = [v.original_key for v in session.scalars(select(ResourceVersion)).all()]
    for key in keys:
        if key:
            with svc.vault.decrypted(key) as plain:
                parts.append(plain.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def test_personal_fields_and_columns_are_stripped_before_storage(hservices, org, caplog):
    caplog.set_level(logging.DEBUG)
    with ReplayServer({}) as server:
        url = f"{server.url}/files/ho-dan.csv"
        server.routes[SEARCH] = search_page([_sensitive_package(url)])
        server.routes["/files/ho-dan.csv"] = csv_route(TABLE)
        policy = {"person_name": "drop", "citizen_id": "hash", "phone": "drop"}
        register(hservices, "ckan-pii", "ckan", server.url, org, {"policy": policy})
        report = hservices.harvester.run("ckan-pii")
        assert report.counts()["created"] == 1 and not report.items[0].held, report.to_dict()
    view = next(iter(hservices.catalog.iter_all()))
    assert view.contact_email == org.email  # the person's address fell back to the org's
    assert PHONE not in view.description and "Danh sách hộ dân" in view.description
    schema_fields = [f["name"] for f in view.resources[0].table_schema["fields"]]
    assert schema_fields == ["so_cccd", "phuong", "so_ho"]
    stored = _everything_stored(hservices)
    logs = caplog.text
    for value in RAW:
        assert value not in stored, f"{value!r} was stored"
        assert value not in logs
    assert "Bến Nghé" in stored  # the table itself is there


def test_undecided_finding_holds_the_dataset_for_review(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/ho-dan.csv"
        server.routes[SEARCH] = search_page([_sensitive_package(url)])
        server.routes["/files/ho-dan.csv"] = csv_route(TABLE)
        # no policy on the source, none stored for the organization: nobody decided
        register(hservices, "ckan-undecided", "ckan", server.url, org)
        report = hservices.harvester.run("ckan-undecided")
    item = report.items[0]
    assert item.outcome.value == "created" and item.held
    assert item.reason.startswith("undecided_personal_data: ")
    assert "ho_ten (person_name)" in item.reason and "so_cccd (citizen_id)" in item.reason
    assert list(hservices.catalog.iter_all()) == []  # never published automatically
    with hservices.sessions() as session:
        dataset = session.scalars(select(Dataset)).one()
        assert dataset.state == "submitted"
    stored = _everything_stored(hservices)
    for value in RAW:
        assert value not in stored


def test_functional_addresses_are_kept_and_personal_ones_dropped() -> None:
    assert is_functional_address("opendata@tphcm.gov.vn", "")
    assert is_functional_address("LienHe@sgtvt.gov.vn", "")
    assert is_functional_address("sgtvt@tphcm.gov.vn", "sgtvt@tphcm.gov.vn")
    assert not is_functional_address("binh.nguyen@tphcm.gov.vn", "sgtvt@tphcm.gov.vn")
    assert not is_functional_address("not an address", "")
