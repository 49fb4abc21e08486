"""Spatial coverage by unit on the pages and APIs: the place facet (current and old names),
the unit pages at their stable URIs, and the CKAN ``spatial`` extra (issue 22)."""

from __future__ import annotations

from typing import Any

import pytest

from publishers import Role
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes


def _publish(services: Any, title: str, **meta: object) -> str:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title=title, **meta)
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset.name


@pytest.fixture
def covered(services: Any) -> dict[str, str]:
    return {
        # chosen from the list (current unit)
        "ben_thanh": _publish(services, "Chợ Bến Thành", spatial_units=("26743",)),
        # harvested-style text naming an old ward, which became part of Phường Bến Thành
        "pham_ngu_lao": _publish(services, "Khách sạn Phạm Ngũ Lão", spatial="P. Phạm Ngũ Lão"),
        # an old district: its wards became Bến Thành, Sài Gòn, Tân Định, Cầu Ông Lãnh
        "quan_1": _publish(services, "Cây xanh Quận 1", spatial="Quận 1"),
        "thu_duc": _publish(services, "Cầu đường Thủ Đức", spatial_units=("26824",)),
        # text that names no unit stays as written
        "text": _publish(services, "Tuyến đường thủy", spatial="Sông Sài Gòn"),
    }


def _found(client: Any, **args: Any) -> set[str]:
    body = client.get("/api/3/action/package_search", query_string={"rows": 50, **args})
    return {d["name"] for d in body.get_json()["result"]["results"]}


def test_the_place_facet_finds_datasets_by_current_and_old_names(
    client: Any, covered: dict[str, str]
) -> None:
    by_key = _found(client, fq="place:26743")
    assert by_key == {covered["ben_thanh"], covered["pham_ngu_lao"], covered["quan_1"]}
    # the search page takes a key or a name, with or without accents, old or new
    for value in ("26743", "Phường Bến Thành", "phuong ben thanh", "P. Bến Thành"):
        page = client.get("/dataset", query_string={"place": value}).get_data(as_text=True)
        assert "3 bộ dữ liệu" in page, value
        assert "Chợ Bến Thành" in page and "Tuyến đường thủy" not in page
        assert "Cầu đường Thủ Đức" not in page
    # an old name finds what covers the unit it became part of
    page = client.get("/dataset", query_string={"place": "Phạm Ngũ Lão"}).get_data(as_text=True)
    assert "Chợ Bến Thành" in page and "Khách sạn Phạm Ngũ Lão" in page
    assert "Cầu đường Thủ Đức" not in page
    old_district = _found(client, fq="place:old-760")
    assert {covered["ben_thanh"], covered["quan_1"]} <= old_district
    assert covered["thu_duc"] not in old_district


def test_the_search_page_lists_current_places_by_name(client: Any, covered: dict[str, str]) -> None:
    page = client.get("/dataset").get_data(as_text=True)
    facet = page[page.index('id="place-name"') - 3000 : page.index('id="place-name"')]
    assert "Phường Bến Thành" in facet and "Phường Thủ Đức" in facet
    assert "old-" not in facet.split("<form")[0]  # old units filter, but are not listed
    assert 'name="place"' in page


def test_dataset_page_and_apis_show_units_by_name(
    client: Any, services: Any, covered: dict[str, str]
) -> None:
    page = client.get(f"/dataset/{covered['quan_1']}").get_data(as_text=True)
    assert 'href="/places/old-760">Quận 1</a>' in page
    assert "trước 1/7/2025" in page and "Phường Sài Gòn" in page
    text_page = client.get(f"/dataset/{covered['text']}").get_data(as_text=True)
    assert "<li>Sông Sài Gòn</li>" in text_page
    rest = client.get(f"/api/v1/datasets/{covered['pham_ngu_lao']}").get_json()
    assert (rest["spatial"], rest["spatial_units"]) == ("", ["old-26749"])
    assert rest["spatial_places"][0]["name"] == "Phường Phạm Ngũ Lão, Quận 1"
    ckan = client.get("/api/3/action/package_show", query_string={"id": covered["ben_thanh"]})
    extras = {e["key"]: e["value"] for e in ckan.get_json()["result"]["extras"]}
    assert extras["spatial"] == "Phường Bến Thành"
    harvested = client.get("/api/3/action/package_show", query_string={"id": covered["text"]})
    extras = {e["key"]: e["value"] for e in harvested.get_json()["result"]["extras"]}
    assert extras["spatial"] == "Sông Sài Gòn"


def test_a_unit_uri_resolves_to_a_page_and_json(client: Any) -> None:
    page = client.get("/places/old-26737")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Phường Đa Kao, Quận 1" in text
    assert 'href="/places/26740">Phường Sài Gòn</a>' in text
    assert 'href="/places/26737">Phường Tân Định</a>' in text
    body = client.get("/places/26740.json").get_json()
    assert (body["name"], body["code"], body["obsolete"]) == ("Phường Sài Gòn", "26740", False)
    assert body["uri"].endswith("/places/26740")
    before = {p["name"] for p in body["predecessors"]}
    assert {"Phường Bến Nghé", "Phường Đa Kao", "Phường Nguyễn Thái Bình"} <= before
    assert client.get("/places/99999").status_code == 404
    assert client.get("/places/26740x.json").status_code == 404
    listing = client.get("/places").get_data(as_text=True)
    assert listing.count('href="/places/') == 169  # the city and its 168 units


def test_the_form_stores_codes_and_refuses_unknown_units(client: Any, services: Any) -> None:
    from datasets.metadata_input import DatasetMetadata, clean_metadata
    from publishers import InvalidInput

    cleaned = clean_metadata(
        DatasetMetadata(title_vi="A", spatial="TP.HCM; Khu Nam", spatial_units=("Bến Thành",)),
        set(),
    )
    assert (cleaned.spatial_units, cleaned.spatial) == (("26743", "79"), "Khu Nam")
    with pytest.raises(InvalidInput) as refused:
        clean_metadata(DatasetMetadata(title_vi="A", spatial_units=("Phường 1",)), set())
    assert refused.value.errors == {"spatial_units": ["unknown_place"]}
    with pytest.raises(InvalidInput) as too_many:
        clean_metadata(DatasetMetadata(title_vi="A", spatial_units=("79",) * 201), set())
    assert too_many.value.errors == {"spatial_units": ["too_many_places"]}


def test_rest_search_filters_and_counts_by_place(client: Any, covered: dict[str, str]) -> None:
    body = client.get("/api/v1/datasets", query_string={"place": "Bến Thành"}).get_json()
    assert {d["name"] for d in body["items"]} == {
        covered["ben_thanh"],
        covered["pham_ngu_lao"],
        covered["quan_1"],
    }
    every = client.get("/api/v1/datasets").get_json()
    assert every["facets"]["place"]["26743"] == 3
    assert every["facets"]["place"]["26824"] == 1
    assert not any(k.startswith("old-") for k in every["facets"]["place"])
    nothing = client.get("/api/v1/datasets", query_string={"place": "Phường 1"}).get_json()
    assert nothing["total"] == 0  # ambiguous without its old district: no guess
