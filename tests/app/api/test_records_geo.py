"""``records?_format=geojson`` and ``_bbox`` (issue 23), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.factories import publish_sample

POINTS = (
    "ma,ten,vi_do,kinh_do,so_cho\n"
    "A1,Bến Thành,10.7722,106.6980,40\n"
    "A2,Nguyễn Huệ,10.7740,106.7035,25\n"
    "A3,Chợ Lớn,10.7520,106.6600,30\n"
    "A4,Thảo Điền,10.8030,106.7330,18\n"
    "A5,Không tọa độ,,,7\n"
    "A6,Sai vĩ độ,95.5,106.7,3\n"
).encode()
NO_POINTS = "ma,ten,so_cho\nB1,Một,1\nB2,Hai,2\n".encode()
GEOJSON_UPLOAD = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.70, 10.78]},
                "properties": {"ten": "Trạm Một", "so": 1},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.66, 10.75]},
                "properties": {"ten": "Trạm Hai", "so": 2},
            },
        ],
    },
    ensure_ascii=False,
).encode()


def _base(dataset_name: str, resource_id: str) -> str:
    return f"/api/v1/datasets/{dataset_name}/resources/{resource_id}/records"


def test_geojson_streams_points_and_counts_rows_without_coordinates(client, services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services, data=POINTS)
    response = client.get(_base(dataset.name, resource_id) + "?_format=geojson&_sort=ma")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = json.loads(response.get_data())
    assert body["type"] == "FeatureCollection"
    assert body["skipped"] == 2  # the empty and the out-of-range row
    features = body["features"]
    assert [f["properties"]["ma"] for f in features] == ["A1", "A2", "A3", "A4"]
    first = features[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [106.698, 10.7722]}
    assert first["properties"] == {"ma": "A1", "ten": "Bến Thành", "so_cho": 40}


def test_bbox_filters_every_format(client, services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services, data=POINTS)
    base = _base(dataset.name, resource_id)
    box = "_bbox=106.69,10.77,106.71,10.78"  # Bến Thành and Nguyễn Huệ only
    page = client.get(f"{base}?{box}&_sort=ma").get_json()
    assert [r["ma"] for r in page["items"]] == ["A1", "A2"]
    assert page["total"] == 2
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{base}?{box}&_format=csv").text.lstrip("\ufeff")))
    )
    assert sorted(r["ma"] for r in rows) == ["A1", "A2"]
    geo = json.loads(client.get(f"{base}?{box}&_format=geojson").get_data())
    assert sorted(f["properties"]["ma"] for f in geo["features"]) == ["A1", "A2"]
    assert geo["skipped"] == 0
    # with other filters (AND) and on the edge (inclusive)
    both = client.get(f"{base}?{box}&ma=A2").get_json()
    assert [r["ma"] for r in both["items"]] == ["A2"]
    edge = client.get(f"{base}?_bbox=106.66,10.752,106.67,10.76").get_json()
    assert [r["ma"] for r in edge["items"]] == ["A3"]


@pytest.mark.parametrize(
    "raw",
    [
        "1,2,3",
        "a,b,c,d",
        "1,2,3,4,5",
        "106.7,10.8,106.6,10.9",  # min > max
        "106.6,10.8,106.7,10.8",  # empty latitude range
        "-181,10,106,11",
        "106,-91,107,11",
        "106,10,107,nan",
        "",
    ],
)
def test_bbox_is_validated(client, services, raw: str) -> None:
    dataset, resource_id, _p, _s = publish_sample(services, data=POINTS)
    response = client.get(_base(dataset.name, resource_id) + "?_bbox=" + raw)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and "_bbox" in error["message"]


def test_table_without_coordinates_is_refused_with_a_reason(client, services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services, data=NO_POINTS)
    base = _base(dataset.name, resource_id)
    for args in ("_format=geojson", "_bbox=106,10,107,11"):
        response = client.get(f"{base}?{args}")
        assert response.status_code == 400, args
        message = response.get_json()["error"]["message"]  # Vietnamese by default
        assert "vĩ độ" in message and "GeoJSON" in message
    # GeoJSON needs the coordinates among the chosen fields
    dataset2, resource2, _p, _s = publish_sample(services, data=POINTS)
    narrow = client.get(_base(dataset2.name, resource2) + "?_format=geojson&_fields=ma")
    assert narrow.status_code == 400 and "vi_do" in narrow.get_json()["error"]["message"]


def test_a_geojson_upload_is_served_as_geojson(client, services) -> None:
    from publishers import Role
    from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Trạm quan trắc không khí")
    resource_id = upload_bytes(
        services, publisher, dataset.name, GEOJSON_UPLOAD, filename="tram.geojson"
    )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    page = client.get(_base(dataset.name, resource_id) + "?_sort=so").get_json()
    assert [f["name"] for f in page["fields"]] == ["ten", "so", "longitude", "latitude"]
    assert page["items"][0] == {"ten": "Trạm Một", "so": 1, "longitude": 106.7, "latitude": 10.78}
    geo = client.get(_base(dataset.name, resource_id) + "?_format=geojson&_sort=so")
    assert geo.mimetype == "application/geo+json"
    features = json.loads(geo.get_data())["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[106.7, 10.78], [106.66, 10.75]]
    assert features[1]["properties"] == {"ten": "Trạm Hai", "so": 2}
    resource = client.get(f"/api/v1/datasets/{dataset.name}").get_json()["resources"][0]
    # the published table is the stripped CSV; its GeoJSON is a download beside it
    assert resource["download_url"].endswith("/tram.csv")
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert "tram.geojson" in page
    download = client.get(resource["download_url"].removesuffix(".csv") + ".geojson")
    assert download.status_code == 200
    assert download.mimetype == "application/geo+json"
    served = json.loads(download.get_data())
    assert served["type"] == "FeatureCollection"
    assert [f["properties"]["ten"] for f in served["features"]] == ["Trạm Một", "Trạm Hai"]
    assert served["features"][0]["geometry"]["coordinates"] == [106.7, 10.78]


def test_a_table_without_coordinates_has_no_geojson_download(client, services) -> None:
    dataset, _resource_id, _p, _s = publish_sample(services, data=NO_POINTS)
    resource = client.get(f"/api/v1/datasets/{dataset.name}").get_json()["resources"][0]
    assert ".geojson" not in client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    wrong = client.get(resource["download_url"].removesuffix(".csv") + ".geojson")
    assert wrong.status_code == 301 and wrong.location.endswith(".csv")
