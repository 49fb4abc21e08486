"""DCAT-AP 3.0.1 graphs of datasets and of the catalog, built with rdflib.

Every node used as the value of a property whose DCAT-AP range is a class carries
that class explicitly (media types, licences, locations, concepts...), because the
official ``range.ttl`` shapes check classes literally when no ontology is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDFS, SKOS, XSD

from datasets.public import PublicDataset, PublicResource, PublicTheme
from datasets.vocab import DEFAULT_LICENSE_ID
from metadata.access import (
    EU_ACCESS_RIGHT_SCHEME,
    access_conditions,
    access_statement,
    eu_access_right,
    is_public,
    listed_resources,
)
from metadata.dcat_nodes import (
    add_concept,
    add_contact,
    add_eu_theme,
    add_languages,
    add_license,
    add_local_authority_type,
    add_location,
    add_publisher,
    add_temporal,
    add_text,
    add_themes,
    mailto,
    typed,
)
from metadata.dcat_services import add_catalog_services, add_records_service
from metadata.rdf_formats import (
    RDF_FORMATS,
    negotiate_rdf_format,
    new_graph,
    serialize_graph,
)
from metadata.urls import SiteUrls, safe_link
from metadata.vocab import (
    ADMS,
    EU_DATA_THEME_SCHEME,
    FRICTIONLESS_TABLE_SCHEMA,
    HYDRA,
    SPDX,
    file_type_uri,
    frequency_uri,
    media_type_uri,
)

__all__ = [
    "RDF_FORMATS",
    "CatalogInfo",
    "HydraPage",
    "catalog_to_graph",
    "dataset_to_graph",
    "negotiate_rdf_format",
    "serialize_graph",
]

_SHA256 = SPDX.checksumAlgorithm_sha256


@dataclass(frozen=True)
class CatalogInfo:
    """What describes the portal's catalog as a whole (site content and settings)."""

    title: str  # Vietnamese
    title_en: str
    description: str  # Vietnamese
    description_en: str
    publisher_name: str  # the city body running the portal
    publisher_email: str  # its functional mailbox
    homepage: str  # the site URL
    issued: date | datetime
    modified: date | datetime
    languages: tuple[str, ...] = ("vi", "en")
    license_id: str = DEFAULT_LICENSE_ID
    spatial: str = "Thành phố Hồ Chí Minh"
    publisher_name_en: str = ""


@dataclass(frozen=True)
class HydraPage:
    """Where one page of the catalog sits among all pages (Hydra paging).

    The web layer filters and pages; it passes the URLs of this page and its
    neighbours (None where there is no such page) and the total number of datasets.
    """

    url: str
    total_items: int
    items_per_page: int
    first: str | None = None
    last: str | None = None
    next: str | None = None
    previous: str | None = None


def plain_description(dataset: PublicDataset, resource: PublicResource) -> tuple[str, str]:
    """A (Vietnamese, English) description of a resource its publisher left undescribed:
    what kind of file it is, of which dataset, and its rows when it is a published table."""
    kind = resource.format.strip().upper()
    vi = f"Tệp {kind} của" if kind else "Tài nguyên của"
    en = f"{kind} file of" if kind else "Resource of"
    vi, en = (
        f"{vi} tập dữ liệu “{dataset.title}”",
        f"{en} the dataset “{dataset.title_en or dataset.title}”",
    )
    if resource.url:
        vi, en = f"{vi}, liên kết tới trang của nguồn", f"{en}, linked at its source"
    elif resource.is_tabular and resource.row_count is not None:
        vi, en = (
            f"{vi}: bảng {resource.row_count} dòng",
            f"{en}: a table of {resource.row_count} rows",
        )
    return f"{vi}.", f"{en}."


def _add_distribution(
    graph: Graph,
    dataset: PublicDataset,
    resource: PublicResource,
    urls: SiteUrls,
    publisher: URIRef,
) -> URIRef:
    dist = URIRef(urls.distribution_uri(dataset.id, resource.id))
    typed(graph, dist, DCAT.Distribution)
    graph.add((dist, DCTERMS.title, Literal(resource.name)))
    if resource.description.strip():
        graph.add((dist, DCTERMS.description, Literal(resource.description)))
    else:
        add_text(graph, dist, DCTERMS.description, *plain_description(dataset, resource))
    link = safe_link(resource.url) if resource.url else None
    if resource.url:
        access = link or urls.resource_page(dataset.name, resource.id)
        graph.add((dist, DCAT.accessURL, URIRef(access)))
    else:
        graph.add((dist, DCAT.accessURL, URIRef(urls.resource_page(dataset.name, resource.id))))
        graph.add((dist, DCAT.downloadURL, URIRef(urls.download_url(dataset.name, resource))))
    file_type = file_type_uri(resource.format)
    if file_type is not None:
        graph.add((dist, DCTERMS.format, typed(graph, file_type, DCTERMS.MediaTypeOrExtent)))
    media_type = media_type_uri(resource.media_type)
    if media_type is not None:
        graph.add((dist, DCAT.mediaType, typed(graph, media_type, DCTERMS.MediaType)))
    add_license(graph, dist, dataset.license_id, dataset.license_url)
    if resource.size is not None:
        graph.add((dist, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger)))
    if resource.sha256:
        checksum = typed(graph, BNode(), SPDX.Checksum)
        graph.add((checksum, SPDX.algorithm, typed(graph, _SHA256, SPDX.ChecksumAlgorithm)))
        graph.add((checksum, SPDX.checksumValue, Literal(resource.sha256, datatype=XSD.hexBinary)))
        graph.add((dist, SPDX.checksum, checksum))
    graph.add((dist, DCTERMS.issued, Literal(resource.created)))
    graph.add((dist, DCTERMS.modified, Literal(resource.modified)))
    if resource.is_tabular and resource.table_schema is not None:
        schema = URIRef(f"{dist}#table-schema")
        typed(graph, schema, DCTERMS.Standard)
        graph.add((schema, DCTERMS.title, Literal(f"Table Schema: {resource.name}")))
        graph.add((schema, DCTERMS.conformsTo, FRICTIONLESS_TABLE_SCHEMA))
        graph.add((schema, RDFS.seeAlso, URIRef(urls.datapackage(dataset.name))))
        graph.add((dist, DCTERMS.conformsTo, schema))
    if resource.is_tabular and not resource.url:
        service = add_records_service(graph, dataset, resource, urls, publisher)
        graph.add((dist, DCAT.accessService, service))
    return dist


