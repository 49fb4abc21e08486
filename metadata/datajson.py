"""DCAT-US 1.1 (Project Open Data ``data.json``, non-federal variant) out and in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from datasets.public import PublicDataset, PublicResource, PublicTheme
from metadata.access import data_json_access_level, data_json_rights, is_public, listed_resources
from metadata.coverage import coverage_text
from metadata.dcat import CatalogInfo
from metadata.dcat_parse import RemoteDataset, RemoteDistribution
from metadata.errors import MetadataParseError
from metadata.urls import SiteUrls, safe_link
from metadata.vocab import license_id_from_text

POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
POD_CONTEXT = f"{POD_SCHEMA}/catalog.jsonld"
POD_CATALOG_SCHEMA = f"{POD_SCHEMA}/catalog.json"

# datasets.vocab.FREQUENCIES code -> ISO 8601 repeating duration used by DCAT-US.
_ACCRUAL: dict[str, str] = {
    "CONT": "R/PT1S",
    "DAILY": "R/P1D",
    "WEEKLY": "R/P1W",
    "MONTHLY": "R/P1M",
    "QUARTERLY": "R/P3M",
    "ANNUAL": "R/P1Y",
    "IRREG": "irregular",
}
_ACCRUAL_CODES = {value: code for code, value in _ACCRUAL.items()}


def _media_type(resource: PublicResource) -> str:
    return resource.media_type.split(";", 1)[0].strip().lower()


def _distribution(
    dataset: PublicDataset, resource: PublicResource, urls: SiteUrls
) -> dict[str, Any]:
    entry: dict[str, Any] = {"@type": "dcat:Distribution", "title": resource.name}
    if resource.description.strip():
        entry["description"] = resource.description
    if resource.url:
        # A link may be a page rather than a file, so it is an access URL.
        entry["accessURL"] = urls.download_url(dataset.name, resource)
    else:
        entry["downloadURL"] = urls.download_url(dataset.name, resource)
    media_type = _media_type(resource)
    if media_type:
        entry["mediaType"] = media_type
    if resource.format:
        entry["format"] = resource.format
    if resource.is_tabular and resource.table_schema is not None:
        entry["describedBy"] = urls.datapackage(dataset.name)
        entry["describedByType"] = "application/json"
    return entry


def _dataset(
    dataset: PublicDataset, urls: SiteUrls, themes: Mapping[str, PublicTheme]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": dataset.title,
        "description": dataset.description,
        "keyword": list(dataset.tags),
        "modified": dataset.modified.astimezone(UTC).isoformat(),
        "issued": dataset.issued.astimezone(UTC).isoformat(),
        "publisher": {"@type": "org:Organization", "name": dataset.organization.title},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": dataset.organization.title,
            "hasEmail": f"mailto:{dataset.contact_email or dataset.organization.email}",
        },
        "identifier": urls.dataset_uri(dataset.id),
        "accessLevel": data_json_access_level(dataset),
        "landingPage": urls.landing_page(dataset.name),
        "language": ["vi", "en"] if dataset.title_en else ["vi"],
        "distribution": [_distribution(dataset, r, urls) for r in listed_resources(dataset)],
    }
    if not is_public(dataset):
        # Required by Project Open Data for "restricted public" and "non-public".
        entry["rights"] = data_json_rights(dataset)
    license_url = safe_link(dataset.license_url)
    if license_url:
        entry["license"] = license_url
    spatial = coverage_text(dataset.spatial_units, dataset.spatial)
    if spatial:
        entry["spatial"] = spatial
    if dataset.temporal_start and dataset.temporal_end:
        entry["temporal"] = (
            f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
        )
    if dataset.frequency in _ACCRUAL:
        entry["accrualPeriodicity"] = _ACCRUAL[dataset.frequency]
    theme_titles = [themes[name].title if name in themes else name for name in dataset.themes]
    if theme_titles:
        entry["theme"] = list(dict.fromkeys(theme_titles))
    if not entry["keyword"]:
        del entry["keyword"]
    return entry


def catalog_to_datajson(
    info: CatalogInfo,
    datasets: Sequence[PublicDataset],
    urls: SiteUrls,
    themes: Mapping[str, PublicTheme] | None = None,
) -> dict[str, Any]:
    """Return the ``/data.json`` document: DCAT-US 1.1, non-federal (no bureau/program codes).

    Dataset identifiers are the dataset URIs; ``themes`` (optional) gives theme titles,
    otherwise theme names are used. ``info`` is accepted for symmetry with the DCAT
    catalog; DCAT-US 1.1 has no catalog-level title or publisher.
    """
    del info  # DCAT-US 1.1 catalogs carry no catalog-level description.
    return {
        "@context": POD_CONTEXT,
        "@id": urls.data_json(),
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": POD_CATALOG_SCHEMA,
        "dataset": [_dataset(d, urls, themes or {}) for d in datasets],
    }


def _str(value: Any) -> str:
    """Return a JSON value as text: sources write numbers where strings belong."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _optional_url(value: Any) -> str | None:
    return _str(value) or None


