"""Fixtures of the metadata tests: realistic public datasets and the conformance folder."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from rdflib import Graph
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from datasets.public import (
    Provenance,
    PublicDataset,
    PublicOrganization,
    PublicResource,
    PublicTheme,
)
from metadata import CatalogInfo, SiteUrls

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"


SITE = "https://opendata.hochiminhcity.gov.vn"


def conformance_dir(*parts: str) -> Path:
    """Return a folder of the shared conformance material, or skip (fail when CI=true)."""
    path = CONFORMANCE.joinpath(*parts)
    if not path.exists():
        reason = f"conformance material not found at {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (required when CI=true)")
        pytest.skip(reason)
    return path


THEMES: dict[str, PublicTheme] = {
    theme.name: theme
    for theme in (
        PublicTheme("giao-thong", "Giao thông", "Transport", "TRAN"),
        PublicTheme("moi-truong", "Môi trường", "Environment", "ENVI"),
        PublicTheme("y-te", "Y tế", "Health", "HEAL"),
        PublicTheme("giao-duc", "Giáo dục", "Education", "EDUC"),
        PublicTheme("dan-cu", "Dân cư", "Population", "SOCI"),
    )
}

TRANSPORT = PublicOrganization(
    id="8f0c2a1e-org-sgtvt",
    name="so-giao-thong-van-tai",
    title="Sở Giao thông Vận tải",
    title_en="Department of Transport",
    description="Cơ quan chuyên môn về giao thông của Thành phố.",
    email="sgtvt@tphcm.gov.vn",
    homepage="https://sgtvt.hochiminhcity.gov.vn/",
)
ENVIRONMENT = PublicOrganization(
    id="5b7d9e3c-org-stnmt",
    name="so-tai-nguyen-moi-truong",
    title="Sở Tài nguyên và Môi trường",
    title_en="Department of Natural Resources and Environment",
    description="Quản lý tài nguyên, môi trường và quan trắc.",
    email="stnmt@tphcm.gov.vn",
    homepage="",
)
_T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
_T1 = datetime(2025, 6, 15, 17, 5, 42, tzinfo=UTC)

BUS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "ma_tuyen", "type": "string", "title": "Mã tuyến"},
        {"name": "ten_tuyen", "type": "string", "title": "Tên tuyến"},
        {"name": "do_dai_km", "type": "number", "title": "Độ dài (km)"},
        {"name": "so_chuyen_ngay", "type": "integer"},
    ],
    "primaryKey": ["ma_tuyen"],
}
BUS_CSV = (
    "ma_tuyen,ten_tuyen,do_dai_km,so_chuyen_ngay\n"
    "01,Bến Thành - Chợ Lớn,8.5,220\n"
    "19,Bến Thành - Đại học Quốc gia,28.1,180\n"
    "152,Khu dân cư Trung Sơn - Sân bay Tân Sơn Nhất,21.4,140\n"
).encode()


def make_resource(**overrides: Any) -> PublicResource:
    """Return a published tabular CSV resource; keyword arguments replace fields."""
    import hashlib

    base = PublicResource(
        id="r-0001-tuyen-xe-buyt",
        name="Danh sách tuyến xe buýt",
        description="Các tuyến xe buýt có trợ giá đang hoạt động.",
        format="CSV",
        media_type="text/csv",
        filename="tuyen_xe_buyt.csv",
        size=len(BUS_CSV),
        sha256=hashlib.sha256(BUS_CSV).hexdigest(),
        url=None,
        is_tabular=True,
        table_schema=BUS_SCHEMA,
        row_count=3,
        created=_T0,
        modified=_T1,
    )
    return replace(base, **overrides)


PDF_BYTES = b"%PDF-1.4\n% bus network map\n%%EOF\n"


def make_dataset(**overrides: Any) -> PublicDataset:
    """Return a realistic published dataset with a CSV, a PDF and a linked resource."""
    import hashlib

    resources = (
        make_resource(),
        make_resource(
            id="r-0002-ban-do",
            name="Bản đồ mạng lưới xe buýt (PDF)",
            description="",
            format="PDF",
            media_type="application/pdf",
            filename="ban do mang luoi.pdf",
            size=len(PDF_BYTES),
            sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
            is_tabular=False,
            table_schema=None,
            row_count=None,
        ),
        make_resource(
            id="r-0003-gtfs",
            name="GTFS của Trung tâm Quản lý Giao thông công cộng",
            description="Liên kết tới nguồn GTFS chính thức.",
            format="ZIP",
            media_type="application/zip",
            filename="gtfs.zip",
            size=None,
            sha256=None,
            url="https://buyttphcm.com.vn/gtfs/gtfs.zip",
            is_tabular=False,
            table_schema=None,
            row_count=None,
        ),
    )
    base = PublicDataset(
        id="d-7a1c-tuyen-xe-buyt",
        name="tuyen-xe-buyt",
        title="Tuyến xe buýt có trợ giá",
        title_en="Subsidised bus routes",
        description=(
            "Danh sách các tuyến xe buýt có trợ giá trên địa bàn Thành phố Hồ Chí Minh, "
            "gồm mã tuyến, tên tuyến, độ dài và số chuyến mỗi ngày."
        ),
        description_en=(
            "Subsidised bus routes in Ho Chi Minh City with route code, name, length "
            "and number of daily trips."
        ),
        organization=TRANSPORT,
        tags=("xe buýt", "giao thông công cộng", "tuyến đường"),
        themes=("giao-thong",),
        license_id="cc-by-4.0",
        license_title="Creative Commons Attribution 4.0",
        license_url="https://creativecommons.org/licenses/by/4.0/",
        contact_email="dulieumo.sgtvt@tphcm.gov.vn",
        temporal_start=date(2024, 1, 1),
        temporal_end=date(2024, 12, 31),
        spatial="Thành phố Hồ Chí Minh",
        frequency="MONTHLY",
        created=_T0,
        modified=_T1,
        issued=datetime(2024, 3, 2, 9, 0, tzinfo=UTC),
        resources=resources,
    )
    return replace(base, **overrides)


def make_harvested_dataset(**overrides: Any) -> PublicDataset:
    """Return an air-quality dataset harvested from another catalog (with Provenance)."""
    readings = make_resource(
        id="r-0101-aqi",
        name="Chỉ số chất lượng không khí theo giờ",
        filename="aqi_theo_gio.csv",
        table_schema={
            "fields": [
                {"name": "tram", "type": "string"},
                {"name": "thoi_diem", "type": "datetime"},
                {"name": "pm25", "type": "number"},
            ]
        },
    )
    base = make_dataset(
        id="d-91be-chat-luong-khong-khi",
        name="chat-luong-khong-khi",
        title="Chất lượng không khí",
        title_en="Air quality",
        description="Chỉ số AQI.",
        description_en="AQI.",
        organization=ENVIRONMENT,
        tags=("không khí", "AQI", "PM2.5"),
        themes=("moi-truong", "y-te"),
        license_id="odc-by",
        license_title="Open Data Commons Attribution License 1.0",
        license_url="https://opendatacommons.org/licenses/by/1-0/",
        contact_email="quantrac@tphcm.gov.vn",
        temporal_start=date(2023, 1, 1),
        temporal_end=None,
        frequency="DAILY",
        resources=(readings,),
        provenance=Provenance(
            source_name="hcmc-environment-ckan",
            source_type="ckan",
            remote_id="aqi-hourly",
            remote_url="https://data.stnmt.example.vn/dataset/aqi-hourly",
            harvested_at=datetime(2025, 6, 1, 2, 0, tzinfo=UTC),
        ),
    )
    return replace(base, **overrides)


def make_catalog_info(**overrides: Any) -> CatalogInfo:
    """Return the portal's catalog description."""
    base = CatalogInfo(
        title="Cổng dữ liệu mở Thành phố Hồ Chí Minh",
        title_en="Ho Chi Minh City Open Data Portal",
        description="Dữ liệu mở do các sở, ban, ngành của Thành phố công bố.",
        description_en="Open data published by the departments of Ho Chi Minh City.",
        publisher_name="Sở Khoa học và Công nghệ Thành phố Hồ Chí Minh",
        publisher_email="dulieumo@tphcm.gov.vn",
        homepage=SITE,
        issued=date(2024, 1, 1),
        modified=datetime(2025, 6, 15, 17, 5, 42, tzinfo=UTC),
        publisher_name_en="Ho Chi Minh City Department of Science and Technology",
    )
    return replace(base, **overrides)