def _add_provenance(graph: Graph, node: URIRef, dataset: PublicDataset) -> None:
    prov = dataset.provenance
    if prov is None:
        return
    statement = typed(graph, BNode(), DCTERMS.ProvenanceStatement)
    text = (
        f"Harvested from {prov.source_name} ({prov.source_type}) "
        f"on {prov.harvested_at.date().isoformat()}"
    )
    graph.add((statement, RDFS.label, Literal(text, lang="en")))
    graph.add((node, DCTERMS.provenance, statement))
    remote = safe_link(prov.remote_url)
    if remote:
        graph.add((node, PROV.wasDerivedFrom, URIRef(remote)))
    identifier = typed(graph, BNode(), ADMS.Identifier)
    graph.add((identifier, SKOS.notation, Literal(prov.remote_id)))
    graph.add((node, ADMS.identifier, identifier))


def _add_access_rights(graph: Graph, node: URIRef, dataset: PublicDataset, urls: SiteUrls) -> None:
    """``dct:accessRights`` from the EU access-right table; for a dataset that is not public,
    a ``foaf:page`` (documentation) saying what the level means and how to get access."""
    rights = typed(graph, URIRef(eu_access_right(dataset)), DCTERMS.RightsStatement)
    graph.add((rights, SKOS.inScheme, URIRef(EU_ACCESS_RIGHT_SCHEME)))
    graph.add((node, DCTERMS.accessRights, rights))
    if is_public(dataset):
        return
    page = typed(graph, URIRef(f"{urls.landing_page(dataset.name)}#access"), FOAF.Document)
    add_text(graph, page, DCTERMS.title, "Cách tiếp cận dữ liệu", "How to get access")
    add_text(
        graph,
        page,
        DCTERMS.description,
        access_conditions(dataset),
        access_statement(dataset, "en"),
    )
    graph.add((node, FOAF.page, page))


def _add_dataset(
    graph: Graph, dataset: PublicDataset, urls: SiteUrls, themes: Mapping[str, PublicTheme]
) -> URIRef:
    node = URIRef(urls.dataset_uri(dataset.id))
    typed(graph, node, DCAT.Dataset)
    add_text(graph, node, DCTERMS.title, dataset.title, dataset.title_en)
    add_text(graph, node, DCTERMS.description, dataset.description, dataset.description_en)
    graph.add((node, DCTERMS.identifier, Literal(dataset.id)))
    for tag in dataset.tags:
        graph.add((node, DCAT.keyword, Literal(tag, lang="vi")))
    add_themes(graph, node, dataset, urls, themes)
    publisher = add_publisher(graph, dataset.organization, urls)
    graph.add((node, DCTERMS.publisher, publisher))
    contact_email = dataset.contact_email or dataset.organization.email
    if contact_email:
        add_contact(graph, node, dataset.organization.title, contact_email)
    add_temporal(graph, node, dataset.temporal_start, dataset.temporal_end)
    add_location(graph, node, dataset.spatial_units, dataset.spatial, urls.site_url)
    frequency = frequency_uri(dataset.frequency)
    if frequency is not None:
        graph.add((node, DCTERMS.accrualPeriodicity, typed(graph, frequency, DCTERMS.Frequency)))
    graph.add((node, DCTERMS.issued, Literal(dataset.issued)))
    graph.add((node, DCTERMS.modified, Literal(dataset.modified)))
    landing = URIRef(urls.landing_page(dataset.name))
    graph.add((node, DCAT.landingPage, typed(graph, landing, FOAF.Document)))
    add_languages(graph, node, ["vi", "en"] if dataset.title_en else ["vi"])
    _add_access_rights(graph, node, dataset, urls)
    _add_provenance(graph, node, dataset)
    # At any level but public the catalog record has no resources: no distribution.
    for resource in listed_resources(dataset):
        dist = _add_distribution(graph, dataset, resource, urls, publisher)
        graph.add((node, DCAT.distribution, dist))
    return node


