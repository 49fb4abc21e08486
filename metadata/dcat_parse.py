"""Read DCAT (any RDF serialization) back into plain records for the harvesters.

Real catalogs are rarely strictly conformant, so reading is lenient: literals where
IRIs are expected (and the reverse), the pre-W3C ``dcat:Download`` class, formats given
as blank nodes with ``rdf:value``, dates that are not ISO 8601 (dropped, not guessed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from metadata.rdf_input import load_rdf
from metadata.vocab import (
    ADMS,
    EU_FILE_TYPE,
    HYDRA,
    LOCN,
    SPDX,
    VCARD,
    frequency_from_uri,
    license_id_from_text,
    media_type_from_uri,
)

_PREFERRED_LANGUAGES = ("vi", "", "en")
# The pre-W3C DCAT draft typed distributions dcat:Download.
_LEGACY_DOWNLOAD = URIRef("http://www.w3.org/ns/dcat#Download")
_DCAT_DATASET_SERIES = URIRef("http://www.w3.org/ns/dcat#DatasetSeries")


@dataclass(frozen=True)
class RemoteDistribution:
    """A distribution as a remote catalog describes it."""

    uri: str | None  # None for a blank node
    title: str
    description: str
    access_url: str | None
    download_url: str | None
    media_type: str  # "text/csv", or "" when not given
    format: str  # "CSV" (EU file-type code or the source's label), or ""
    byte_size: int | None
    checksum: str | None  # hex digest
    checksum_algorithm: str | None  # "sha256", "sha1", ...
    license: str  # licence URI or label, "" when not given


@dataclass(frozen=True)
class RemoteDataset:
    """A dataset as a remote catalog describes it, ready for the harvest runner to map.

    Strings are "" and optional values None when the source leaves them out. Keywords,
    themes and distributions are sorted so that equal descriptions give equal records.
    """

    uri: str | None
    identifier: str
    title: str
    description: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]  # theme URIs (or labels when the source gives literals)
    publisher_name: str
    contact_email: str
    license: str  # licence URI or label
    license_id: str  # one of datasets.vocab.LICENSES when recognised, else ""
    issued: datetime | None
    modified: datetime | None
    landing_page: str | None
    frequency: str  # datasets.vocab.FREQUENCIES code, or ""
    temporal_start: date | None
    temporal_end: date | None
    spatial: str
    adms_status: str  # status URI or label, e.g. ".../distribution-status/COMPLETED"
    distributions: tuple[RemoteDistribution, ...]
    title_translations: dict[str, str] = field(default_factory=dict)
    description_translations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DcatPage:
    """The datasets of one DCAT document and, for a paged catalog, the next page's URL."""

    datasets: list[RemoteDataset]
    next_page: str | None
    total_items: int | None


def _text(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node).strip()
    return str(node).strip()


def _iri_or_text(node: Node | None) -> str | None:
    """Return the string of an IRI or a literal (sources write URLs as both), or None."""
    value = _text(node)
    return value or None


