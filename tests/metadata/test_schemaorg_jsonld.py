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
    assert doc["spatialCoverage"] == {"@type": "Place", "name": "Thành phố Hồ Chí Minh"}
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
