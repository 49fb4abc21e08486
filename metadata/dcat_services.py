"""DCAT-AP data services: the records API of each published table and the portal's APIs.

Each service carries what DCAT-AP 3.0.1 recommends and the portal knows: an endpoint
description, the standard it conforms to, a contact point (a functional mailbox), the
publisher, and the keywords and themes of the datasets it serves.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from datasets.public import PublicDataset, PublicResource
from metadata.dcat_nodes import add_contact, add_text, typed
from metadata.urls import SiteUrls

OPENAPI_3_1 = URIRef("https://spec.openapis.org/oas/v3.1.0")
# CKAN's Action API reference: what the CKAN-compatible endpoint answers like.
CKAN_ACTION_API = URIRef("https://docs.ckan.org/en/2.11/api/")


def _standard(graph: Graph, uri: URIRef, title: str) -> URIRef:
    typed(graph, uri, DCTERMS.Standard)
    graph.add((uri, DCTERMS.title, Literal(title, lang="en")))
    return uri


def _serve(graph: Graph, service: URIRef, datasets: Sequence[URIRef]) -> None:
    """``dcat:servesDataset`` each dataset, with their keywords and themes."""
    for dataset in datasets:
        graph.add((service, DCAT.servesDataset, dataset))
        for prop in (DCAT.keyword, DCAT.theme):
            for value in list(graph.objects(dataset, prop)):
                graph.add((service, prop, value))


def add_records_service(
    graph: Graph,
    dataset: PublicDataset,
    resource: PublicResource,
    urls: SiteUrls,
    publisher: URIRef,
) -> URIRef:
    """Add the records API of one published table (a ``dcat:DataService``) and return it."""
    service = URIRef(urls.records_service_uri(dataset.id, resource.id))
    typed(graph, service, DCAT.DataService)
    add_text(
        graph,
        service,
        DCTERMS.title,
        f"API truy vấn dữ liệu: {resource.name}",
        f"Records API: {resource.name}",
    )
    graph.add((service, DCAT.endpointURL, URIRef(urls.records(dataset.name, resource.id))))
    graph.add((service, DCAT.endpointDescription, URIRef(urls.openapi())))
    graph.add((service, DCTERMS.conformsTo, _standard(graph, OPENAPI_3_1, "OpenAPI 3.1")))
    graph.add((service, DCTERMS.publisher, publisher))
    email = dataset.contact_email or dataset.organization.email
    if email:
        add_contact(graph, service, dataset.organization.title, email)
    _serve(graph, service, [URIRef(urls.dataset_uri(dataset.id))])
    return service


def add_catalog_services(
    graph: Graph,
    catalog: URIRef,
    urls: SiteUrls,
    publisher: URIRef,
    contact: tuple[str, str],
    served: list[URIRef],
) -> None:
    """Add the CKAN-compatible Action API and the REST API as the catalog's services.

    ``contact`` is the (name, functional mailbox) of the body running the portal.
    """
    apis = (
        (
            urls.ckan_api(),
            CKAN_ACTION_API,
            _standard(graph, CKAN_ACTION_API, "CKAN Action API"),
            ("API tương thích CKAN", "CKAN-compatible Action API"),
        ),
        (
            urls.rest_api(),
            URIRef(urls.openapi()),
            _standard(graph, OPENAPI_3_1, "OpenAPI 3.1"),
            ("API REST", "REST API"),
        ),
    )
    name, email = contact
    for endpoint, description, standard, (title_vi, title_en) in apis:
        service = URIRef(endpoint)
        typed(graph, service, DCAT.DataService)
        add_text(graph, service, DCTERMS.title, title_vi, title_en)
        graph.add((service, DCAT.endpointURL, service))
        graph.add((service, DCAT.endpointDescription, description))
        graph.add((service, DCTERMS.conformsTo, standard))
        graph.add((service, DCTERMS.publisher, publisher))
        if email:
            add_contact(graph, service, name, email)
        _serve(graph, service, served)
        graph.add((catalog, DCAT.service, service))
