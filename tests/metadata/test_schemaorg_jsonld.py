"""schema.org Dataset JSON-LD meets Google Dataset Search's requirements."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from datasets.public import PublicDataset
from metadata import SiteUrls, dataset_to_schemaorg, schemaorg_script_json


def assert_google_requirements(doc: dict[str, Any]) -> None:
    assert doc["@context"].startswith("https://schema.org")
    assert doc["@type"] == "Dataset"
    assert isinstance(doc["name"], str) and doc["name"]
    assert 50 <= len(doc["description"]) <= 5000
    assert doc["creator"]["@type"] == "Organization" and doc["creator"]["name"]
    assert doc["license"].startswith("https://")
    for item in doc["distribution"]:
        assert item["@type"] == "DataDownload"
        assert item["encodingFormat"] and item["contentUrl"].startswith("https://")


def test_dataset_json_ld_has_every_required_property(
    dataset: PublicDataset, urls: SiteUrls
) -> None:
    doc = dataset_to_schemaorg(dataset, urls)
    assert_google_requirements(doc)
    assert doc["temporalCoverage"] == "2024-01-01/2024-12-31"
    # the city since 1 July 2025, with Bình Dương and Bà Rịa - Vũng Tàu (Côn Đảo included)
    assert doc["spatialCoverage"] == {
        "@type": "Place",
        "@id": f"{urls.site_url}/places/79",
        "identifier": "79",
        "name": "Thành phố Hồ Chí Minh",
        "geo": {"@type": "GeoShape", "box": "8.628084 106.326367 11.500854 107.573272"},
    }
    assert doc["url"] == urls.landing_page(dataset.name)
    assert doc["description"] == dataset.description
    assert [d["encodingFormat"] for d in doc["distribution"]] == [
        "text/csv",
        "application/pdf",
        "application/zip",
    ]
    assert doc["distribution"][2]["contentUrl"] == "https://buyttphcm.com.vn/gtfs/gtfs.zip"


def test_short_description_is_completed_from_true_metadata(
    harvested: PublicDataset, urls: SiteUrls
) -> None:
    doc = dataset_to_schemaorg(harvested, urls)
    assert_google_requirements(doc)
    description = doc["description"]
    assert description.startswith("Chỉ số AQI.")
    assert "Sở Tài nguyên và Môi trường" in description
    assert doc["temporalCoverage"] == "2023-01-01/.."


def test_tiny_description_without_translation_still_reaches_50_characters(
    dataset_factory: Callable[..., PublicDataset], urls: SiteUrls
) -> None:
    dataset = dataset_factory(description="", description_en="", title_en="", spatial="")
    assert len(dataset_to_schemaorg(dataset, urls)["description"]) >= 50


def test_long_description_is_cut_at_a_word_to_5000_characters(
    dataset: PublicDataset, urls: SiteUrls
) -> None:
    long = replace(dataset, description="dữ liệu giao thông " * 600)
    description = dataset_to_schemaorg(long, urls)["description"]
    assert len(description) <= 5000
    assert description.endswith("…") and not description.endswith(" …")


def test_script_json_cannot_close_the_script_element(
    dataset: PublicDataset, urls: SiteUrls
) -> None:
    hostile = replace(dataset, title='</script><script>alert("x")</script> & more')
    doc = dataset_to_schemaorg(hostile, urls)
    text = schemaorg_script_json(doc)
    assert "</script" not in text.lower() and "<" not in text
    assert json.loads(text) == doc


@pytest.mark.parametrize("missing", ["temporal", "spatial"])
def test_unknown_coverage_is_left_out_rather_than_invented(
    dataset: PublicDataset, urls: SiteUrls, missing: str
) -> None:
    if missing == "temporal":
        doc = dataset_to_schemaorg(replace(dataset, temporal_start=None, temporal_end=None), urls)
        assert "temporalCoverage" not in doc
    else:
        doc = dataset_to_schemaorg(replace(dataset, spatial=""), urls)
        assert "spatialCoverage" not in doc


def _box(box: str) -> dict[str, str]:
    return {"@type": "GeoShape", "box": box}


@pytest.mark.parametrize(
    ("spatial", "units", "name", "geo"),
    [
        ("Quận 1", (), "Quận 1", _box("10.753551 106.681701 10.796917 106.71556")),
        ("TP. Thủ Đức", (), "Thành phố Thủ Đức", _box("10.74045 106.697693 10.899026 106.881759")),
        ("TP.HCM", (), "Thành phố Hồ Chí Minh", _box("8.628084 106.326367 11.500854 107.573272")),
        (
            "",
            ("26743",),
            "Phường Bến Thành",
            {"@type": "GeoCoordinates", "latitude": 10.7713, "longitude": 106.694},
        ),
        ("Khu vực phía Nam", (), "Khu vực phía Nam", None),  # no unit: no made-up coordinates
    ],
)
def test_spatial_coverage_has_geo_where_the_place_is_known(
    dataset_factory: Callable[..., PublicDataset],
    urls: SiteUrls,
    spatial: str,
    units: tuple[str, ...],
    name: str,
    geo: dict[str, Any] | None,
) -> None:
    dataset = dataset_factory(spatial=spatial, spatial_units=units)
    coverage = dataset_to_schemaorg(dataset, urls)["spatialCoverage"]
    assert coverage["name"] == name
    assert coverage.get("geo") == geo
    assert ("@id" in coverage) == (geo is not None)


def test_several_places_are_a_list_of_places(
    dataset_factory: Callable[..., PublicDataset], urls: SiteUrls
) -> None:
    dataset = dataset_factory(spatial="Khu vực phía Nam", spatial_units=("26743", "old-26740"))
    coverage = dataset_to_schemaorg(dataset, urls)["spatialCoverage"]
    assert [(p["name"], p.get("@id")) for p in coverage] == [
        ("Phường Bến Thành", f"{urls.site_url}/places/26743"),
        ("Phường Bến Nghé, Quận 1", f"{urls.site_url}/places/old-26740"),
        ("Khu vực phía Nam", None),
    ]


def test_variable_measured_lists_the_table_schema_columns(
    dataset_factory: Callable[..., PublicDataset],
    resource_factory: Callable[..., Any],
    urls: SiteUrls,
) -> None:
    schema = {
        "fields": [
            {"name": "ma_tuyen", "type": "string", "title": "Mã tuyến"},
            {"name": "do_dai_km", "type": "number", "title": "Độ dài", "unit": "km"},
            {"name": "pm25", "type": "number", "description": "Bụi PM2.5", "unitText": "µg/m³"},
            {"name": "so_chuyen_ngay", "type": "integer"},
        ]
    }
    other = resource_factory(
        id="r-2", table_schema={"fields": [{"name": "ma_tuyen", "title": "Mã (bảng 2)"}]}
    )
    dataset = dataset_factory(resources=(resource_factory(table_schema=schema), other))
    doc = dataset_to_schemaorg(dataset, urls)
    assert doc["variableMeasured"] == [
        {"@type": "PropertyValue", "name": "ma_tuyen", "description": "Mã tuyến"},
        {"@type": "PropertyValue", "name": "do_dai_km", "description": "Độ dài", "unitText": "km"},
        {
            "@type": "PropertyValue",
            "name": "pm25",
            "description": "Bụi PM2.5",
            "unitText": "µg/m³",
        },
        {"@type": "PropertyValue", "name": "so_chuyen_ngay"},
    ]
    # a dataset whose data is not public lists no columns, as it lists no distribution
    shared = dataset_to_schemaorg(replace(dataset, access_level="agencies"), urls)
    assert "variableMeasured" not in shared and shared["distribution"] == []
