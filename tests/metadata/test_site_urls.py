"""SiteUrls: one place for every URL and URI the metadata uses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from datasets.public import PublicResource
from metadata import SiteUrls, safe_link

SITE = "https://opendata.hochiminhcity.gov.vn"


def test_identifiers_are_built_on_ids() -> None:
    urls = SiteUrls(SITE + "/")
    assert urls.dataset_uri("d-1") == f"{SITE}/dataset/d-1"
    assert urls.distribution_uri("d-1", "r-2") == f"{SITE}/dataset/d-1/resource/r-2"
    assert urls.organization_uri("o-3") == f"{SITE}/organization/o-3"
    assert urls.catalog() == f"{SITE}/catalog"


def test_links_are_built_on_names_as_routed(
    resource_factory: Callable[..., PublicResource],
) -> None:
    urls = SiteUrls(SITE)
    resource = resource_factory(id="r-2", filename="dữ liệu.csv")
    assert urls.landing_page("xe-buyt") == f"{SITE}/dataset/xe-buyt"
    assert urls.resource_page("xe-buyt", "r-2") == f"{SITE}/dataset/xe-buyt/resource/r-2"
    assert urls.download_url("xe-buyt", resource) == (
        f"{SITE}/dataset/xe-buyt/resource/r-2/download/d%E1%BB%AF%20li%E1%BB%87u.csv"
    )
    assert urls.ckan_api() == f"{SITE}/api/3/action/"
    assert urls.rest_api() == f"{SITE}/api/v1/"
    assert urls.openapi() == f"{SITE}/api/v1/openapi.json"
    assert urls.records("xe-buyt", "r-2") == f"{SITE}/api/v1/datasets/xe-buyt/resources/r-2/records"
    assert urls.datapackage("xe-buyt") == f"{SITE}/dataset/xe-buyt/datapackage.json"


def test_path_segments_cannot_escape(resource_factory: Callable[..., PublicResource]) -> None:
    urls = SiteUrls(SITE)
    resource = resource_factory(id="../x", filename="../../etc/passwd")
    assert urls.download_url("a/b", resource) == (
        f"{SITE}/dataset/a%2Fb/resource/..%2Fx/download/..%2F..%2Fetc%2Fpasswd"
    )


def test_linked_resource_downloads_from_its_remote_url(
    resource_factory: Callable[..., PublicResource],
) -> None:
    resource = resource_factory(url="https://example.vn/a b.csv")
    assert SiteUrls(SITE).download_url("x", resource) == "https://example.vn/a%20b.csv"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.vn/x?a=1#f", "https://example.vn/x?a=1#f"),
        ("  http://example.vn/  ", "http://example.vn/"),
        ('https://example.vn/"><script>', "https://example.vn/%22%3E%3Cscript%3E"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        ("", None),
    ],
)
def test_safe_link(value: str, expected: str | None) -> None:
    assert safe_link(value) == expected
