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
from datasets.datastore import UnknownResource
from datasets.model import Dataset, ResourceVersion
from publishers import Actor, Role, Scope
from publishers.model import AuditEntry
from tests.conftest import csrf_from
from tests.datasets.test_sharing import Portal
from tests.factories import PASSWORD, actor, make_dataset, make_org, make_user, upload_bytes
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
    steward_name: str
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
    steward_info = make_user(services, org, Role.STEWARD)
    steward = actor(services, steward_info)
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
    return dataset, resource_id, publisher, steward, steward_info.name


@pytest.fixture
def feed(services: Services, live_server: LiveServer) -> Feed:
    dataset, resource_id, publisher, steward, steward_name = _publish_feed(services)
    assert publisher.user_id
    token = services.tokens.create(publisher.user_id, "sensor")
    return Feed(
        services, live_server, dataset, resource_id, publisher, steward, steward_name, token
    )


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
    assert rows["T002"]["trang_thai"] == "kem"
    assert rows["T002"]["dien_thoai_lien_he"] == "*******678"
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


def _refusal(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ckanapi.ValidationError) as caught:
        call(**params)
    error: dict[str, Any] = caught.value.error_dict
    return error


def test_batches_that_break_the_schema_are_refused_whole(feed: Feed) -> None:
    upsert = feed.writer.action.datastore_upsert
    rid = feed.resource_id
    good = {"ma_tram": "T009", "ten_tram": "Trạm mới", "pm25": 1, "trang_thai": "tot"}
    bad_type = _refusal(
        upsert,
        resource_id=rid,
        method="insert",
        records=[good, {"ma_tram": "T010", "pm25": "nhiều", "trang_thai": "tot"}],
    )
    assert bad_type["__type"] == "Validation Error"
    assert [(i["code"], i["row"], i["field"]) for i in bad_type["issues"]] == [
        ("type-error", 1, "pm25")
    ]
    assert bad_type["records"] == [
        'type-error ở bản ghi 1, cột pm25: Type error in the cell "nhiều" and field "pm25" '
        'at position "4": type is "number/default"'
    ]
    negative = _refusal(upsert, resource_id=rid, records=[{**good, "pm25": -3}])
    assert [(i["code"], i["field"]) for i in negative["issues"]] == [("constraint-error", "pm25")]
    duplicate = _refusal(
        upsert, resource_id=rid, method="insert", records=[{**good, "ma_tram": "T001"}]
    )
    assert [(i["code"], i["row"]) for i in duplicate["issues"]] == [("primary-key", 0)]
    unknown = _refusal(upsert, resource_id=rid, records=[{**good, "do_am": 80}])
    assert [(i["code"], i["field"]) for i in unknown["issues"]] == [("extra-cell", "do_am")]
    missing = _refusal(
        upsert, resource_id=rid, method="update", records=[{"ma_tram": "T404", "pm25": 3}]
    )
    assert [(i["code"], i["row"]) for i in missing["issues"]] == [("primary-key", 0)]
    no_key = _refusal(upsert, resource_id=rid, records=[{"ten_tram": "x"}])
    assert [(i["code"], i["field"]) for i in no_key["issues"]] == [("primary-key", "ma_tram")]
    changed = _refusal(
        feed.writer.action.datastore_create,
        resource_id=rid,
        fields=[{"id": "ma_tram", "type": "int"}, {"id": "gio", "type": "timestamp"}],
        records=[good],
    )
    assert {(i["code"], i["field"]) for i in changed["issues"]} >= {
        ("schema-changed", "ma_tram"),
        ("schema-changed", "gio"),
        ("schema-changed", "pm25"),
    }
    other_key = _refusal(
        feed.writer.action.datastore_create, resource_id=rid, primary_key=["ten_tram"]
    )
    assert other_key["issues"][0]["code"] == "schema-changed"
    everything = _refusal(feed.writer.action.datastore_delete, resource_id=rid)
    assert everything["issues"][0]["code"] == "force-required"
    bad_method = _refusal(upsert, resource_id=rid, method="merge", records=[good])
    assert "method" in bad_method
    too_many = _refusal(
        upsert,
        resource_id=rid,
        method="insert",
        records=[{**good, "ma_tram": f"X{n}"} for n in range(5_001)],
    )
    assert too_many["issues"][0]["code"] == "batch-too-large"
    limit = feed.services.settings.max_json_bytes
    long_text = "x" * 1000
    too_big = _refusal(
        upsert,
        resource_id=rid,
        method="insert",
        records=[{**good, "ma_tram": f"Y{n}", "ten_tram": long_text} for n in range(limit // 900)],
    )
    assert str(limit) in too_big["body"][0]  # 413, before the body is read whole
    assert set(feed.rows()) == {"T001", "T002", "T003", "T004"}  # nothing was stored
    # datastore_create with the approved fields appends, as CKAN does
    created = feed.writer.action.datastore_create(
        resource_id=rid,
        fields=[
            {"id": "ma_tram", "type": "text"},
            {"id": "ten_tram"},
            {"id": "dien_thoai_lien_he"},
            {"id": "pm25", "type": "numeric"},
            {"id": "trang_thai", "type": "text"},
        ],
        primary_key=["ma_tram"],
        records=[good],
    )
    assert created["total"] == 5 and feed.rows()["T009"]["ten_tram"] == "Trạm mới"
    emptied = feed.writer.action.datastore_delete(resource_id=rid, force=True)
    assert emptied["rows_affected"] == 5 and feed.rows() == {} and feed.download() == []


def test_only_writers_of_the_organization_may_write(feed: Feed) -> None:
    svc = feed.services
    record = {"ma_tram": "T001", "pm25": 1}
    other_org = make_org(svc)
    outsider = actor(svc, make_user(svc, other_org, Role.STEWARD))
    assert outsider.user_id and feed.publisher.user_id
    read_only = svc.tokens.create(feed.publisher.user_id, "ro", scope=Scope.READ)
    callers = {  # the portal answers in Vietnamese unless asked otherwise
        "cần có khóa API": feed.client(),
        "Không được phép truy cập": feed.client(svc.tokens.create(outsider.user_id, "x")),
        "khóa API này chỉ có quyền đọc": feed.client(read_only),
    }
    for message, client in callers.items():
        with pytest.raises(ckanapi.NotAuthorized) as caught:
            client.action.datastore_upsert(
                resource_id=feed.resource_id, method="update", records=[record]
            )
        assert message in caught.value.args[0]["message"]
    assert feed.rows()["T001"]["pm25"] == 35.5
    # the organization's steward may write too
    assert feed.steward.user_id
    steward = feed.client(svc.tokens.create(feed.steward.user_id, "s"))
    steward.action.datastore_upsert(resource_id=feed.resource_id, method="update", records=[record])
    assert feed.rows()["T001"]["pm25"] == 1


def test_personal_data_in_a_batch_pauses_the_feed_until_a_steward_resumes(
    feed: Feed, client: Any, auth: Any
) -> None:
    upsert = feed.writer.action.datastore_upsert
    rid = feed.resource_id
    leaking = [
        {"ma_tram": f"P{n}", "ten_tram": "Trạm", "pm25": 5, "trang_thai": f"079{n:09d}"}
        for n in range(1, 6)
    ]
    paused = _refusal(upsert, resource_id=rid, method="insert", records=leaking)
    assert "đang tạm dừng" in paused["message"]  # answered in Vietnamese by default
    assert [f["column"] for f in paused["findings"]] == ["trang_thai"]
    assert set(feed.rows()) == {"T001", "T002", "T003", "T004"}  # not stored
    harmless = [{"ma_tram": "T001", "pm25": 2}]
    again = _refusal(upsert, resource_id=rid, method="update", records=harmless)
    assert "đang tạm dừng" in again["message"] and feed.rows()["T001"]["pm25"] == 35.5
    assert again["findings"] == [{"column": "trang_thai", "kind": "citizen_id"}]
    with feed.services.sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "resource.feed_paused" in actions
    # the steward sees the pause on the manage page and resumes the feed there
    assert auth.login(feed.steward_name, PASSWORD).status_code == 302
    manage = f"/dataset/{feed.dataset.name}/manage"
    text = client.get(manage).get_data(as_text=True)
    assert f'id="paused-{rid}"' in text and "Chấp nhận và cho ghi tiếp" in text
    resumed = client.post(
        f"/dataset/{feed.dataset.name}/resource/{rid}/resume-feed",
        data={"csrf_token": csrf_from(client, manage)},
    )
    assert resumed.status_code == 302
    assert f'id="paused-{rid}"' not in client.get(manage).get_data(as_text=True)
    # the finding is accepted with the policy's decision: the same values now pass, stripped
    upsert(resource_id=rid, method="insert", records=leaking)
    rows = feed.rows()
    assert rows["P1"]["pm25"] == 5 and "079000000001" not in str(rows)
    assert all(r.get("trang_thai") != "tot" for r in rows.values())  # stripped everywhere


def test_rows_of_a_shared_dataset_reach_each_projection_and_never_the_public(
    services: Services, live_server: LiveServer
) -> None:
    portal = Portal(services, level="agencies")
    assert portal.publisher.user_id and portal.agency.user_id
    writer = ckanapi.RemoteCKAN(
        live_server.url, apikey=services.tokens.create(portal.publisher.user_id, "feed")
    )
    new_row = {
        "ho_ten": "Phạm Thị Dung",
        "so_cccd": "079191077665",
        "dien_thoai": "0977555444",
        "phuong": "Phường Đa Kao",
        "so_ho": 5,
    }
    written = writer.action.datastore_upsert(
        resource_id=portal.resource_id, method="insert", records=[new_row]
    )
    assert written["total"] == 4
    agency = ckanapi.RemoteCKAN(
        live_server.url, apikey=services.tokens.create(portal.agency.user_id, "read")
    )
    found = agency.action.datastore_search(resource_id=portal.resource_id, filters={"so_ho": 5})
    [row] = found["records"]
    assert row["ho_ten"] == "Phạm Thị Dung"  # kept for agencies by the agency decisions
    assert row["dien_thoai"] == "*******444" and row["so_cccd"] not in ("", "079191077665")
    with pytest.raises((ckanapi.NotFound, ckanapi.NotAuthorized)):
        ckanapi.RemoteCKAN(live_server.url).action.datastore_search(resource_id=portal.resource_id)
    with pytest.raises(UnknownResource):
        services.datastore.info(portal.resource_id)  # never in the public datastore
    with services.sessions() as session:
        version = session.scalars(
            select(ResourceVersion).where(ResourceVersion.resource_id == portal.resource_id)
        ).all()[-1]
        public_key = version.public_sha256
    assert public_key is not None
    public_file = services.public_store.local_path(public_key).read_text(encoding="utf-8")
    assert "Phường Đa Kao" in public_file and "Phạm Thị Dung" not in public_file
    assert "0977555444" not in public_file and "079191077665" not in public_file


def test_no_rows_while_a_changed_copy_of_the_resource_awaits_review(feed: Feed) -> None:
    svc = feed.services
    svc.editor.set_decisions(
        feed.steward,
        feed.dataset.name,
        feed.resource_id,
        [{"column": "dien_thoai_lien_he", "action": "drop"}],
    )
    refused = _refusal(
        feed.writer.action.datastore_upsert,
        resource_id=feed.resource_id,
        method="update",
        records=[{"ma_tram": "T001", "pm25": 3}],
    )
    assert refused["resource_id"] == [
        "Một bản sửa đổi của tài nguyên này đang chờ duyệt: hãy ghi dòng sau khi bản đó được "
        "quyết định"
    ]
    assert feed.rows()["T001"]["pm25"] == 35.5
