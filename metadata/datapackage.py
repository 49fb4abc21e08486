"""Frictionless Data Package descriptors (``/dataset/<name>/datapackage.json``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from datasets.public import PublicDataset, PublicResource
from datasets.vocab import find_license
from metadata.access import access_conditions, is_public, listed_resources
from metadata.urls import SiteUrls, safe_link

_NAME_JUNK = re.compile(r"[^a-z0-9._-]+")


def frictionless_name(text: str, fallback: str) -> str:
    """Return a valid Frictionless name (lower case ``[a-z0-9._-]``) for ``text``.

    Vietnamese is folded (``đường`` -> ``duong``); ``fallback`` is used when nothing
    is left.
    """
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    name = _NAME_JUNK.sub("-", ascii_text).strip("-._")
    return name or fallback


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}-{counter}", counter + 1
    taken.add(candidate)
    return candidate


def _resource(
    dataset: PublicDataset, resource: PublicResource, urls: SiteUrls, name: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "title": resource.name,
        "path": urls.download_url(dataset.name, resource),
    }
    if resource.format:
        entry["format"] = resource.format.lower()
    media_type = resource.media_type.split(";", 1)[0].strip().lower()
    if media_type:
        entry["mediatype"] = media_type
    if resource.description.strip():
        entry["description"] = resource.description
    if resource.size is not None:
        entry["bytes"] = resource.size
    if resource.sha256:
        entry["hash"] = f"sha256:{resource.sha256}"
    if resource.is_tabular:
        # Published tabular files are normalized to UTF-8 (SPEC §3, upload flow).
        entry["profile"] = "tabular-data-resource"
        entry["encoding"] = "utf-8"
        if resource.table_schema is not None:
            entry["schema"] = resource.table_schema
    return entry


def _licenses(dataset: PublicDataset) -> list[dict[str, str]]:
    lic = find_license(dataset.license_id)
    path = safe_link(lic.url if lic else dataset.license_url)
    if lic is None and path is None:
        return []
    entry = {
        "name": frictionless_name(dataset.license_id, "license"),
        "title": lic.title if lic else dataset.license_title,
    }
    if path:
        entry["path"] = path
    return [entry]


def dataset_to_datapackage(dataset: PublicDataset, urls: SiteUrls) -> dict[str, Any]:
    """Return the Data Package descriptor of a dataset.

    Each resource's ``path`` is its public download URL (a linked resource keeps its
    remote URL), with ``bytes`` and ``hash`` ("sha256:<hex>") of the published file and
    the Table Schema of tabular resources. Resource names are unique Frictionless names.

    ``access_level`` (a custom property) says who may read the data; a dataset that is not
    public has no resources in its catalog record, so its descriptor lists none and adds
    ``access_conditions`` (what the level means and how to get access).
    """
    taken: set[str] = set()
    resources = []
    for index, resource in enumerate(listed_resources(dataset), start=1):
        stem = resource.filename.rsplit(".", 1)[0] if resource.filename else resource.name
        name = _unique(frictionless_name(stem, f"resource-{index}"), taken)
        resources.append(_resource(dataset, resource, urls, name))
    descriptor: dict[str, Any] = {
        "profile": "data-package",
        "name": frictionless_name(dataset.name, "dataset"),
        "id": urls.dataset_uri(dataset.id),
        "title": dataset.title,
        "description": dataset.description,
        "homepage": urls.landing_page(dataset.name),
        "created": dataset.created.isoformat(),
        "keywords": list(dataset.tags),
        "licenses": _licenses(dataset),
        "contributors": [
            {
                "title": dataset.organization.title,
                "role": "publisher",
                "path": urls.organization_page(dataset.organization.name),
                **({"email": dataset.contact_email} if dataset.contact_email else {}),
            }
        ],
        "resources": resources,
        "access_level": dataset.access_level,
    }
    if not is_public(dataset):
        descriptor["access_conditions"] = access_conditions(dataset)
    if dataset.provenance is not None:
        source = {"title": dataset.provenance.source_name}
        remote = safe_link(dataset.provenance.remote_url)
        if remote:
            source["path"] = remote
        descriptor["sources"] = [source]
    return descriptor
