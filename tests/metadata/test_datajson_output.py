"""/data.json: DCAT-US 1.1 non-federal, validated with the official schema offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from datasets.public import PublicDataset, PublicTheme
from metadata import CatalogInfo, SiteUrls, catalog_to_datajson, datasets_from_datajson


def errors_of(validator: Draft4Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_validator_agrees_with_the_conformance_readme(
    non_federal_validator: Draft4Validator, conformance: Callable[..., Path]
) -> None:
    selftest = conformance("dcat-us", "selftest")
    valid = json.loads((selftest / "minimal-data.json").read_text(encoding="utf-8"))
    invalid = json.loads((selftest / "minimal-data-invalid.json").read_text(encoding="utf-8"))
    assert errors_of(non_federal_validator, valid) == []
    assert len(errors_of(non_federal_validator, invalid)) == 3


def test_data_json_conforms_to_dcat_us_1_1_non_federal(
    non_federal_validator: Draft4Validator,
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    document = catalog_to_datajson(catalog_info, catalog_datasets, urls, themes)
    # What the web layer sends must survive a JSON round trip unchanged.
    document = json.loads(json.dumps(document, ensure_ascii=False))
    assert errors_of(non_federal_validator, document) == []
    assert len(document["dataset"]) == 3
    first = document["dataset"][0]
    assert "bureauCode" not in first and "programCode" not in first
    assert first["identifier"] == urls.dataset_uri("d-7a1c-tuyen-xe-buyt")
    assert first["contactPoint"]["hasEmail"] == "mailto:dulieumo.sgtvt@tphcm.gov.vn"
    assert first["accrualPeriodicity"] == "R/P1M"
    assert first["temporal"] == "2024-01-01/2024-12-31"
    assert first["theme"] == ["Giao thông"]


def test_every_frequency_gives_a_valid_accrual_periodicity(
    non_federal_validator: Draft4Validator,
    catalog_info: CatalogInfo,
    dataset_factory: Callable[..., PublicDataset],
    urls: SiteUrls,
) -> None:
    from datasets.vocab import FREQUENCIES

    datasets = [
        dataset_factory(id=f"d-{code}", name=f"ds-{code.lower()}", frequency=code)
        for code in FREQUENCIES
    ]
    document = catalog_to_datajson(catalog_info, datasets, urls)
    assert errors_of(non_federal_validator, document) == []


def test_data_json_round_trips_through_the_harvest_reader(
    catalog_info: CatalogInfo, dataset: PublicDataset, urls: SiteUrls
) -> None:
    [record] = datasets_from_datajson(catalog_to_datajson(catalog_info, [dataset], urls))
    assert record.identifier == record.uri == urls.dataset_uri(dataset.id)
    assert (record.title, record.description) == (dataset.title, dataset.description)
    assert record.keywords == tuple(sorted(dataset.tags))
    assert record.license_id == "cc-by-4.0"
    assert record.frequency == "MONTHLY"
    assert (record.temporal_start, record.temporal_end) == (
        dataset.temporal_start,
        dataset.temporal_end,
    )
    assert record.modified == dataset.modified
    assert record.contact_email == dataset.contact_email
    downloads = {d.download_url for d in record.distributions} - {None}
    assert downloads == {
        urls.download_url(dataset.name, r) for r in dataset.resources if r.url is None
    }
    assert {d.access_url for d in record.distributions} - {None} == {
        "https://buyttphcm.com.vn/gtfs/gtfs.zip"
    }


@pytest.mark.parametrize(
    "name",
    ["arm.data.json", "ny.data.json", "usda.gov.data.json", "many-resources.data.json"],
)
def test_valid_harvest_fixtures_are_valid_for_our_validator_too(
    non_federal_validator: Draft4Validator, conformance: Callable[..., Path], name: str
) -> None:
    """The README lists these as valid against the non-federal schema."""
    folder = conformance("harvest", "datajson", "gsa-ckanext-datajson")
    document = json.loads((folder / name).read_text(encoding="utf-8"))
    assert errors_of(non_federal_validator, document) == []
