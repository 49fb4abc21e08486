"""DCAT-AP 3.0.1 conformance of our graphs, checked with the official SHACL shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

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


# Recommended properties the portal leaves out on purpose (each is a Warning):
# - dcatap:availability on a distribution: a promise of how long the file stays available
#   that only its publisher can make, and the portal has no field for it;
# - dcat:distribution on a dataset that has none: datasets at a non-public access level
#   list no distribution (their files are not public), and a draft may have no file yet.
ALLOWED_WARNINGS = {
    (DCAT.Distribution, URIRef("http://data.europa.eu/r5r/availability")),
    (DCAT.Dataset, DCAT.distribution),
}
# What only the publisher can give, and the bare dataset of the fixture leaves out:
# keywords, themes, spatial and temporal coverage (and an open-ended period has no end).
PUBLISHER_LEFT_OUT = {
    (DCAT.Dataset, DCAT.keyword),
    (DCAT.Dataset, DCAT.theme),
    (DCAT.Dataset, DCTERMS.spatial),
    (DCAT.Dataset, DCTERMS.temporal),
    (DCTERMS.PeriodOfTime, DCAT.endDate),
}


def recommended_warnings(data: Graph, shapes: Graph) -> set[tuple[URIRef, URIRef, URIRef]]:
    """(focus node, its DCAT class, path) of every result of the recommended shapes."""
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        assert report.value(result, SH.resultSeverity) == SH.Warning
        focus = report.value(result, SH.focusNode)
        kinds = set(data.objects(focus, RDF.type)) - {DCAT.Resource}
        found |= {(focus, kind, report.value(result, SH.resultPath)) for kind in kinds}
    return found


def test_catalog_has_every_recommended_property_the_portal_can_fill(
    dcat_ap_recommended_shapes: Graph,
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    graph = catalog_to_graph(catalog_info, catalog_datasets, urls, themes)
    warnings = recommended_warnings(graph, dcat_ap_recommended_shapes)
    assert {(kind, path) for _focus, kind, path in warnings} == (
        ALLOWED_WARNINGS | PUBLISHER_LEFT_OUT
    )
    # only the bare dataset (no resource, no optional metadata) has dataset warnings
    assert {focus for focus, kind, _path in warnings if kind == DCAT.Dataset} == {
        URIRef(urls.dataset_uri(catalog_datasets[2].id))
    }
    # a catalog of fully described datasets has only the allowed warnings
    described = catalog_to_graph(catalog_info, catalog_datasets[:1], urls, themes)
    warnings = recommended_warnings(described, dcat_ap_recommended_shapes)
    assert {(kind, path) for _focus, kind, path in warnings} == {
        (DCAT.Distribution, URIRef("http://data.europa.eu/r5r/availability"))
    }


def test_data_services_and_locations_carry_what_dcat_ap_recommends(
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    graph = catalog_to_graph(catalog_info, catalog_datasets, urls, themes)
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 4  # two tables' records APIs, the CKAN API and the REST API
    for service in services:
        assert graph.value(service, DCAT.endpointDescription) is not None
        contact = graph.value(service, DCAT.contactPoint)
        assert str(graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    ckan = URIRef(urls.ckan_api())
    assert str(graph.value(ckan, DCAT.endpointDescription)) == "https://docs.ckan.org/en/2.11/api/"
    [centroid] = {str(o) for o in graph.objects(None, DCAT.centroid)}
    assert centroid == "POINT(106.638 10.9926)"  # Thành phố Hồ Chí Minh (vietnamadminunits)
    descriptions = {
        str(o)
        for o in graph.objects(
            URIRef(
                urls.distribution_uri(catalog_datasets[0].id, catalog_datasets[0].resources[1].id)
            ),
            URIRef("http://purl.org/dc/terms/description"),
        )
    }
    assert descriptions == {
        "Tệp PDF của tập dữ liệu “Tuyến xe buýt có trợ giá”.",
        "PDF file of the dataset “Subsidised bus routes”.",
    }


def test_checksum_algorithm_is_typed_as_spdx_checksum_algorithm(
    dcat_ap_generated_shapes: Graph, dataset: PublicDataset, urls: SiteUrls
) -> None:
    graph = dataset_to_graph(dataset, urls, {})
    sha256 = URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256")
    assert (sha256, RDF.type, URIRef("http://spdx.org/rdf/terms#ChecksumAlgorithm")) in graph
    # rdfs inference: these shapes also require rdfs:Resource of endpoint URLs
    conforms, _report, text = pyshacl.validate(
        graph, shacl_graph=dcat_ap_generated_shapes, inference="rdfs"
    )
    assert conforms, text
