"""DCAT sources: any RDF serialization, paged with Hydra, read through ``metadata``.

Parsing goes through ``metadata.page_from_dcat`` only (its loader refuses external
entities and remote JSON-LD contexts); rdflib is never called directly here. A dataset
is identified by its URI, or by ``dct:identifier`` for a blank node; a stored harvest
object is matched by URI first, then by identifier, so a catalog that renames its URIs
but keeps identifiers updates the same local dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from harvesters.base import (
    ApprovalFacts,
    RemoteRecord,
    RemoteRef,
    RemoteResource,
    file_sha256,
    filename_for,
    scratch_file,
    tabular_format,
)
from harvesters.config import SourceConfig
from harvesters.errors import BadResponse
from harvesters.http import HarvestSession, auth_headers, download, get_bytes
from metadata import MetadataParseError, RemoteDataset, page_from_dcat

MAX_PAGES = 10_000


def _format_of(content_type: str) -> str | None:
    media = content_type.split(";", 1)[0].strip().lower()
    known = ("turtle", "rdf+xml", "ld+json", "n-triples", "n3", "trig", "n-quads")
    return media if any(k in media for k in known) else None


class DcatSource:
    """A DCAT catalog at a URL (Turtle, RDF/XML, JSON-LD, N-Triples ...)."""

    type = "dcat"
    # fetch only reads the listing and downloads through the guarded session (thread-safe)
    concurrent_fetch = True

    def __init__(
        self, url: str, config: SourceConfig, session: HarvestSession, secret: str | None = None
    ) -> None:
        self._url = url
        self._config = config
        self._session = session
        self._secret = secret
        self._datasets: dict[str, RemoteDataset] = {}

    def pages(self) -> Iterator[list[RemoteDataset]]:
        """Yield the datasets of each page, following ``hydra:next`` (loops refused)."""
        url: str | None = self._url
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            data, content_type = get_bytes(self._session, url, auth_headers(self._secret))
            try:
                page = page_from_dcat(data, _format_of(content_type), url)
            except MetadataParseError as exc:
                raise BadResponse(
                    f"the catalog cannot be read: {exc}", code="parse_error"
                ) from None
            yield page.datasets
            url = page.next_page

    def gather(self) -> Iterator[RemoteRef]:
        """Yield every dataset of every page."""
        for datasets in self.pages():
            for dataset in datasets:
                ref = ref_from_dataset(dataset)
                if ref is None:
                    continue
                self._datasets[ref.remote_id] = dataset
                yield ref

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Map the dataset and download its tabular distributions."""
        dataset = self._datasets.get(ref.remote_id)
        if dataset is None:
            raise BadResponse("the dataset is no longer in the catalog", code="gone")
        return record_from_dataset(dataset, ref, scratch, self._download)

    def _download(self, url: str, dest: Path) -> None:
        download(self._session, url, dest)


def ref_from_dataset(dataset: RemoteDataset) -> RemoteRef | None:
    """Return the reference of a parsed dataset (None when it has no URI nor identifier)."""
    remote_id = dataset.uri or dataset.identifier
    if not remote_id:
        return None
    return RemoteRef(
        remote_id=remote_id,
        stamp=dataset.modified.isoformat() if dataset.modified else "",
        org=dataset.publisher_name,
        url=dataset.landing_page or dataset.uri or "",
        facts=ApprovalFacts(tags=dataset.keywords, status=dataset.adms_status),
        alt_id=dataset.identifier if dataset.uri else "",
    )


def fields_of(dataset: RemoteDataset) -> dict[str, str]:
    """Return the metadata fields of a parsed dataset (sanitize decides what stays)."""
    return {
        "description": dataset.description,
        "title_en": dataset.title_translations.get("en", ""),
        "description_en": dataset.description_translations.get("en", ""),
        "license": dataset.license,
        "license_id": dataset.license_id,
        "contact_email": dataset.contact_email,
        "spatial": dataset.spatial,
        "frequency": dataset.frequency,
        "landing_page": dataset.landing_page or "",
    }


def record_from_dataset(
    dataset: RemoteDataset, ref: RemoteRef, scratch: Path, fetch_file: Callable[[str, Path], object]
) -> RemoteRecord:
    """Map a parsed dataset to a record; tabular distributions are downloaded."""
    resources = []
    for position, dist in enumerate(dataset.distributions):
        url = dist.download_url or dist.access_url or ""
        if not url.startswith(("http://", "https://")):
            continue
        kind = tabular_format(dist.format or dist.media_type, dist.download_url or "")
        name = dist.title or f"resource-{position + 1}"
        key = dist.uri or url
        if not kind or not dist.download_url:
            resources.append(
                RemoteResource(
                    key=key, name=name, description=dist.description, url=url, format=dist.format
                )
            )
            continue
        dest = scratch_file(scratch, kind)
        fetch_file(dist.download_url, dest)
        resources.append(
            RemoteResource(
                key=key,
                name=name,
                description=dist.description,
                url=url,
                format=kind.upper(),
                path=dest,
                sha256=file_sha256(dest),
                filename=filename_for(dist.download_url, kind),
            )
        )
    title = dataset.title or dataset.title_translations.get("en", "") or ref.remote_id
    return RemoteRecord(
        remote_id=ref.remote_id,
        stamp=ref.stamp,
        title=title,
        fields={k: v for k, v in fields_of(dataset).items() if v},
        tags=dataset.keywords,
        org=ref.org,
        url=ref.url,
        resources=tuple(resources),
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
    )


def approved_status(status: str, wanted: str) -> bool:
    """Return whether an ``adms:status`` (URI or label) means ``wanted`` (URI or label)."""
    if not wanted:
        return True

    def last(text: str) -> str:
        return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip().lower()

    return status == wanted or (bool(status) and last(status) == last(wanted))


def mapping_of(dataset: RemoteDataset) -> Mapping[str, str]:
    """Return the dataset's fields (for tests and the admin preview)."""
    return fields_of(dataset)
