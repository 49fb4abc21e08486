"""DCAT-AP 3.0.1 conformance of our graphs, checked with the official SHACL shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from datasets.public import PublicDataset, PublicTheme
from metadata import CatalogInfo, HydraPage, SiteUrls, catalog_to_graph, dataset_to_graph


def assert_conforms(data: Graph, shapes: Graph) -> None:
    # inference "none": the README's "Base Zero + Ranges Zero", no background knowledge.
    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_shapes_reject_the_conformance_negative_example(
    dcat_ap_shapes: Graph, conformance: Callable[..., Path]
) -> None:
    invalid = conformance("dcat-ap", "selftest") / "minimal-invalid.ttl"
    conforms, _report, text = pyshacl.validate(
        Graph().parse(invalid, format="turtle"), shacl_graph=dcat_ap_shapes, inference="none"
    )
    assert not conforms
    assert text.count("Constraint Violation") == 4


def test_multi_dataset_catalog_conforms_to_dcat_ap_3_0_1(
    dcat_ap_shapes: Graph,
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    page = HydraPage(
        url=f"{urls.catalog()}?page=2",
        total_items=45,
        items_per_page=3,
        first=f"{urls.catalog()}?page=1",
        last=f"{urls.catalog()}?page=15",
        next=f"{urls.catalog()}?page=3",
        previous=f"{urls.catalog()}?page=1",
    )
    graph = catalog_to_graph(catalog_info, catalog_datasets, urls, themes, page)
    assert_conforms(graph, dcat_ap_shapes)


def test_empty_catalog_conforms(
    dcat_ap_shapes: Graph, catalog_info: CatalogInfo, urls: SiteUrls
) -> None:
    assert_conforms(catalog_to_graph(catalog_info, [], urls, {}), dcat_ap_shapes)


@pytest.mark.parametrize("which", ["dataset", "harvested"])
def test_single_dataset_graph_conforms(
    dcat_ap_shapes: Graph,
    which: str,
    request: pytest.FixtureRequest,
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    dataset: PublicDataset = request.getfixturevalue(which)
    assert_conforms(dataset_to_graph(dataset, urls, themes), dcat_ap_shapes)


def test_dataset_with_unknown_theme_and_licence_still_conforms(
    dcat_ap_shapes: Graph, dataset: PublicDataset, urls: SiteUrls
) -> None:
    from dataclasses import replace

    odd = replace(dataset, themes=("khong-co",), license_id="other", license_url="")
    assert_conforms(dataset_to_graph(odd, urls, {}), dcat_ap_shapes)


def test_bare_link_without_format_or_media_type_conforms(
    dcat_ap_shapes: Graph, dataset: PublicDataset, urls: SiteUrls
) -> None:
    from dataclasses import replace

    link = replace(dataset.resources[2], format="", media_type="", filename="")
    assert_conforms(dataset_to_graph(replace(dataset, resources=(link,)), urls, {}), dcat_ap_shapes)