@pytest.fixture
def urls() -> SiteUrls:
    return SiteUrls(SITE + "/")


@pytest.fixture
def themes() -> dict[str, PublicTheme]:
    return dict(THEMES)


@pytest.fixture
def dataset() -> PublicDataset:
    return make_dataset()


@pytest.fixture
def harvested() -> PublicDataset:
    return make_harvested_dataset()


@pytest.fixture
def catalog_datasets() -> list[PublicDataset]:
    """Several datasets, including one with no optional metadata at all."""
    bare = make_dataset(
        id="d-0003-truong-hoc",
        name="truong-hoc",
        title="Danh sách trường học",
        title_en="",
        description="Trường học các cấp.",
        description_en="",
        tags=(),
        themes=(),
        temporal_start=None,
        temporal_end=None,
        spatial="",
        frequency="",
        resources=(),
    )
    return [make_dataset(), make_harvested_dataset(), bare]


@pytest.fixture
def catalog_info() -> CatalogInfo:
    return make_catalog_info()


@pytest.fixture
def dataset_factory() -> Callable[..., PublicDataset]:
    """Build a dataset like ``dataset`` with some fields replaced."""
    return make_dataset


@pytest.fixture
def resource_factory() -> Callable[..., PublicResource]:
    """Build a tabular CSV resource with some fields replaced."""
    return make_resource


