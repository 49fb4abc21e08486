"""Well-known JSON-LD contexts, bundled with the package and resolved without the network.

Real DCAT catalogs often name their context by URL (SEMIC's DCAT-AP contexts, the Project
Open Data ``catalog.jsonld`` of data.json files). rdflib would fetch such a URL; a harvest
must never do that, so ``inline_contexts`` replaces each known URL with the bundled copy
(``metadata/contexts/``, sources and licences in its README) and refuses any other URL with
a clear error before rdflib sees the document.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from metadata.errors import MetadataParseError

_SEMIC = "semiceu.github.io/DCAT-AP/releases"
# URL (without scheme) -> bundled file in metadata/contexts/.
_KNOWN: dict[str, str] = {
    f"{_SEMIC}/3.0.0/context/dcat-ap.jsonld": "dcat-ap-3.0.0.jsonld",
    f"{_SEMIC}/3.0.1/context/dcat-ap.jsonld": "dcat-ap-3.0.1.jsonld",
    "project-open-data.cio.gov/v1.1/schema/catalog.jsonld": "pod-v1.1-catalog.jsonld",
}
# Contexts nested deeper than this are refused: a document cannot make the resolver loop.
_MAX_DEPTH = 64


def known_context_urls() -> tuple[str, ...]:
    """Return the context URLs resolved locally (https form)."""
    return tuple(f"https://{key}" for key in sorted(_KNOWN))


def _key(url: str) -> str:
    text = url.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            return text[len(scheme) :]
    return text


@cache
def _bundled(filename: str) -> Any:
    text = resources.files("metadata").joinpath("contexts", filename).read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def bundled_context(url: str) -> Any | None:
    """Return the bundled ``@context`` value of a well-known context URL, or None."""
    filename = _KNOWN.get(_key(url))
    return None if filename is None else json.loads(json.dumps(_bundled(filename)))


def _resolve(context: Any, label: str) -> Any:
    if isinstance(context, str):
        found = bundled_context(context)
        if found is None:
            raise MetadataParseError(
                f"{label}: the remote JSON-LD context {context[:200]!r} is not one the portal "
                "knows, and remote contexts are never fetched; inline the context or use one of: "
                + ", ".join(known_context_urls())
            )
        return found
    if isinstance(context, list):
        return [_resolve(item, label) for item in context]
    if isinstance(context, dict) and "@import" in context:
        imported = _resolve(context["@import"], label)
        if not isinstance(imported, dict):
            raise MetadataParseError(f"{label}: @import must name a single context")
        local = {key: value for key, value in context.items() if key != "@import"}
        return {**imported, **local}  # the local definitions override the imported ones
    return context


def inline_contexts(node: Any, label: str, depth: int = 0) -> Any:
    """Return ``node`` with every ``@context`` URL replaced by its bundled copy.

    Raises MetadataParseError naming the URL for a context that is not bundled.
    """
    if depth > _MAX_DEPTH:
        raise MetadataParseError(f"{label}: JSON nested more than {_MAX_DEPTH} levels")
    if isinstance(node, list):
        return [inline_contexts(item, label, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            result[key] = inline_contexts(_resolve(value, label), label, depth + 1)
        else:
            result[key] = inline_contexts(value, label, depth + 1)
    return result
