"""schema.org ``Dataset`` JSON-LD for dataset pages (Google Dataset Search)."""

from __future__ import annotations

import json
from typing import Any

from datasets.public import PublicDataset, PublicOrganization
from metadata.access import access_conditions, is_public, listed_resources
from metadata.coverage import CoveredPlace, coverage_text, covered_places
from metadata.urls import SiteUrls, safe_link

# Google Dataset Search: the description must be 50 to 5,000 characters.
DESCRIPTION_MIN = 50
DESCRIPTION_MAX = 5000


def _organization(org: PublicOrganization, urls: SiteUrls) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "@type": "Organization",
        "@id": urls.organization_uri(org.id),
        "name": org.title,
        "url": safe_link(org.homepage) or urls.organization_page(org.name),
    }
    if org.title_en:
        entry["alternateName"] = org.title_en
    if org.email:
        entry["contactPoint"] = {
            "@type": "ContactPoint",
            "contactType": "customer support",
            "email": org.email,
        }
    return entry


def _trim(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def schemaorg_description(dataset: PublicDataset) -> str:
    """Return a description of 50 to 5,000 characters built only from the dataset's metadata.

    The Vietnamese description comes first; when it is too short, the English one, then
    who publishes it, where and what it is called are added (true statements, no filler).
    """
    parts = [dataset.description.strip()]
    spatial = coverage_text(dataset.spatial_units, dataset.spatial)
    extras = [
        dataset.description_en.strip(),
        f"Dữ liệu do {dataset.organization.title} công bố"
        + (f" ({dataset.organization.title_en})." if dataset.organization.title_en else "."),
        f"Phạm vi: {spatial}."
        if (spatial := coverage_text(dataset.spatial_units, dataset.spatial))
        else "",
        f"{dataset.title} — {dataset.title_en}." if dataset.title_en else f"{dataset.title}.",
    ]
    text = "\n\n".join(p for p in parts if p)
    for extra in extras:
        if len(text) >= DESCRIPTION_MIN:
            break
        if extra and extra not in text:
            text = f"{text}\n\n{extra}" if text else extra
    return _trim(text, DESCRIPTION_MAX)


def _temporal_coverage(dataset: PublicDataset) -> str | None:
    start, end = dataset.temporal_start, dataset.temporal_end
    if start is None and end is None:
        return None
    # ISO 8601 interval; ".." marks an open end, as schema.org documents.
    return f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"


def _place(covered: CoveredPlace) -> dict[str, Any]:
    """A ``Place``; a unit gets its URI, code and ``geo``: its box when known, else a point."""
    place: dict[str, Any] = {"@type": "Place", "name": covered.name}
    if covered.uri is None:
        return place
    place["@id"] = covered.uri
    place["identifier"] = covered.code
    if covered.bbox is not None:
        south, west, north, east = covered.bbox
        place["geo"] = {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}
    elif covered.latitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": covered.latitude,
            "longitude": covered.longitude,
        }
    return place


def _spatial_coverage(dataset: PublicDataset, site_url: str) -> Any:
    """One ``Place``, or a list when the dataset covers several, or None."""
    places = [_place(p) for p in covered_places(dataset.spatial_units, dataset.spatial, site_url)]
    if not places:
        return None
    return places[0] if len(places) == 1 else places


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _variables_measured(dataset: PublicDataset) -> list[dict[str, Any]]:
    """One ``PropertyValue`` per column of the published tables' Table Schemas.

    ``description`` is the field's description, else its title; ``unitText`` its ``unit``
    (or ``unitText``) property when the schema gives one. A column name that several tables
    share is listed once.
    """
    variables: dict[str, dict[str, Any]] = {}
    for resource in listed_resources(dataset):
        schema = resource.table_schema if resource.is_tabular else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        for field in fields if isinstance(fields, list) else ():
            name = _text(field.get("name")) if isinstance(field, dict) else ""
            if not name or name in variables:
                continue
            entry: dict[str, Any] = {"@type": "PropertyValue", "name": name}
            description = _text(field.get("description")) or _text(field.get("title"))
            if description and description != name:
                entry["description"] = description
            unit = _text(field.get("unit")) or _text(field.get("unitText"))
            if unit:
                entry["unitText"] = unit
            variables[name] = entry
    return list(variables.values())


def dataset_to_schemaorg(dataset: PublicDataset, urls: SiteUrls) -> dict[str, Any]:
    """Return the schema.org ``Dataset`` JSON-LD of a dataset page.

    Carries what Google Dataset Search requires or recommends: name, a 50-5,000
    character description, url, identifier, keywords, license, creator, publisher,
    temporalCoverage and spatialCoverage (when the dataset states them; with ``geo`` for a
    known place), variableMeasured (the columns of the published tables' Table Schemas),
    and each distribution with encodingFormat and contentUrl. A dataset that is not public is not
    ``isAccessibleForFree``, has ``conditionsOfAccess`` and an empty distribution list.
    """
    publisher = _organization(dataset.organization, urls)
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": urls.dataset_uri(dataset.id),
        "name": dataset.title,
        "description": schemaorg_description(dataset),
        "url": urls.landing_page(dataset.name),
        "identifier": [urls.dataset_uri(dataset.id), dataset.id],
        "keywords": list(dataset.tags),
        "inLanguage": ["vi", "en"] if dataset.title_en else ["vi"],
        "isAccessibleForFree": is_public(dataset),
        "creator": publisher,
        "publisher": publisher,
        "dateCreated": dataset.created.isoformat(),
        "datePublished": dataset.issued.isoformat(),
        "dateModified": dataset.modified.isoformat(),
        "includedInDataCatalog": {"@type": "DataCatalog", "url": urls.catalog()},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": resource.name,
                # A link of unknown type has no encodingFormat rather than a made-up one.
                **(
                    {"encodingFormat": resource.media_type or resource.format}
                    if resource.media_type or resource.format
                    else {}
                ),
                "contentUrl": urls.download_url(dataset.name, resource),
                **({"contentSize": f"{resource.size} B"} if resource.size is not None else {}),
                **({"sha256": resource.sha256} if resource.sha256 else {}),
            }
            for resource in listed_resources(dataset)
        ],
    }
    if not is_public(dataset):
        doc["conditionsOfAccess"] = access_conditions(dataset)
    if dataset.title_en:
        doc["alternateName"] = dataset.title_en
    license_url = safe_link(dataset.license_url)
    if license_url:
        doc["license"] = license_url
    coverage = _temporal_coverage(dataset)
    if coverage:
        doc["temporalCoverage"] = coverage
    spatial = _spatial_coverage(dataset, urls.site_url)
    if spatial is not None:
        doc["spatialCoverage"] = spatial
    variables = _variables_measured(dataset)
    if variables:
        doc["variableMeasured"] = variables
    return doc


def schemaorg_script_json(doc: dict[str, Any]) -> str:
    """Serialize JSON-LD for a ``<script type="application/ld+json">`` element.

    ``<``, ``>`` and ``&`` are escaped as ``\\u003c`` etc., so no metadata value (which
    may contain ``</script>``) can end the element early; JSON parsers read it unchanged.
    """
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
