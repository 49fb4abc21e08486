"""Building blocks of the DCAT-AP graphs: agents, contacts, concepts, licences, periods.

Each adds typed nodes (see ``metadata.dcat``): ``range.ttl`` checks classes literally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from datasets.public import PublicDataset, PublicOrganization, PublicTheme
from datasets.vocab import find_license
from metadata.coverage import covered_places
from metadata.urls import SiteUrls, safe_link
from metadata.vocab import (
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    EU_DATA_THEME_SCHEME,
    EU_DATA_THEMES,
    GSP,
    LICENCE_TYPES,
    LOCN,
    VCARD,
    eu_theme_uri,
    language_uri,
    license_uri,
    spdx_license_uri,
)


def mailto(email: str) -> URIRef:
    """Return a ``mailto:`` IRI; characters not allowed in an IRI are percent-encoded."""
    return URIRef("mailto:" + quote(email.strip(), safe="@.+-_~!$&'*=,"))


def add_text(graph: Graph, node: URIRef | BNode, prop: URIRef, vi: str, en: str) -> None:
    """Add ``prop`` with a Vietnamese and an English literal (blank ones are skipped)."""
    if vi.strip():
        graph.add((node, prop, Literal(vi, lang="vi")))
    if en.strip():
        graph.add((node, prop, Literal(en, lang="en")))


def typed(graph: Graph, node: URIRef | BNode, *classes: URIRef) -> URIRef | BNode:
    """Type ``node`` with ``classes`` and return it."""
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def add_languages(graph: Graph, node: URIRef, languages: Sequence[str]) -> None:
    """Add ``dct:language`` EU language URIs for ISO 639-1 ``languages``."""
    for code in languages:
        uri = language_uri(code)
        if uri is not None:
            graph.add((node, DCTERMS.language, typed(graph, uri, DCTERMS.LinguisticSystem)))


def add_location(
    graph: Graph, node: URIRef, keys: tuple[str, ...], text: str, site_url: str
) -> None:
    """Add ``dct:spatial``: one ``dct:Location`` per place covered (``metadata.coverage``).

    A unit of the places catalogue is its stable URI (``<site>/places/<key>``, which the
    portal serves) with its name, code and, where known, ``dcat:centroid`` and ``dcat:bbox``
    as GeoSPARQL WKT literals; text that named no unit is a blank node with that name.
    """
    for covered in covered_places(keys, text, site_url):
        subject = URIRef(covered.uri) if covered.uri else BNode()
        place = typed(graph, subject, DCTERMS.Location)
        graph.add((place, LOCN.geographicName, Literal(covered.name, lang="vi")))
        graph.add((place, SKOS.prefLabel, Literal(covered.name, lang="vi")))
        if covered.code is not None:
            graph.add((place, DCTERMS.identifier, Literal(covered.code)))
        if covered.centroid_wkt is not None:
            wkt = Literal(covered.centroid_wkt, datatype=GSP.wktLiteral)
            graph.add((place, DCAT.centroid, wkt))
        if covered.bbox_wkt is not None:
            graph.add((place, DCAT.bbox, Literal(covered.bbox_wkt, datatype=GSP.wktLiteral)))
        graph.add((node, DCTERMS.spatial, place))


def add_type_concept(
    graph: Graph, node: URIRef, concept: URIRef, scheme: URIRef, label_en: str
) -> None:
    """Add ``dct:type`` as a ``skos:Concept`` of ``scheme`` (ADMS publisher/licence types)."""
    typed(graph, concept, SKOS.Concept)
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, SKOS.prefLabel, Literal(label_en, lang="en")))
    graph.add((node, DCTERMS.type, concept))


def add_local_authority_type(graph: Graph, agent: URIRef) -> None:
    """Type a publisher as an ADMS ``LocalAuthority``: every publisher is a city body."""
    concept = ADMS_PUBLISHER_TYPE.LocalAuthority
    add_type_concept(graph, agent, concept, ADMS_PUBLISHER_TYPE["1.0"], "Local Authority")


def add_publisher(graph: Graph, org: PublicOrganization, urls: SiteUrls) -> URIRef:
    """Add the organization as a ``foaf:Agent`` under its id-based URI and return it."""
    agent = URIRef(urls.organization_uri(org.id))
    typed(graph, agent, FOAF.Agent, FOAF.Organization)
    add_text(graph, agent, FOAF.name, org.title, org.title_en)
    add_local_authority_type(graph, agent)
    if org.email:
        graph.add((agent, FOAF.mbox, mailto(org.email)))
    homepage = safe_link(org.homepage)
    if homepage:
        graph.add((agent, FOAF.homepage, typed(graph, URIRef(homepage), FOAF.Document)))
    graph.add((agent, FOAF.page, URIRef(urls.organization_page(org.name))))
    return agent


def add_contact(graph: Graph, node: URIRef, name: str, email: str) -> None:
    """Add a vCard contact point: a functional mailbox, never a person's own address."""
    contact = typed(graph, BNode(), VCARD.Kind, VCARD.Organization)
    graph.add((contact, VCARD.fn, Literal(name)))
    graph.add((contact, VCARD.hasEmail, mailto(email)))
    graph.add((node, DCAT.contactPoint, contact))