def _by_language(graph: Graph, subject: Node, prop: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in graph.objects(subject, prop):
        if isinstance(value, Literal) and str(value).strip():
            found.setdefault((value.language or "").lower(), str(value).strip())
    return found


def _preferred(translations: dict[str, str]) -> str:
    for language in _PREFERRED_LANGUAGES:
        if language in translations:
            return translations[language]
    return next(iter(sorted(translations.items())), ("", ""))[1]


def _first(graph: Graph, subject: Node, *props: URIRef) -> Node | None:
    for prop in props:
        for value in graph.objects(subject, prop):
            return value
    return None


def _label(graph: Graph, node: Node | None) -> str:
    """Return a name for a node: the literal itself, or the node's preferred label."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return _text(node)
    for prop in (
        FOAF.name,
        SKOS.prefLabel,
        VCARD.fn,
        RDFS.label,
        LOCN.geographicName,
        DCTERMS.title,
        RDF.value,
    ):
        labels = _by_language(graph, node, prop)
        if labels:
            return _preferred(labels)
    return "" if isinstance(node, BNode) else _text(node)


def _datetime(node: Node | None) -> datetime | None:
    """Return a timezone-aware datetime; a date is midnight UTC, a naive time is UTC."""
    if node is None:
        return None
    value = node.toPython() if isinstance(node, Literal) else None
    if isinstance(value, Literal) or value is None or isinstance(value, str):
        try:
            value = datetime.fromisoformat(_text(node))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _date(node: Node | None) -> date | None:
    moment = _datetime(node)
    return moment.date() if moment else None


def _email(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    for prop in (VCARD.hasEmail, FOAF.mbox):
        value = _first(graph, node, prop)
        if value is not None:
            return _strip_mailto(_text(value) if not isinstance(value, BNode) else "")
    return ""


def _strip_mailto(value: str) -> str:
    return value[7:] if value.lower().startswith("mailto:") else value


def _media_type_and_format(graph: Graph, dist: Node) -> tuple[str, str]:
    media_type = ""
    fmt = ""
    media = _first(graph, dist, DCAT.mediaType)
    if media is not None:
        media_type = media_type_from_uri(_label(graph, media) or _text(media))
    fmt_node = _first(graph, dist, DCTERMS.format)
    if isinstance(fmt_node, URIRef):
        value = str(fmt_node)
        fmt = value[len(str(EU_FILE_TYPE)) :] if value.startswith(str(EU_FILE_TYPE)) else value
        if "/" in fmt:
            as_media = media_type_from_uri(fmt)
            fmt = "" if as_media == fmt else as_media
    elif fmt_node is not None:
        fmt = _label(graph, fmt_node)
    # Older profiles put the media type in dct:format ("text/csv"); keep it as such too.
    if not media_type and "/" in fmt:
        media_type = fmt
    return media_type, fmt


def _checksum(graph: Graph, dist: Node) -> tuple[str | None, str | None]:
    node = _first(graph, dist, SPDX.checksum)
    if node is None:
        return None, None
    value = _text(_first(graph, node, SPDX.checksumValue)) or None
    algorithm = _text(_first(graph, node, SPDX.algorithm))
    name = algorithm.rsplit("checksumAlgorithm_", 1)[-1].lower() if algorithm else None
    return (value.lower() if value else None), name


def _byte_size(node: Node | None) -> int | None:
    try:
        size = int(float(_text(node))) if node is not None else None
    except ValueError:
        return None
    return size if size is None or size >= 0 else None


def _distribution(graph: Graph, dist: Node) -> RemoteDistribution:
    media_type, fmt = _media_type_and_format(graph, dist)
    checksum, algorithm = _checksum(graph, dist)
    titles = _by_language(graph, dist, DCTERMS.title) or _by_language(graph, dist, RDFS.label)
    return RemoteDistribution(
        uri=str(dist) if isinstance(dist, URIRef) else None,
        title=_preferred(titles),
        description=_preferred(_by_language(graph, dist, DCTERMS.description)),
        access_url=_iri_or_text(_first(graph, dist, DCAT.accessURL)),
        download_url=_iri_or_text(_first(graph, dist, DCAT.downloadURL)),
        media_type=media_type,
        format=fmt,
        byte_size=_byte_size(_first(graph, dist, DCAT.byteSize)),
        checksum=checksum,
        checksum_algorithm=algorithm,
        license=_license_text(graph, _first(graph, dist, DCTERMS.license)),
    )


def _license_text(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    return _text(node) if not isinstance(node, BNode) else _label(graph, node)


def _sorted_distributions(items: Iterable[RemoteDistribution]) -> tuple[RemoteDistribution, ...]:
    return tuple(sorted(items, key=lambda d: (d.uri or "", d.access_url or "", d.title)))


def _dataset(graph: Graph, node: Node) -> RemoteDataset:
    titles = _by_language(graph, node, DCTERMS.title) or _by_language(graph, node, RDFS.label)
    descriptions = _by_language(graph, node, DCTERMS.description)
    distributions = _sorted_distributions(
        _distribution(graph, dist) for dist in set(graph.objects(node, DCAT.distribution))
    )
    license_text = _license_text(graph, _first(graph, node, DCTERMS.license))
    if not license_text:
        license_text = next((d.license for d in distributions if d.license), "")
    contact = _first(graph, node, DCAT.contactPoint, ADMS.contactPoint)
    publisher = _first(graph, node, DCTERMS.publisher)
    period = _first(graph, node, DCTERMS.temporal)
    frequency = _first(graph, node, DCTERMS.accrualPeriodicity)
    themes = {
        _text(t) if not isinstance(t, BNode) else _label(graph, t)
        for t in graph.objects(node, DCAT.theme)
    }
    return RemoteDataset(
        uri=str(node) if isinstance(node, URIRef) else None,
        identifier=_text(_first(graph, node, DCTERMS.identifier))
        or (str(node) if isinstance(node, URIRef) else ""),
        title=_preferred(titles),
        description=_preferred(descriptions),
        keywords=tuple(sorted({_text(k) for k in graph.objects(node, DCAT.keyword)} - {""})),
        themes=tuple(sorted(themes - {""})),
        publisher_name=_label(graph, publisher),
        contact_email=_email(graph, contact) or _email(graph, publisher),
        license=license_text,
        license_id=license_id_from_text(license_text),
        issued=_datetime(_first(graph, node, DCTERMS.issued)),
        modified=_datetime(_first(graph, node, DCTERMS.modified)),
        landing_page=_iri_or_text(_first(graph, node, DCAT.landingPage, FOAF.homepage)),
        frequency=frequency_from_uri(_text(frequency)) if isinstance(frequency, URIRef) else "",
        temporal_start=_date(_first(graph, period, DCAT.startDate)) if period else None,
        temporal_end=_date(_first(graph, period, DCAT.endDate)) if period else None,
        spatial=_label(graph, _first(graph, node, DCTERMS.spatial)),
        adms_status=_text(_first(graph, node, ADMS.status)),
        distributions=distributions,
        title_translations={k: v for k, v in titles.items() if k},
        description_translations={k: v for k, v in descriptions.items() if k},
    )


def _dataset_nodes(graph: Graph) -> list[Node]:
    nodes: set[Node] = set(graph.subjects(RDF.type, DCAT.Dataset))
    nodes |= set(graph.subjects(RDF.type, _DCAT_DATASET_SERIES))
    nodes |= set(graph.objects(None, DCAT.dataset))
    return sorted(nodes, key=str)


def _next_page(graph: Graph) -> tuple[str | None, int | None]:
    next_url = _first_object(graph, (HYDRA.next, HYDRA.nextPage))
    total = _first_object(graph, (HYDRA.totalItems,))
    try:
        total_items = int(total) if total is not None else None
    except ValueError:
        total_items = None
    return next_url, total_items


def _first_object(graph: Graph, props: Sequence[URIRef]) -> str | None:
    for prop in props:
        for value in graph.objects(None, prop):
            return str(value)
    return None


def page_from_dcat(data: bytes, fmt: str | None, base_url: str | None) -> DcatPage:
    """Parse a DCAT document into its datasets and the Hydra link to the next page.

    ``fmt`` is any rdflib format name, extension or media type ("turtle", "rdf",
    "application/ld+json"); None guesses from the content. Nothing is fetched: RDF/XML
    declaring external entities and JSON-LD with remote contexts are refused. Raises
    MetadataParseError with a message naming the format and the problem.
    """
    graph = load_rdf(data, fmt, base_url)
    next_page, total_items = _next_page(graph)
    datasets = [_dataset(graph, node) for node in _dataset_nodes(graph)]
    return DcatPage(datasets=datasets, next_page=next_page, total_items=total_items)


def datasets_from_dcat(data: bytes, fmt: str | None, base_url: str | None) -> list[RemoteDataset]:
    """Parse a DCAT document into its datasets (see ``page_from_dcat`` for the rules)."""
    return page_from_dcat(data, fmt, base_url).datasets
