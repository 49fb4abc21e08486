"""Place columns over the REST API (issue 22): the report's notes and the one-step code column."""

from __future__ import annotations

import csv
import io

from tests.app.api.conftest import Team, create_draft

# A table from before 1 July 2025: districts and wards of that time, one ward written without
# accents, one abbreviated, one that never existed.
BEFORE_2025 = (
    "nam,quan_huyen,phuong_xa,dan_so\n"
    "2024,Quận 1,Phường Bến Nghé,14000\n"
    "2024,Quận 1,Phuong Ben Nghe,14100\n"
    "2024,Quận 1,P. Đa Kao,18000\n"
    "2024,Quận 1,Phường Tân Định,23000\n"
    "2024,Quận 5,Phường 1,9000\n"
    "2024,Quận 1,Phường Không Tồn Tại,10\n"
).encode()


def _upload(client, team: Team, name: str) -> str:
    response = client.post(
        f"/api/v1/datasets/{name}/resources",
        data={"file": (io.BytesIO(BEFORE_2025), "dan_so_2024.csv")},
        headers=team.publisher,
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _public_rows(client, name: str) -> list[dict[str, str]]:
    resource = client.get(f"/api/v1/datasets/{name}").get_json()["resources"][0]
    path = resource["download_url"].split("://", 1)[1].split("/", 1)[1]
    text = client.get("/" + path).get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_report_points_out_old_and_unknown_units_with_the_current_ones(client, team) -> None:
    name = create_draft(client, team, "Dân số năm 2024")
    rid = _upload(client, team, name)
    report = client.get(
        f"/api/v1/datasets/{name}/resources/{rid}/validation", headers=team.publisher
    ).get_json()
    assert report["valid"] is True and report["errors"] == []  # notes, not errors
    places = {p["column"]: p for p in report["places"]}
    assert set(places) == {"quan_huyen", "phuong_xa"}
    wards = places["phuong_xa"]
    assert (wards["level"], wards["cells"], wards["current"]) == ("commune", 6, 0)
    assert (wards["obsolete"], wards["unknown"]) == (5, 1)
    old = {v["value"]: v for v in wards["obsolete_values"]}
    # Bến Nghé became Phường Sài Gòn (code 26740, old Bến Nghé's own code reused); Đa Kao
    # was split between Sài Gòn and Tân Định; Tân Định merged with part of Đa Kao into
    # today's Phường Tân Định (code 26737, old Đa Kao's); Phường 1 of District 5 is Chợ Quán.
    assert old["Phường Bến Nghé"]["current"] == [{"code": "26740", "name": "Phường Sài Gòn"}]
    assert old["Phường Bến Nghé"]["rows"] == [2] and old["Phường Bến Nghé"]["context"] == "Quận 1"
    assert old["Phuong Ben Nghe"]["current"] == [{"code": "26740", "name": "Phường Sài Gòn"}]
    assert {u["name"] for u in old["P. Đa Kao"]["current"]} == {"Phường Sài Gòn", "Phường Tân Định"}
    assert old["Phường Tân Định"]["current"] == [{"code": "26737", "name": "Phường Tân Định"}]
    assert old["Phường 1"]["current"] == [{"code": "27301", "name": "Phường Chợ Quán"}]
    assert [v["value"] for v in wards["unknown_values"]] == ["Phường Không Tồn Tại"]
    assert wards["unknown_values"][0]["rows"] == [7]
    districts = places["quan_huyen"]
    assert districts["level"] == "district" and districts["obsolete"] == 6
    first = {v["value"]: v for v in districts["obsolete_values"]}["Quận 1"]
    assert {u["name"] for u in first["current"]} == {
        "Phường Sài Gòn",
        "Phường Tân Định",
        "Phường Bến Thành",
        "Phường Cầu Ông Lãnh",
    }
    assert first["count"] == 5 and first["rows"] == [2, 3, 4, 5, 7]


def test_one_step_adds_the_current_code_on_a_pending_revision(client, team) -> None:
    name = create_draft(client, team, "Dân số năm 2024 có mã")
    rid = _upload(client, team, name)
    base = f"/api/v1/datasets/{name}/resources/{rid}/unit-codes"
    refused = client.post(base, json={"column": "quan_huyen"}, headers=team.publisher)
    assert refused.status_code == 422  # a district became many units: no one code
    assert client.post(base, json={"column": "dan_so"}, headers=team.publisher).status_code == 422
    assert client.post(base, json={"column": "phuong_xa"}, headers=team.outsider).status_code == 404
    assert client.post(base, json={"column": 3}, headers=team.publisher).status_code == 422
    client.post(f"/api/v1/datasets/{name}/submit", headers=team.publisher)
    approved = client.post(f"/api/v1/datasets/{name}/approve", json={}, headers=team.steward)
    assert approved.get_json()["state"] == "published"
    assert "phuong_xa_ma_dvhc" not in _public_rows(client, name)[0]

    added = client.post(base, json={"column": "phuong_xa"}, headers=team.publisher)
    assert added.status_code == 202, added.get_json()
    assert added.get_json()["status"] == "ready"  # jobs run inline in tests
    dataset = client.get(f"/api/v1/datasets/{name}", headers=team.publisher).get_json()
    assert dataset["has_pending_revision"] is True
    assert "phuong_xa_ma_dvhc" not in _public_rows(client, name)[0]  # until approved
    again = client.post(base, json={"column": "phuong_xa"}, headers=team.publisher)
    assert again.status_code == 422  # already added

    client.post(f"/api/v1/datasets/{name}/submit", headers=team.publisher)
    client.post(f"/api/v1/datasets/{name}/approve", json={}, headers=team.steward)
    rows = _public_rows(client, name)
    assert list(rows[0])[:5] == [
        "nam",
        "quan_huyen",
        "phuong_xa",
        "phuong_xa_ma_dvhc",
        "phuong_xa_ten_dvhc",
    ]
    codes = [(r["phuong_xa"], r["phuong_xa_ma_dvhc"], r["phuong_xa_ten_dvhc"]) for r in rows]
    assert codes == [
        ("Phường Bến Nghé", "26740", "Phường Sài Gòn"),
        ("Phuong Ben Nghe", "26740", "Phường Sài Gòn"),
        ("P. Đa Kao", "", ""),  # split: no one code
        ("Phường Tân Định", "26737", "Phường Tân Định"),
        ("Phường 1", "27301", "Phường Chợ Quán"),
        ("Phường Không Tồn Tại", "", ""),
    ]
    report = client.get(
        f"/api/v1/datasets/{name}/resources/{rid}/validation", headers=team.publisher
    ).get_json()
    assert report["valid"] is True
    resource = client.get(f"/api/v1/datasets/{name}").get_json()["resources"][0]
    fields = {f["name"]: f for f in resource["fields"]}
    assert fields["phuong_xa_ma_dvhc"]["type"] == "string"
    assert fields["phuong_xa_ma_dvhc"]["title"] == {
        "vi": "Mã phường, xã, đặc khu hiện hành (phuong_xa)",
        "en": "Current ward or commune code (phuong_xa)",
    }