def dataset_to_graph(
    dataset: PublicDataset, urls: SiteUrls, themes: Mapping[str, PublicTheme]
) -> Graph:
    """Return the DCAT-AP 3.0.1 graph of one dataset, its distributions and API services.

    ``themes`` maps theme names to themes (for labels and EU data-theme codes); a theme
    missing from it is still published, labelled with its name.
    """
    graph = new_graph()
    _add_dataset(graph, dataset, urls, themes)
    return graph


def _add_theme_schemes(
    graph: Graph, catalog: URIRef, urls: SiteUrls, themes: Mapping[str, PublicTheme]
) -> None:
    eu_scheme = typed(graph, EU_DATA_THEME_SCHEME, SKOS.ConceptScheme)
    graph.add((eu_scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    add_text(graph, eu_scheme, DCTERMS.title, "Chủ đề dữ liệu (EU)", "")
    city_scheme = URIRef(urls.theme_scheme_uri())
    typed(graph, city_scheme, SKOS.ConceptScheme)
    add_text(graph, city_scheme, DCTERMS.title, "Chủ đề của Cổng dữ liệu", "Portal themes")
    for name, theme in sorted(themes.items()):
        concept = add_concept(
            graph, URIRef(urls.theme_uri(name)), city_scheme, theme.title, theme.title_en
        )
        graph.add((city_scheme, SKOS.hasTopConcept, concept))
        eu = add_eu_theme(graph, theme.eu_theme)
        if eu is not None:
            graph.add((concept, SKOS.closeMatch, eu))
    for scheme in (eu_scheme, city_scheme):
        graph.add((catalog, DCAT.themeTaxonomy, scheme))


def _add_hydra(graph: Graph, catalog: URIRef, page: HydraPage) -> None:
    view = URIRef(page.url)
    # Both the current Hydra terms and the older PagedCollection ones, which
    # ckanext-dcat and other deployed harvesters still read.
    typed(graph, view, HYDRA.PartialCollectionView, HYDRA.PagedCollection)
    graph.add((catalog, HYDRA.view, view))
    graph.add((catalog, HYDRA.totalItems, Literal(page.total_items)))
    graph.add((view, HYDRA.totalItems, Literal(page.total_items)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page.items_per_page)))
    links = (
        (page.first, HYDRA.first, HYDRA.firstPage),
        (page.last, HYDRA.last, HYDRA.lastPage),
        (page.next, HYDRA.next, HYDRA.nextPage),
        (page.previous, HYDRA.previous, HYDRA.previousPage),
    )
    for url, current, legacy in links:
        if url is not None:
            graph.add((view, current, URIRef(url)))
            graph.add((view, legacy, URIRef(url)))


def catalog_to_graph(
    info: CatalogInfo,
    datasets: Sequence[PublicDataset],
    urls: SiteUrls,
    themes: Mapping[str, PublicTheme],
    page: HydraPage | None = None,
) -> Graph:
    """Return the DCAT-AP 3.0.1 graph of the catalog with one page of ``datasets``.

    The graph holds the catalog, its publisher, the city themes as a SKOS scheme next
    to the EU data-theme taxonomy, the portal's APIs as data services, every dataset
    given, and Hydra paging links when ``page`` is given.
    """
    graph = new_graph()
    catalog = URIRef(urls.catalog())
    typed(graph, catalog, DCAT.Catalog)
    add_text(graph, catalog, DCTERMS.title, info.title, info.title_en)
    add_text(graph, catalog, DCTERMS.description, info.description, info.description_en)
    publisher = URIRef(f"{urls.catalog()}#publisher")
    typed(graph, publisher, FOAF.Agent, FOAF.Organization)
    add_text(graph, publisher, FOAF.name, info.publisher_name, info.publisher_name_en)
    add_local_authority_type(graph, publisher)
    graph.add((publisher, FOAF.mbox, mailto(info.publisher_email)))
    graph.add((catalog, DCTERMS.publisher, publisher))
    add_contact(graph, catalog, info.publisher_name, info.publisher_email)
    homepage = safe_link(info.homepage.rstrip("/") + "/")
    if homepage:
        graph.add((catalog, FOAF.homepage, typed(graph, URIRef(homepage), FOAF.Document)))
    add_languages(graph, catalog, info.languages)
    add_license(graph, catalog, info.license_id, "")
    graph.add((catalog, DCTERMS.issued, Literal(info.issued)))
    graph.add((catalog, DCTERMS.modified, Literal(info.modified)))
    add_location(graph, catalog, (), info.spatial, urls.site_url)
    _add_theme_schemes(graph, catalog, urls, themes)
    served = [_add_dataset(graph, dataset, urls, themes) for dataset in datasets]
    for node in served:
        graph.add((catalog, DCAT.dataset, node))
    contact = (info.publisher_name, info.publisher_email)
    add_catalog_services(graph, catalog, urls, publisher, contact, served)
    if page is not None:
        _add_hydra(graph, catalog, page)
    return graph
