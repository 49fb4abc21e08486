"""The whole publishing workflow over the REST API, as an agency's script would run it."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
from openpyxl import load_workbook

from tests.app.api.conftest import Team

HOUSEHOLDS = (
    "họ_tên,số_cccd,phường,số_người,ghi_chú\n"
    'Nguyễn Văn An,079123456789,Phường Bến Nghé,4,=HYPERLINK("http://x.example")\n'
    "Trần Thị Bình,079987654321,Phường Đa Kao,2,bình thường\n"
    "Lê Văn Cường,079111222333,Phường Bến Nghé,5,@SUM(A1)\n"
    "Phạm Thị Dung,079444555666,Phường Tân Định,3,+84 nhà trọ\n"
).encode()


def _upload(client, team: Team, name: str) -> str:
    response = client.post(
        f"/api/v1/datasets/{name}/resources",
        data={"file": (io.BytesIO(HOUSEHOLDS), "ho_dan.csv"), "name": "Hộ dân"},
        headers=team.publisher,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "Hộ dân" and body["format"] == "CSV" and body["status"] == "ready"
    assert body["download_url"] is None  # not published yet
    return str(body["id"])


def test_publishing_workflow_end_to_end(client, team: Team) -> None:
    created = client.post(
        "/api/v1/datasets",
        json={
            "organization": team.org.name,
            "title": "Hộ dân theo phường",
            "title_translated": {"en": "Households by ward"},
            "description_translated": {"vi": "Số hộ dân.", "en": "Household counts."},
            "tags": ["dân cư"],
        },
        headers=team.publisher,
    )
    assert created.status_code == 201
    draft = created.get_json()
    name = draft["name"]
    assert name == "ho-dan-theo-phuong" and draft["state"] == "draft"
    assert draft["title_translated"] == {"vi": "Hộ dân theo phường", "en": "Households by ward"}
    assert created.headers["Location"].endswith(f"/api/v1/datasets/{name}")
    assert client.get(f"/api/v1/datasets/{name}").status_code == 404  # drafts are not public

    resource_id = _upload(client, team, name)
    report = client.get(
        f"/api/v1/datasets/{name}/resources/{resource_id}/validation", headers=team.publisher
    ).get_json()
    assert report["valid"] is True and report["row_count"] == 4 and report["errors"] == []

    findings = client.get(
        f"/api/v1/datasets/{name}/resources/{resource_id}/findings", headers=team.publisher
    ).get_json()["findings"]
    kinds = {f["column"]: f["kind"] for f in findings}
    assert kinds["số_cccd"] == "citizen_id" and kinds["họ_tên"] == "person_name"
    assert "079123456789" not in str(findings)  # findings never carry values

    decided = client.put(
        f"/api/v1/datasets/{name}/resources/{resource_id}/decisions",
        json={
            "decisions": [
                {"column": "họ_tên", "action": "drop"},
                {"column": "số_cccd", "action": "mask"},
            ]
        },
        headers=team.publisher,
    )
    assert decided.status_code == 200
    actions = {f["column"]: f["decision"]["action"] for f in decided.get_json()["findings"]}
    assert actions == {"họ_tên": "drop", "số_cccd": "mask"}

    submitted = client.post(f"/api/v1/datasets/{name}/submit", headers=team.publisher)
    assert submitted.get_json()["state"] == "submitted"
    approved = client.post(
        f"/api/v1/datasets/{name}/approve", json={"comment": "OK"}, headers=team.steward
    )
    assert approved.status_code == 200 and approved.get_json()["state"] == "published"

    public = client.get(f"/api/v1/datasets/{name}").get_json()
    assert public["state"] == "published" and public["has_pending_revision"] is False
    resource = public["resources"][0]
    assert resource["download_url"].endswith(f"/resource/{resource_id}/download/ho_dan.csv")
    assert len(resource["sha256"]) == 64 and resource["media_type"] == "text/csv"
    assert public["created"].endswith("Z") and "usage" in public

    _read_records(client, name, resource_id)
    _read_exports(client, name, resource_id)

    activity = client.get(f"/api/v1/datasets/{name}/activity", headers=team.steward).get_json()
    actions_seen = [a["action"] for a in activity["items"]]
    assert {"create", "upload", "decide", "submit", "approve"} <= set(actions_seen)
    public_activity = client.get(f"/api/v1/datasets/{name}/activity").get_json()["items"]
    assert [a["action"] for a in public_activity] == ["approve"]
    assert "comment" not in public_activity[0]

    withdrawn = client.post(
        f"/api/v1/datasets/{name}/withdraw", json={"comment": "Sai số liệu"}, headers=team.steward
    )
    assert withdrawn.get_json()["state"] == "withdrawn"
    gone = client.get(f"/api/v1/datasets/{name}")
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    records = client.get(f"/api/v1/datasets/{name}/resources/{resource_id}/records")
    assert records.status_code == 404
    assert name not in str(client.get("/api/v1/datasets").get_json())
    feed = client.get("/api/v1/changes").get_json()["items"]
    assert [(c["dataset_name"], c["change"]) for c in feed] == [
        (name, "published"),
        (name, "withdrawn"),
    ]


def _read_records(client, name: str, resource_id: str) -> None:
    base = f"/api/v1/datasets/{name}/resources/{resource_id}/records"
    page = client.get(base).get_json()
    names = [f["name"] for f in page["fields"]]
    assert "họ_tên" not in names and "số_cccd" in names  # dropped and masked
    assert page["total"] == 4 and page["next"] is None
    assert all(not r["số_cccd"].startswith("0791") for r in page["items"])  # masked values
    filtered = client.get(base, query_string={"phường": "Phường Bến Nghé"}).get_json()
    assert filtered["total"] == 2
    assert {r["số_người"] for r in filtered["items"]} == {4, 5}
    both = client.get(base, query_string={"phường": "Phường Bến Nghé", "số_người": "5"})
    assert both.get_json()["total"] == 1
    ordered = client.get(base, query_string={"_sort": "-số_người", "_fields": "phường,số_người"})
    rows = ordered.get_json()["items"]
    assert [r["số_người"] for r in rows] == [5, 4, 3, 2] and set(rows[0]) == {"phường", "số_người"}
    seen, url = [], f"{base}?_sort=số_người&_limit=3"
    while url:
        body = client.get(url).get_json()
        seen += [r["số_người"] for r in body["items"]]
        url = body["next"]
    assert seen == [2, 3, 4, 5]
    text = client.get(base, query_string={"_q": "binh thuong"}).get_json()
    assert [r["phường"] for r in text["items"]] == ["Phường Đa Kao"]


def _read_exports(client, name: str, resource_id: str) -> None:
    base = f"/api/v1/datasets/{name}/resources/{resource_id}/records"
    as_csv = client.get(base, query_string={"_format": "csv", "phường": "Phường Bến Nghé"})
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    assert [r["ghi_chú"] for r in rows] == ['\'=HYPERLINK("http://x.example")', "'@SUM(A1)"]
    assert 'filename="ho_dan.csv"' in as_csv.headers["Content-Disposition"]
    as_xlsx = client.get(base, query_string={"_format": "xlsx", "_sort": "số_người"})
    assert 'filename="ho_dan.xlsx"' in as_xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(as_xlsx.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    notes = [row[header.index("ghi_chú")] for row in values[1:]]
    formula = '\'=HYPERLINK("http://x.example")'
    assert notes == ["bình thường", "'+84 nhà trọ", formula, "'@SUM(A1)"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [row[header.index("số_người")] for row in values[1:]] == [2, 3, 4, 5]
    as_parquet = client.get(base, query_string={"_format": "parquet"})
    table = pq.read_table(io.BytesIO(as_parquet.get_data()))
    assert table.num_rows == 4 and sorted(table.column("số_người").to_pylist()) == [2, 3, 4, 5]