def _parse_moment(value: Any) -> datetime | None:
    text = _str(value)
    if not text or text.startswith(("R/", "P")):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _temporal(value: Any) -> tuple[date | None, date | None]:
    start, _, end = _str(value).partition("/")
    first, last = _parse_moment(start), _parse_moment(end)
    return (first.date() if first else None), (last.date() if last else None)


def _remote_distribution(entry: Any) -> RemoteDistribution | None:
    if not isinstance(entry, dict):
        return None
    return RemoteDistribution(
        uri=None,
        title=_str(entry.get("title")),
        description=_str(entry.get("description")),
        access_url=_optional_url(entry.get("accessURL")),
        download_url=_optional_url(entry.get("downloadURL")),
        media_type=_str(entry.get("mediaType")),
        format=_str(entry.get("format")),
        byte_size=None,
        checksum=None,
        checksum_algorithm=None,
        license="",
    )


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(sorted({_str(item) for item in value} - {""}))


def _remote_dataset(entry: dict[str, Any]) -> RemoteDataset:
    publisher = entry.get("publisher")
    contact = entry.get("contactPoint")
    license_text = _str(entry.get("license"))
    start, end = _temporal(entry.get("temporal"))
    distributions = [_remote_distribution(d) for d in entry.get("distribution") or []]
    identifier = _str(entry.get("identifier"))
    return RemoteDataset(
        uri=identifier if identifier.startswith(("http://", "https://")) else None,
        identifier=identifier,
        title=_str(entry.get("title")),
        description=_str(entry.get("description")),
        keywords=_strings(entry.get("keyword")),
        themes=_strings(entry.get("theme")),
        publisher_name=_str(publisher.get("name")) if isinstance(publisher, dict) else "",
        contact_email=(
            _str(contact.get("hasEmail")).removeprefix("mailto:")
            if isinstance(contact, dict)
            else ""
        ),
        license=license_text,
        license_id=license_id_from_text(license_text),
        issued=_parse_moment(entry.get("issued")),
        modified=_parse_moment(entry.get("modified")),
        landing_page=_optional_url(entry.get("landingPage")),
        frequency=_ACCRUAL_CODES.get(_str(entry.get("accrualPeriodicity")), ""),
        temporal_start=start,
        temporal_end=end,
        spatial=_str(entry.get("spatial")),
        adms_status="",
        distributions=tuple(
            sorted(
                (d for d in distributions if d is not None),
                key=lambda d: (d.download_url or "", d.access_url or "", d.title),
            )
        ),
    )


def datasets_from_datajson(doc: Any) -> list[RemoteDataset]:
    """Read the datasets of a DCAT-US ``data.json`` document (already JSON-decoded).

    Lenient like the harvest sources it reads: a number where a string belongs becomes
    text, a missing field becomes "" or None, entries that are not objects are skipped.
    The harvest runner decides what an unusable record (no identifier or title) means.
    Raises MetadataParseError when ``doc`` is not a catalog object with a dataset list.
    """
    if not isinstance(doc, dict):
        raise MetadataParseError("data.json: the document is not a JSON object")
    datasets = doc.get("dataset")
    if not isinstance(datasets, list):
        raise MetadataParseError("data.json: no 'dataset' list in the catalog")
    return [_remote_dataset(entry) for entry in datasets if isinstance(entry, dict)]