@pytest.fixture
def conformance() -> Callable[..., Path]:
    """Locate a folder of ../shared/conformance, skipping (failing when CI=true) without it."""
    return conformance_dir


@pytest.fixture
def bus_csv() -> bytes:
    """The bytes of the bus-route CSV resource of ``dataset``."""
    return BUS_CSV


@pytest.fixture
def pdf_bytes() -> bytes:
    """The bytes of the PDF resource of ``dataset``."""
    return PDF_BYTES


@pytest.fixture
def dcat_ap_shapes() -> Graph:
    """shapes.ttl + range.ttl of DCAT-AP 3.0.1 in one shapes graph (the README's offline gate)."""
    folder = conformance_dir("dcat-ap", "3.0.1", "shacl")
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(folder / name, format="turtle")
    return shapes


@pytest.fixture
def dcat_ap_recommended_shapes() -> Graph:
    """shapes_recommended.ttl of DCAT-AP 3.0.1 (every result is a Warning)."""
    folder = conformance_dir("dcat-ap", "3.0.1", "shacl")
    return Graph().parse(folder / "shapes_recommended.ttl", format="turtle")


@pytest.fixture
def dcat_ap_generated_shapes() -> Graph:
    """The SEMIC-generated dcat-ap-SHACL.ttl + its ranges (they check spdx:algorithm's class).

    Two property shapes of dcat:DataServiceShape and three range links are never defined
    upstream (SEMICeu/DCAT-AP issue 448); the conformance README's work-around deletes
    those dangling links before validating.
    """
    folder = conformance_dir("dcat-ap", "3.0.1", "shacl")
    shapes = Graph()
    for name in ("dcat-ap-SHACL.ttl", "dcat-ap-SHACL-ranges.ttl"):
        shapes.parse(folder / name, format="turtle")
    shapes.update(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> DELETE { ?s sh:property ?p } "
        "WHERE { ?s sh:property ?p . FILTER NOT EXISTS { ?p sh:path ?x } }"
    )
    return shapes


POD_BASE = "https://project-open-data.cio.gov/v1.1/schema"


@pytest.fixture
def non_federal_validator() -> Draft4Validator:
    """The GSA non-federal v1.1 schema, every file registered under its URL (no fetching)."""
    folder = conformance_dir("dcat-us", "gsa-ckanext-datajson-pod_schema", "non-federal-v1.1")
    registry: Registry[Any] = Registry().with_resources(
        (
            f"{POD_BASE}/{path.name}",
            Resource.from_contents(
                json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT4
            ),
        )
        for path in folder.glob("*.json")
    )
    schema = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
