"""Reading DCAT back: round trips of our own output, safety and clear errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from datasets.public import PublicDataset, PublicTheme
from metadata import (
    RDF_FORMATS,
    CatalogInfo,
    HydraPage,
    MetadataParseError,
    RemoteDataset,
    RemoteDistribution,
    SiteUrls,
    catalog_to_graph,
    dataset_to_graph,
    datasets_from_dcat,
    page_from_dcat,
    serialize_graph,
)
from metadata.dcat import plain_description


def expected_record(dataset: PublicDataset, urls: SiteUrls) -> RemoteDataset:
    """What a harvester must read back from our DCAT of ``dataset``."""
    distributions = []
    for resource in dataset.resources:
        linked = resource.url is not None
        distributions.append(
            RemoteDistribution(
                uri=urls.distribution_uri(dataset.id, resource.id),
                title=resource.name,
                # our DCAT describes an undescribed resource (DCAT-AP recommends one)
                description=resource.description or plain_description(dataset, resource)[0],
                access_url=resource.url
                if linked
                else urls.resource_page(dataset.name, resource.id),
                download_url=None if linked else urls.download_url(dataset.name, resource),
                media_type=resource.media_type,
                format=resource.format,
                byte_size=resource.size,
                checksum=resource.sha256,
                checksum_algorithm="sha256" if resource.sha256 else None,
                license=dataset.license_url,
            )
        )
    eu_themes = {"giao-thong": "TRAN", "moi-truong": "ENVI", "y-te": "HEAL"}
    themes = {urls.theme_uri(name) for name in dataset.themes} | {
        f"http://publications.europa.eu/resource/authority/data-theme/{eu_themes[name]}"
        for name in dataset.themes
    }
    titles = {"vi": dataset.title} | ({"en": dataset.title_en} if dataset.title_en else {})
    descriptions = {"vi": dataset.description} | (
        {"en": dataset.description_en} if dataset.description_en else {}
    )
    return RemoteDataset(
        uri=urls.dataset_uri(dataset.id),
        identifier=dataset.id,
        title=dataset.title,
        description=dataset.description,
        keywords=tuple(sorted(dataset.tags)),
        themes=tuple(sorted(themes)),
        publisher_name=dataset.organization.title,
        contact_email=dataset.contact_email,
        # DCAT-AP puts the licence on distributions: a dataset without any has none.
        license=dataset.license_url if dataset.resources else "",
        license_id=dataset.license_id if dataset.resources else "",
        issued=dataset.issued,
        modified=dataset.modified,
        landing_page=urls.landing_page(dataset.name),
        frequency=dataset.frequency,
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
        spatial=dataset.spatial,
        adms_status="",
        distributions=tuple(sorted(distributions, key=lambda d: d.uri or "")),
        title_translations=titles,
        description_translations=descriptions,
    )


@pytest.mark.parametrize("ext", sorted(RDF_FORMATS))
@pytest.mark.parametrize("which", ["dataset", "harvested"])
def test_dataset_round_trips_through_every_serialization(
    ext: str,
    which: str,
    request: pytest.FixtureRequest,
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    dataset: PublicDataset = request.getfixturevalue(which)
    data = serialize_graph(dataset_to_graph(dataset, urls, themes), ext)
    assert datasets_from_dcat(data, RDF_FORMATS[ext][1], urls.site_url) == [
        expected_record(dataset, urls)
    ]
    # The format is guessed from the content when not given.
    assert datasets_from_dcat(data, None, None) == [expected_record(dataset, urls)]


@pytest.mark.parametrize("ext", sorted(RDF_FORMATS))
def test_catalog_page_round_trips_with_its_next_page_link(
    ext: str,
    catalog_info: CatalogInfo,
    catalog_datasets: list[PublicDataset],
    urls: SiteUrls,
    themes: dict[str, PublicTheme],
) -> None:
    page = HydraPage(
        url=f"{urls.catalog()}?page=1",
        total_items=7,
        items_per_page=3,
        next=f"{urls.catalog()}?page=2",
    )
    graph = catalog_to_graph(catalog_info, catalog_datasets, urls, themes, page)
    result = page_from_dcat(serialize_graph(graph, ext), RDF_FORMATS[ext][0], None)
    assert result.next_page == f"{urls.catalog()}?page=2"
    assert result.total_items == 7
    expected = sorted(
        (expected_record(d, urls) for d in catalog_datasets), key=lambda r: r.uri or ""
    )
    assert result.datasets == expected


def test_last_catalog_page_has_no_next_link(
    catalog_info: CatalogInfo, urls: SiteUrls, dataset: PublicDataset
) -> None:
    page = HydraPage(url=f"{urls.catalog()}?page=3", total_items=7, items_per_page=3)
    graph = catalog_to_graph(catalog_info, [dataset], urls, {}, page)
    assert page_from_dcat(serialize_graph(graph, "ttl"), "turtle", None).next_page is None


def test_legacy_hydra_next_page_is_read() -> None:
    data = b"""
    @prefix hydra: <http://www.w3.org/ns/hydra/core#> .
    <http://x.test/catalog?page=1> a hydra:PagedCollection ;
        hydra:nextPage <http://x.test/catalog?page=2> ; hydra:totalItems 30 .
    """
    page = page_from_dcat(data, "turtle", None)
    assert (page.next_page, page.total_items, page.datasets) == (
        "http://x.test/catalog?page=2",
        30,
        [],
    )


def test_rdf_xml_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT-4242", encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{secret.as_uri()}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://x.test/dataset/1">
    <dct:title>&xxe;</dct:title>
  </dcat:Dataset>
</rdf:RDF>
""".encode()
    with pytest.raises(MetadataParseError, match="external entity") as caught:
        datasets_from_dcat(data, "xml", None)
    assert "TOP-SECRET" not in str(caught.value)


