"""RDF serializations: names, media types, serialization and content negotiation."""

from __future__ import annotations

from rdflib import Graph

from metadata.errors import UnsupportedFormat
from metadata.vocab import ADMS, DCATAP, HYDRA, LOCN, SPDX

# File extension -> (rdflib format name, media type). The web layer routes
# ``/catalog.<ext>`` and ``/dataset/<name>.<ext>`` with these keys.
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
}

# Media types a client may ask for -> extension; aliases seen in the wild included.
_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
}
# Preference among RDF types when the client weighs them equally.
_PREFERENCE = ("ttl", "jsonld", "rdf", "nt")
_HTML_TYPES = ("text/html", "application/xhtml+xml")

# Prefixes bound in every graph we serialize, so Turtle and JSON-LD stay readable.
PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcatap": str(DCATAP),
    "adms": str(ADMS),
    "spdx": str(SPDX),
    "hydra": str(HYDRA),
    "locn": str(LOCN),
}


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def rdflib_format(fmt: str) -> str:
    """Return the rdflib format name for an extension or rdflib name of ``RDF_FORMATS``.

    Raises UnsupportedFormat for anything else.
    """
    if fmt in RDF_FORMATS:
        return RDF_FORMATS[fmt][0]
    for rdflib_name, _media_type in RDF_FORMATS.values():
        if fmt == rdflib_name:
            return rdflib_name
    known = ", ".join(sorted(RDF_FORMATS))
    raise UnsupportedFormat(f"unsupported RDF format {fmt!r}; use one of: {known}")


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """Serialize ``graph`` as UTF-8 bytes in ``fmt``.

    ``fmt`` is a key of ``RDF_FORMATS`` ("ttl") or an rdflib name ("turtle", "xml",
    "json-ld", "nt"). JSON-LD is compacted with the project's prefixes as an inline
    context, so reading it back never fetches a remote context. Raises UnsupportedFormat.
    """
    name = rdflib_format(fmt)
    if name == "json-ld":
        return graph.serialize(format="json-ld", context=dict(PREFIXES), encoding="utf-8")
    return graph.serialize(format=name, encoding="utf-8")


def _parse_accept(accept_header: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for item in accept_header.split(","):
        parts = [p.strip() for p in item.split(";")]
        media_range = parts[0].lower()
        if not media_range:
            continue
        quality = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media_range, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """Return the quality the client gives ``media_type`` (the most specific range wins)."""
    kind = media_type.split("/", 1)[0]
    best: tuple[int, float] = (-1, 0.0)
    for media_range, quality in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1]


def negotiate_rdf_format(accept_header: str | None) -> str | None:
    """Return the ``RDF_FORMATS`` key an ``Accept`` header asks for, or None for HTML.

    None means "serve the HTML page": no header, no RDF type acceptable, or HTML weighed
    at least as high as the best RDF type (browsers send ``text/html`` and ``*/*``).
    """
    if not accept_header:
        return None
    ranges = _parse_accept(accept_header)
    html = max(_quality(t, ranges) for t in _HTML_TYPES)
    best_ext: str | None = None
    best_quality = 0.0
    for ext in _PREFERENCE:
        aliases = [mt for mt, e in _MEDIA_TYPES.items() if e == ext]
        # Only an explicit RDF media range selects RDF; */* alone means "anything", i.e. HTML.
        explicit = [q for mt in aliases for r, q in ranges if r == mt]
        if not explicit:
            continue
        quality = max(explicit)
        if quality > best_quality:
            best_ext, best_quality = ext, quality
    if best_ext is None or best_quality <= html:
        return None
    return best_ext
