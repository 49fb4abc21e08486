"""datapackage.json: a valid Frictionless Data Package, checked with frictionless."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import frictionless
import pytest

from datasets.public import PublicDataset
from metadata import SiteUrls, dataset_to_datapackage, frictionless_name


def metadata_errors(descriptor: dict[str, Any]) -> list[str]:
    return [error.message for error in frictionless.Package.metadata_validate(descriptor)]


def test_descriptor_metadata_is_valid(dataset: PublicDataset, urls: SiteUrls) -> None:
    descriptor = dataset_to_datapackage(dataset, urls)
    assert metadata_errors(descriptor) == []
    csv, pdf, link = descriptor["resources"]
    assert csv["path"] == urls.download_url(dataset.name, dataset.resources[0])
    assert csv["hash"] == f"sha256:{dataset.resources[0].sha256}"
    assert csv["bytes"] == dataset.resources[0].size
    assert csv["schema"] == dataset.resources[0].table_schema
    assert (csv["format"], csv["mediatype"]) == ("csv", "text/csv")
    assert "schema" not in pdf and pdf["format"] == "pdf"
    assert link["path"] == "https://buyttphcm.com.vn/gtfs/gtfs.zip"
    assert "hash" not in link and "bytes" not in link
    assert descriptor["licenses"] == [
        {
            "name": "cc-by-4.0",
            "title": "Creative Commons Attribution 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]


def test_harvested_descriptor_names_its_source(harvested: PublicDataset, urls: SiteUrls) -> None:
    descriptor = dataset_to_datapackage(harvested, urls)
    assert metadata_errors(descriptor) == []
    assert descriptor["sources"] == [
        {
            "title": "hcmc-environment-ckan",
            "path": "https://data.stnmt.example.vn/dataset/aqi-hourly",
        }
    ]


def test_data_files_validate_against_the_descriptor(
    dataset: PublicDataset, urls: SiteUrls, tmp_path: Path, bus_csv: bytes, pdf_bytes: bytes
) -> None:
    """A copy of the descriptor pointing at local copies of the files passes `validate`.

    The linked resource is remote and left out; hashes and sizes are checked for real.
    """
    descriptor = copy.deepcopy(dataset_to_datapackage(dataset, urls))
    files = {"tuyen_xe_buyt.csv": bus_csv, "ban do mang luoi.pdf": pdf_bytes}
    local = []
    for resource, public in zip(descriptor["resources"], dataset.resources, strict=True):
        if public.url is not None:
            continue
        (tmp_path / public.filename).write_bytes(files[public.filename])
        resource["path"] = public.filename
        local.append(resource)
    descriptor["resources"] = local
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_wrong_hash_is_caught_by_frictionless(
    dataset: PublicDataset, urls: SiteUrls, tmp_path: Path, bus_csv: bytes
) -> None:
    """Guards the test above: frictionless really compares our hash with the file."""
    csv = replace(dataset.resources[0], sha256="0" * 64)
    descriptor = dataset_to_datapackage(replace(dataset, resources=(csv,)), urls)
    (tmp_path / csv.filename).write_bytes(bus_csv)
    descriptor["resources"][0]["path"] = csv.filename
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "hash-count" in {row[0] for row in report.flatten(["type"])}


def test_resource_names_are_unique_valid_frictionless_names(
    dataset: PublicDataset, urls: SiteUrls
) -> None:
    twin = replace(dataset.resources[0], id="r-9", filename="tuyen_xe_buyt.xlsx")
    odd = replace(dataset.resources[0], id="r-10", filename="Tuyến Xe Buýt.CSV")
    descriptor = dataset_to_datapackage(
        replace(dataset, resources=(dataset.resources[0], twin, odd)), urls
    )
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["tuyen_xe_buyt", "tuyen_xe_buyt-2", "tuyen-xe-buyt"]
    assert metadata_errors(descriptor) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường phố Quận 1", "duong-pho-quan-1"),
        ("data.v2_final", "data.v2_final"),
        ("???", "fallback"),
        ("../etc/passwd", "etc-passwd"),
    ],
)
def test_frictionless_name(text: str, expected: str) -> None:
    assert frictionless_name(text, "fallback") == expected


def test_bare_link_without_format_or_media_type_is_valid(
    dataset: PublicDataset, urls: SiteUrls
) -> None:
    link = replace(dataset.resources[2], format="", media_type="", filename="")
    descriptor = dataset_to_datapackage(replace(dataset, resources=(link,)), urls)
    assert metadata_errors(descriptor) == []
    assert descriptor["resources"][0]["name"] == "gtfs-cua-trung-tam-quan-ly-giao-thong-cong-cong"
