"""datastore_create, datastore_upsert and datastore_delete on published tables (issue 17),
driven by the real ckanapi client against the live server."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import ckanapi
import pytest
import requests
from sqlalchemy import select

from app.services import Services
from datasets.model import Dataset, ResourceVersion
from publishers import Actor, Role, Scope
from publishers.model import AuditEntry
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes
from tests.servers import LiveServer

AIR_CSV = (
    "ma_tram,ten_tram,dien_thoai_lien_he,pm25,trang_thai\n"
    "T001,Trạm Bến Thành,0903123456,35.5,tot\n"
    "T002,Trạm Chợ Lớn,0912345678,48.2,trung binh\n"
    "T003,Trạm Thảo Điền,0987654321,22.0,tot\n"
    "T004,Trạm Tân Bình,0933222111,61.7,kem\n"
).encode()


@dataclass
class Feed:
    services: Services
    server: LiveServer
    dataset: Dataset
    resource_id: str
    publisher: Actor
    steward: Actor
    token: str

    def client(self, token: str | None = None) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.server.url, apikey=token)

    @property
    def writer(self) -> ckanapi.RemoteCKAN:
        return self.client(self.token)

    def rows(self) -> dict[str, dict[str, Any]]:
        found = self.client().action.datastore_search(resource_id=self.resource_id, limit=1000)
        return {r["ma_tram"]: r for r in found["records"]}

    def download(self) -> list[dict[str, str]]:
        url = f"{self.server.url}/dataset/{self.dataset.name}/resource/{self.resource_id}"
        response = requests.get(f"{url}/download/data.csv", timeout=10)
        assert response.status_code == 200, response.text
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _publish_feed(services: Services) -> tuple[Dataset, str, Actor, Actor]:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Chất lượng không khí theo giờ")
    resource_id = upload_bytes(services, publisher, dataset.name, AIR_CSV)
    with services.sessions() as session:
        version = session.scalars(
            select(ResourceVersion).where(ResourceVersion.resource_id == resource_id)
        ).one()
        schema = dict(version.table_schema or {})
    for field in schema["fields"]:
        if field["name"] == "pm25":
            field["constraints"] = {"minimum": 0}
    schema["primaryKey"] = ["ma_tram"]
    services.editor.set_schema(publisher, dataset.name, resource_id, schema)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset, resource_id, publisher, steward


@pytest.fixture
def feed(services: Services, live_server: LiveServer) -> Feed:
    dataset, resource_id, publisher, steward = _publish_feed(services)
    assert publisher.user_id
    token = services.tokens.create(publisher.user_id, "sensor")
    return Feed(services, live_server, dataset, resource_id, publisher, steward, token)


def test_rows_are_validated_stripped_and_served_on_every_surface(feed: Feed) -> None:
    before = feed.rows()
    assert set(before) == {"T001", "T002", "T003", "T004"}
    published_mask = before["T001"]["dien_thoai_lien_he"]
    assert published_mask == "*******456"  # the approved decision masks phones
    result = feed.writer.action.datastore_upsert(
        resource_id=feed.resource_id,
        method="insert",
        records=[
            {
                "ma_tram": "T005",
                "ten_tram": "Trạm Gò Vấp",
                "dien_thoai_lien_he": "0908765432",
                "pm25": 41.3,
                "trang_thai": "tot",
            }
        ],
    )
    assert result["rows_affected"] == 1 and result["total"] == 5
    rows = feed.rows()
    assert rows["T005"]["ten_tram"] == "Trạm Gò Vấp" and rows["T005"]["pm25"] == 41.3
    masked = rows["T005"]["dien_thoai_lien_he"]
    assert masked == "*******432"
    # update keeps the fields not given; upsert replaces one row and adds another
    feed.writer.action.datastore_upsert(
        resource_id=feed.resource_id, method="update", records=[{"ma_tram": "T001", "pm25": 12}]
    )
    feed.writer.action.datastore_upsert(
        resource_id=feed.resource_id,
        records=[
            {"ma_tram": "T002", "ten_tram": "Trạm Chợ Lớn", "pm25": 50, "trang_thai": "kem"},
            {"ma_tram": "T006", "ten_tram": "Trạm Quận 7", "pm25": 9.5, "trang_thai": "tot"},
        ],
    )
    rows = feed.rows()
    assert rows["T001"]["pm25"] == 12 and rows["T001"]["ten_tram"] == "Trạm Bến Thành"
    # as CKAN's upsert: the fields not given keep their values
    assert rows["T002"]["trang_thai"] == "kem" and rows["T002"]["dien_thoai_lien_he"] == "*******678"
    assert rows["T006"]["dien_thoai_lien_he"] in ("", None)
    assert set(rows) == {"T001", "T002", "T003", "T004", "T005", "T006"}
    feed.writer.action.datastore_delete(resource_id=feed.resource_id, filters={"ma_tram": "T003"})
    rows = feed.rows()
    assert "T003" not in rows and len(rows) == 5
    # the REST records API and the download answer the same rows, stripped the same way
    api = requests.get(
        f"{feed.server.url}/api/v1/datasets/{feed.dataset.name}/resources/"
        f"{feed.resource_id}/records",
        params={"_limit": 100},
        timeout=10,
    ).json()
    assert {r["ma_tram"]: r["pm25"] for r in api["items"]} == {
        k: r["pm25"] for k, r in rows.items()
    }
    downloaded = {r["ma_tram"]: r for r in feed.download()}
    assert set(downloaded) == set(rows)
    assert downloaded["T005"]["dien_thoai_lien_he"] == masked
    assert "0908765432" not in str(feed.download())
    with feed.services.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "resource.rows_written")
        ).all()
    details = [json.loads(e.details) for e in entries]
    assert [(e.target, d["method"], d["rows"]) for e, d in zip(entries, details, strict=True)] == [
        (f"resource:{feed.resource_id}", "insert", 1),
        (f"resource:{feed.resource_id}", "update", 1),
        (f"resource:{feed.resource_id}", "upsert", 2),
        (f"resource:{feed.resource_id}", "delete", 1),
    ]
    assert all(e.actor_id == feed.publisher.user_id for e in entries)