def add_concept(graph: Graph, uri: URIRef, scheme: URIRef, vi: str, en: str) -> URIRef:
    """Add a ``skos:Concept`` in ``scheme`` with Vietnamese and English labels."""
    typed(graph, uri, SKOS.Concept)
    graph.add((uri, SKOS.inScheme, scheme))
    add_text(graph, uri, SKOS.prefLabel, vi, en)
    return uri


def add_eu_theme(graph: Graph, code: str) -> URIRef | None:
    """Add the EU data-theme concept of ``code``; None for an unknown code."""
    uri = eu_theme_uri(code)
    if uri is None:
        return None
    vi, en = EU_DATA_THEMES[code.strip().upper()]
    return add_concept(graph, uri, EU_DATA_THEME_SCHEME, vi, en)


def add_themes(
    graph: Graph,
    node: URIRef,
    dataset: PublicDataset,
    urls: SiteUrls,
    themes: Mapping[str, PublicTheme],
) -> None:
    """Add ``dcat:theme``: each city theme and, when known, its EU data theme."""
    scheme = URIRef(urls.theme_scheme_uri())
    for name in dataset.themes:
        theme = themes.get(name)
        city = URIRef(urls.theme_uri(name))
        graph.add((node, DCAT.theme, city))
        if theme is None:
            add_concept(graph, city, scheme, name, "")
            continue
        add_concept(graph, city, scheme, theme.title, theme.title_en)
        eu = add_eu_theme(graph, theme.eu_theme)
        if eu is not None:
            graph.add((node, DCAT.theme, eu))
            graph.add((city, SKOS.closeMatch, eu))


def add_license(graph: Graph, node: URIRef, license_id: str, fallback_url: str) -> None:
    """Add ``dct:license`` as a ``dct:LicenseDocument`` (our URL, else ``fallback_url``)."""
    fallback = safe_link(fallback_url)
    uri = license_uri(license_id) or (URIRef(fallback) if fallback else None)
    if uri is None:
        return
    typed(graph, uri, DCTERMS.LicenseDocument)
    lic = find_license(license_id)
    if lic is not None:
        graph.add((uri, RDFS.label, Literal(lic.title, lang="en")))
        spdx = spdx_license_uri(license_id)
        if spdx is not None:
            graph.add((uri, OWL.sameAs, spdx))
        for kind in LICENCE_TYPES.get(license_id, ()):
            scheme = ADMS_LICENCE_TYPE["1.0"]
            add_type_concept(graph, uri, ADMS_LICENCE_TYPE[kind], scheme, kind)
    graph.add((node, DCTERMS.license, uri))


def add_temporal(graph: Graph, node: URIRef, start: date | None, end: date | None) -> None:
    """Add ``dct:temporal`` as a ``dct:PeriodOfTime`` (nothing when both ends are None)."""
    if start is None and end is None:
        return
    period = typed(graph, BNode(), DCTERMS.PeriodOfTime)
    if start is not None:
        graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
    if end is not None:
        graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    graph.add((node, DCTERMS.temporal, period))
