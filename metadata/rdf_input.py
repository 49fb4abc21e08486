"""Read untrusted RDF safely: any rdflib format, no network, no external entities."""

from __future__ import annotations

import json
import warnings
import xml.parsers.expat
from typing import Any

from rdflib import Dataset, Graph

from metadata.errors import MetadataParseError
from metadata.jsonld_contexts import inline_contexts

# Names (rdflib names, extensions and media types) -> rdflib parser name.
_FORMAT_ALIASES: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "xml": "xml",
    "rdf": "xml",
    "rdf/xml": "xml",
    "application/rdf+xml": "xml",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "application/ld+json": "json-ld",
    "nt": "nt",
    "nt11": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/n-triples": "nt",
    "n3": "n3",
    "text/n3": "n3",
    "trig": "trig",
    "application/trig": "trig",
    "nquads": "nquads",
    "nq": "nquads",
    "application/n-quads": "nquads",
    "trix": "trix",
    "application/trix": "trix",
    "hext": "hext",
}
_XML_FORMATS = frozenset({"xml", "trix"})
_QUAD_FORMATS = frozenset({"trig", "nquads", "trix"})
# rdflib 7.6's own parsers (JSON-LD, TriG, N3, HexT) build a ConjunctiveGraph or call
# Dataset.default_context internally and so warn about their own deprecated API; the
# warning is not about our code and cannot be avoided by calling rdflib differently.
_RDFLIB_INTERNAL_DEPRECATIONS = r"(ConjunctiveGraph|Dataset\.default_context) is deprecated"
_MAX_MESSAGE = 300


def rdf_format_name(fmt: str) -> str:
    """Return the rdflib parser name for ``fmt`` (a name, extension or media type).

    Raises MetadataParseError for a format rdflib cannot read.
    """
    key = fmt.split(";", 1)[0].strip().lower()
    if key not in _FORMAT_ALIASES:
        known = ", ".join(sorted(set(_FORMAT_ALIASES.values())))
        raise MetadataParseError(f"unsupported RDF format {fmt!r}; use one of: {known}")
    return _FORMAT_ALIASES[key]


def guess_rdf_format(data: bytes) -> str:
    """Guess the rdflib format of ``data`` from its first characters."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith((b"<?xml", b"<!doctype", b"<!--", b"<rdf:", b"<trix")):
        return "trix" if b"<trix" in head else "xml"
    # Turtle's parser also reads N-Triples.
    return "turtle"


def _refuse_xml_entities(data: bytes, label: str) -> None:
    """Refuse XML declaring an external DTD or external entities (XXE).

    A separate expat pass sees the declarations before rdflib's parser does; internal
    entities (namespace abbreviations, common in RDF/XML) stay allowed, and expat's
    amplification limit guards against entity expansion bombs.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def on_doctype(_name: str, system_id: str | None, public_id: str | None, _int: int) -> None:
        if system_id or public_id:
            raise MetadataParseError(f"{label}: external DTD refused (XML external entity)")

    def on_entity(
        name: str,
        _is_param: int,
        _value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        _notation: str | None,
    ) -> None:
        if system_id or public_id:
            raise MetadataParseError(
                f"{label}: external entity {name!r} refused (XML external entity)"
            )

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise MetadataParseError(f"{label}: not well-formed XML: {exc}") from None


def _remote_contexts(node: Any) -> bool:
    """Tell whether a JSON-LD document still refers to a context by URL (rdflib would fetch it)."""
    if isinstance(node, list):
        return any(_remote_contexts(item) for item in node)
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key == "@context" and _context_is_remote(value):
            return True
        if _remote_contexts(value):
            return True
    return False


def _context_is_remote(context: Any) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(_context_is_remote(item) for item in context)
    return isinstance(context, dict) and "@import" in context


def _local_json_ld(data: bytes, label: str) -> bytes:
    """Return the document with well-known contexts inlined; refuse any other remote one."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MetadataParseError(f"{label}: not valid JSON: {_short(exc)}") from None
    inlined = inline_contexts(document, label)
    if _remote_contexts(inlined):  # never reached: inline_contexts refuses them first
        raise MetadataParseError(f"{label}: remote JSON-LD contexts are not fetched")
    return json.dumps(inlined, ensure_ascii=False).encode("utf-8")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def load_rdf(data: bytes, fmt: str | None, base_url: str | None) -> Graph:
    """Parse ``data`` into a graph without touching the network or the file system.

    ``fmt`` is an rdflib name, extension or media type; None guesses from the content.
    Relative IRIs resolve against ``base_url``. Raises MetadataParseError naming the
    format and the problem for broken syntax, unknown formats, XML declaring external
    entities and JSON-LD pointing at remote contexts other than the bundled well-known
    ones (``metadata.jsonld_contexts``), which are resolved locally.
    """
    name = rdf_format_name(fmt) if fmt else guess_rdf_format(data)
    label = f"{name} document"
    if not data.strip():
        raise MetadataParseError(f"{label}: empty document")
    if name in _XML_FORMATS:
        _refuse_xml_entities(data, label)
    elif name == "json-ld":
        data = _local_json_ld(data, label)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=_RDFLIB_INTERNAL_DEPRECATIONS, category=DeprecationWarning
            )
            return _parse(data, name, base_url)
    except MetadataParseError:
        raise
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise MetadataParseError(f"{label}: {_short(exc)}") from None


def _parse(data: bytes, name: str, base_url: str | None) -> Graph:
    if name not in _QUAD_FORMATS:
        return Graph().parse(data=data, format=name, publicID=base_url)
    # Quad formats name graphs; a catalog is read as the union of all of them.
    dataset = Dataset()
    dataset.parse(data=data, format=name, publicID=base_url)
    graph = Graph()
    for subject, predicate, obj, _context in dataset.quads((None, None, None, None)):
        graph.add((subject, predicate, obj))
    return graph
