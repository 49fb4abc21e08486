"""Specific triples of the DCAT-AP graphs, serializations and content negotiation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from datasets.public import PublicDataset, PublicTheme
from metadata import (
    RDF_FORMATS,
    CatalogInfo,
    HydraPage,
    SiteUrls,
    UnsupportedFormat,
    catalog_to_graph,
    dataset_to_graph,
    negotiate_rdf_format,
    serialize_graph,
)
from metadata.rdf_input import load_rdf
from metadata.vocab import HYDRA, SPDX, VCARD

SITE = "https://opendata.hochiminhcity.gov.vn"
DATASET = URIRef(f"{SITE}/dataset/d-7a1c-tuyen-xe-buyt")
CSV_DIST = URIRef(f"{DATASET}/resource/r-0001-tuyen-xe-buyt")
PDF_DIST = URIRef(f"{DATASET}/resource/r-0002-ban-do")
LINK_DIST = URIRef(f"{DATASET}/resource/r-0003-gtfs")
PUBLISHER = URIRef(f"{SITE}/organization/8f0c2a1e-org-sgtvt")


@pytest.fixture
def graph(dataset: PublicDataset, urls: SiteUrls, themes: dict[str, PublicTheme]) -> Graph:
    return dataset_to_graph(dataset, urls, themes)


def test_titles_and_descriptions_carry_vi_and_en_language_tags(graph: Graph) -> None:
    assert set(graph.objects(DATASET, DCTERMS.title)) == {
        Literal("Tuyến xe buýt có trợ giá", lang="vi"),
        Literal("Subsidised bus routes", lang="en"),
    }
    languages = {lit.language for lit in graph.objects(DATASET, DCTERMS.description)}
    assert languages == {"vi", "en"}


def test_uris_are_built_on_ids_and_links_on_names(graph: Graph) -> None:
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert set(graph.objects(DATASET, DCAT.distribution)) == {CSV_DIST, PDF_DIST, LINK_DIST}
    assert graph.value(DATASET, DCTERMS.publisher) == PUBLISHER
    assert graph.value(DATASET, DCAT.landingPage) == URIRef(f"{SITE}/dataset/tuyen-xe-buyt")
    assert graph.value(CSV_DIST, DCAT.downloadURL) == URIRef(
        f"{SITE}/dataset/tuyen-xe-buyt/resource/r-0001-tuyen-xe-buyt/download/tuyen_xe_buyt.csv"
    )
    assert graph.value(CSV_DIST, DCAT.accessURL) == URIRef(
        f"{SITE}/dataset/tuyen-xe-buyt/resource/r-0001-tuyen-xe-buyt"
    )
    assert graph.value(DATASET, DCTERMS.identifier) == Literal("d-7a1c-tuyen-xe-buyt")


def test_distribution_has_checksum_byte_size_media_type_and_format(
    graph: Graph, dataset: PublicDataset
) -> None:
    csv = dataset.resources[0]
    assert graph.value(CSV_DIST, DCAT.byteSize) == Literal(
        csv.size, datatype=XSD.nonNegativeInteger
    )
    checksum = graph.value(CSV_DIST, SPDX.checksum)
    assert isinstance(checksum, BNode)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    value = graph.value(checksum, SPDX.checksumValue)
    assert isinstance(value, Literal)
    assert (str(value), value.datatype) == (csv.sha256, XSD.hexBinary)
    iana = URIRef("http://www.iana.org/assignments/media-types/text/csv")
    assert graph.value(CSV_DIST, DCAT.mediaType) == iana
    assert (iana, RDF.type, DCTERMS.MediaType) in graph
    assert graph.value(CSV_DIST, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    )
    assert graph.value(CSV_DIST, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_tabular_distribution_conforms_to_its_table_schema_and_has_a_records_service(
    graph: Graph,
) -> None:
    standard = graph.value(CSV_DIST, DCTERMS.conformsTo)
    assert standard is not None
    assert graph.value(standard, DCTERMS.conformsTo) == URIRef(
        "https://specs.frictionlessdata.io/table-schema/"
    )
    service = graph.value(CSV_DIST, DCAT.accessService)
    assert graph.value(service, DCAT.endpointURL) == URIRef(
        f"{SITE}/api/v1/datasets/tuyen-xe-buyt/resources/r-0001-tuyen-xe-buyt/records"
    )
    assert graph.value(service, DCAT.servesDataset) == DATASET
    # The PDF and the link are neither tabular nor queryable.
    for dist in (PDF_DIST, LINK_DIST):
        assert graph.value(dist, DCAT.accessService) is None
        assert graph.value(dist, DCTERMS.conformsTo) is None


def test_linked_resource_points_at_its_remote_url_without_size_or_checksum(graph: Graph) -> None:
    assert graph.value(LINK_DIST, DCAT.accessURL) == URIRef(
        "https://buyttphcm.com.vn/gtfs/gtfs.zip"
    )
    assert graph.value(LINK_DIST, DCAT.byteSize) is None
    assert graph.value(LINK_DIST, SPDX.checksum) is None


def test_download_filename_is_percent_encoded(graph: Graph) -> None:
    assert str(graph.value(PDF_DIST, DCAT.downloadURL)).endswith(
        "/download/ban%20do%20mang%20luoi.pdf"
    )


def test_contact_point_is_the_functional_vcard_address(graph: Graph) -> None:
    contact = graph.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:dulieumo.sgtvt@tphcm.gov.vn")
    assert graph.value(contact, VCARD.fn) == Literal("Sở Giao thông Vận tải")


def test_publisher_is_a_foaf_agent_with_names_in_both_languages(graph: Graph) -> None:
    assert (PUBLISHER, RDF.type, FOAF.Agent) in graph
    assert Literal("Sở Giao thông Vận tải", lang="vi") in set(graph.objects(PUBLISHER, FOAF.name))


def test_themes_include_eu_data_theme_and_city_concept(graph: Graph) -> None:
    themes = set(graph.objects(DATASET, DCAT.theme))
    eu = URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN")
    city = URIRef(f"{SITE}/group/giao-thong")
    assert themes == {eu, city}
    assert graph.value(city, SKOS.inScheme) == URIRef(f"{SITE}/group")
    assert graph.value(city, SKOS.closeMatch) == eu


def test_temporal_spatial_frequency_and_dates(graph: Graph, dataset: PublicDataset) -> None:
    period = graph.value(DATASET, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2024-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2024-12-31", datatype=XSD.date)
    assert graph.value(DATASET, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    )
    place = graph.value(DATASET, DCTERMS.spatial)
    assert (place, RDF.type, DCTERMS.Location) in graph
    assert graph.value(DATASET, DCTERMS.modified).toPython() == dataset.modified


def test_unsafe_link_urls_are_never_published(
    dataset: PublicDataset, urls: SiteUrls, themes: dict[str, PublicTheme]
) -> None:
    link = replace(dataset.resources[2], url="javascript:alert(1)")
    graph = dataset_to_graph(replace(dataset, resources=(link,)), urls, themes)
    text = serialize_graph(graph, "nt").decode()
    assert "javascript:" not in text
    assert graph.value(LINK_DIST, DCAT.accessURL) == URIRef(
        f"{SITE}/dataset/tuyen-xe-buyt/resource/r-0003-gtfs"
    )


def test_catalog_has_themes_taxonomies_services_and_hydra_paging(
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    page = HydraPage(
        url=f"{SITE}/catalog?page=1", total_items=4, items_per_page=3, next=f"{SITE}/catalog?page=2"
    )
    graph = catalog_to_graph(catalog_info, catalog_datasets, urls, themes, page)
    catalog = URIRef(f"{SITE}/catalog")
    assert set(graph.objects(catalog, DCAT.themeTaxonomy)) == {
        URIRef("http://publications.europa.eu/resource/authority/data-theme"),
        URIRef(f"{SITE}/group"),
    }
    assert len(set(graph.objects(catalog, DCAT.dataset))) == 3
    endpoints = {graph.value(s, DCAT.endpointURL) for s in graph.objects(catalog, DCAT.service)}
    assert endpoints == {URIRef(f"{SITE}/api/3/action/"), URIRef(f"{SITE}/api/v1/")}
    view = URIRef(f"{SITE}/catalog?page=1")
    assert graph.value(view, HYDRA.next) == URIRef(f"{SITE}/catalog?page=2")
    assert graph.value(catalog, HYDRA.totalItems) == Literal(4)
    assert graph.value(catalog, FOAF.homepage) == URIRef(f"{SITE}/")
    assert len(set(graph.subjects(RDF.type, SKOS.Concept))) >= len(themes)


@pytest.mark.parametrize("ext", sorted(RDF_FORMATS))
def test_every_serialization_reads_back_as_the_same_graph(graph: Graph, ext: str) -> None:
    from rdflib.compare import isomorphic

    rdflib_name, _media_type = RDF_FORMATS[ext]
    data = serialize_graph(graph, ext)
    assert serialize_graph(graph, rdflib_name) == data or ext == "nt"
    assert isomorphic(load_rdf(data, rdflib_name, None), graph)


def test_json_ld_output_has_an_inline_context(graph: Graph) -> None:
    document = json.loads(serialize_graph(graph, "json-ld"))
    assert isinstance(document["@context"], dict)


def test_unknown_serialization_is_refused(graph: Graph) -> None:
    with pytest.raises(UnsupportedFormat, match="'pdf'"):
        serialize_graph(graph, "pdf")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, None),
        ("", None),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None),
        ("*/*", None),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml;q=0.9, text/html;q=0.5", "rdf"),
        ("application/n-triples", "nt"),
        ("text/html, text/turtle;q=0.8", None),
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
        ("application/json", None),
        ("text/turtle;q=0", None),
    ],
)
def test_negotiate_rdf_format(accept: str | None, expected: str | None) -> None:
    assert negotiate_rdf_format(accept) == expected


def test_covered_units_are_locations_at_their_stable_uris(
    dataset: PublicDataset, urls: SiteUrls, themes: dict[str, PublicTheme]
) -> None:
    covering = replace(dataset, spatial_units=("26743", "old-26740"), spatial="Khu vực phía Nam")
    graph = dataset_to_graph(covering, urls, themes)
    places = set(graph.objects(DATASET, DCTERMS.spatial))
    ben_thanh = URIRef(f"{SITE}/places/26743")
    ben_nghe = URIRef(f"{SITE}/places/old-26740")
    assert {ben_thanh, ben_nghe} <= places and len(places) == 3
    assert (ben_thanh, RDF.type, DCTERMS.Location) in graph
    assert graph.value(ben_thanh, SKOS.prefLabel) == Literal("Phường Bến Thành", lang="vi")
    assert graph.value(ben_thanh, DCTERMS.identifier) == Literal("26743")
    assert str(graph.value(ben_thanh, DCAT.centroid)) == "POINT(106.694 10.7713)"
    assert graph.value(ben_nghe, SKOS.prefLabel) == Literal("Phường Bến Nghé, Quận 1", lang="vi")
    [text] = [p for p in places if isinstance(p, BNode)]
    assert graph.value(text, SKOS.prefLabel) == Literal("Khu vực phía Nam", lang="vi")
    assert graph.value(text, DCAT.centroid) is None