def test_rdf_xml_external_dtd_and_parameter_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "evil.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET">', encoding="utf-8")
    for doctype in (
        f'<!DOCTYPE rdf:RDF SYSTEM "{secret.as_uri()}">',
        f'<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "{secret.as_uri()}"> %p; ]>',
    ):
        data = (
            f'<?xml version="1.0"?>{doctype}'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
        ).encode()
        with pytest.raises(MetadataParseError, match="external"):
            datasets_from_dcat(data, "application/rdf+xml", None)


def test_trix_is_guarded_against_external_entities_too(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE TriX [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<TriX xmlns="http://www.w3.org/2004/03/trix/trix-1/"><graph><triple>'
        "<uri>http://x.test/a</uri><uri>http://x.test/b</uri><plainLiteral>&x;</plainLiteral>"
        "</triple></graph></TriX>"
    ).encode()
    with pytest.raises(MetadataParseError, match="external entity"):
        datasets_from_dcat(data, "trix", None)


def test_rdf_xml_internal_entities_still_work() -> None:
    data = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY dcat "http://www.w3.org/ns/dcat#"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://x.test/dataset/1">
    <rdf:type rdf:resource="&dcat;Dataset"/>
    <dct:title xml:lang="vi">Dữ liệu thử</dct:title>
  </rdf:Description>
</rdf:RDF>""".encode()
    [record] = datasets_from_dcat(data, "xml", None)
    assert record.title == "Dữ liệu thử"


def test_json_ld_with_a_remote_context_is_refused_without_fetching() -> None:
    data = b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x.test/d"}'
    with pytest.raises(MetadataParseError, match=r"remote JSON-LD context .* never fetched"):
        datasets_from_dcat(data, "json-ld", None)
    nested = b'{"@context": {"@import": "http://127.0.0.1:9/c.jsonld"}, "@id": "http://x.test/d"}'
    with pytest.raises(MetadataParseError, match=r"remote JSON-LD context .* never fetched"):
        datasets_from_dcat(nested, "json-ld", None)


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset", "turtle", "turtle"),
        (b"<http://x.test/a> <http://x.test/b> .", "nt", "nt"),
        (b"<rdf:RDF><unclosed>", "xml", "not well-formed XML"),
        (b'{"@id": "http://x.test/d",', "json-ld", "not valid JSON"),
        (b"", "turtle", "empty document"),
        (b"<a> <b> <c> .", "excel", "unsupported RDF format 'excel'"),
    ],
)
def test_broken_input_raises_a_clear_parse_error(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(MetadataParseError, match=message):
        datasets_from_dcat(data, fmt, None)


def test_undated_or_oddly_dated_fields_are_dropped_not_guessed() -> None:
    data = b"""
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <http://x.test/d> a dcat:Dataset ; dct:title "T" ; dct:issued "06/05/2009" ;
        dct:modified "2012-05-10T21:04" .
    """
    [record] = datasets_from_dcat(data, "turtle", None)
    assert record.issued is None
    assert record.modified == datetime(2012, 5, 10, 21, 4, tzinfo=UTC)


def test_base_url_resolves_relative_iris(dataset: PublicDataset) -> None:
    data = b"""
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    <dataset/7> a dcat:Dataset ; dct:title "T" ; dcat:distribution <dataset/7/resource/1> .
    <dataset/7/resource/1> dcat:accessURL <files/a.csv> .
    """
    [record] = datasets_from_dcat(data, "turtle", "https://remote.test/")
    assert record.uri == "https://remote.test/dataset/7"
    assert record.distributions[0].access_url == "https://remote.test/files/a.csv"


def test_unsafe_link_round_trips_as_the_resource_page(
    dataset: PublicDataset, urls: SiteUrls, resource_factory: Callable[..., object]
) -> None:
    link = replace(dataset.resources[2], url="file:///etc/passwd")
    data = serialize_graph(dataset_to_graph(replace(dataset, resources=(link,)), urls, {}), "ttl")
    [record] = datasets_from_dcat(data, "turtle", None)
    assert record.distributions[0].access_url == urls.resource_page(dataset.name, link.id)
