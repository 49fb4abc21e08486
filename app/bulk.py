"""The bulk archive of the public data (issue 23): every public table and the catalog.

One ZIP file holds:

- ``catalog/catalog.ttl``, ``catalog/catalog.rdf`` (DCAT-AP, the whole catalog in one
  graph) and ``catalog/data.json``, built by the same ``metadata`` calls the portal's
  ``/catalog.*`` and ``/data.json`` serve;
- ``datasets/<name>/datapackage.json`` and the published (stripped) CSV of each table of
  every published dataset at the ``public`` access level, whose descriptor's ``path``
  points at the CSV beside it. Datasets at any other level carry no resources in their
  public record (``datasets.public``), so none of their rows can get in;
- ``SHA256SUMS``: the SHA-256 of every other member (``sha256sum -c`` reads it).

It is written to a scratch file, within ``bulk_max_mb`` and ``bulk_max_seconds`` (a build
past either stops with ``ArchiveTooLarge``/``ArchiveTooSlow`` and leaves nothing), then put
in the public store and listed (``datasets.bulk_archives``: the atomic switch). It runs as
the ``bulk_archive`` job, queued nightly by a periodic task of the job process, or at once by
``opendata bulk build``. Nothing here imports Flask.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from datasets.bulk_archives import ArchiveInfo, BulkArchives
from datasets.public import PublicCatalog, PublicDataset
from datasets.storage import BlobStore
from metadata import (
    CatalogInfo,
    SiteUrls,
    catalog_to_datajson,
    catalog_to_graph,
    dataset_to_datapackage,
    serialize_graph,
)

log = logging.getLogger(__name__)
JOB_BULK_ARCHIVE = "bulk_archive"
CHUNK = 1024 * 1024


class ArchiveStopped(Exception):
    """The build went past one of its bounds; nothing was listed."""

    code = "bulk_archive_stopped"


@dataclass
class _Budget:
    max_bytes: int
    deadline: float
    written: int = 0

    def spend(self, size: int) -> None:
        self.written += size
        if self.written > self.max_bytes:
            raise ArchiveStopped(f"the archive would be larger than {self.max_bytes} bytes")
        if time.monotonic() > self.deadline:
            raise ArchiveStopped("the archive took longer than its time limit")


def describe_catalog(catalog: PublicCatalog[Any, Any], site_url: str) -> CatalogInfo:
    """Describe the portal's catalog (the same words ``/catalog.ttl`` and ``/data.json`` use)."""
    _count, first, last = catalog.stamp()
    now = datetime.now(UTC)
    return CatalogInfo(
        title="Dữ liệu mở Thành phố Hồ Chí Minh",
        title_en="Ho Chi Minh City Open Data",
        description="Danh mục dữ liệu mở do các sở, ngành Thành phố Hồ Chí Minh công bố.",
        description_en="Open datasets published by the departments of Ho Chi Minh City.",
        publisher_name="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        publisher_name_en="Ho Chi Minh City People's Committee",
        publisher_email="opendata@tphcm.gov.vn.example",
        homepage=site_url,
        issued=first or now,
        modified=last or now,
    )


class _Writer:
    """Members of the ZIP, each hashed as it is written and counted against the budget."""

    def __init__(self, archive: zipfile.ZipFile, budget: _Budget) -> None:
        self.archive = archive
        self.budget = budget
        self.sums: list[tuple[str, str]] = []

    def add_bytes(self, name: str, data: bytes) -> None:
        self.budget.spend(len(data))
        self.archive.writestr(name, data)
        self.sums.append((hashlib.sha256(data).hexdigest(), name))

    def add_stream(self, name: str, source: IO[bytes]) -> None:
        digest = hashlib.sha256()
        with self.archive.open(name, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                self.budget.spend(len(chunk))
                digest.update(chunk)
                out.write(chunk)
        self.sums.append((digest.hexdigest(), name))


def _public(catalog: PublicCatalog[Any, Any]) -> Iterator[PublicDataset]:
    for view in catalog.iter_all():
        if view.access_level == "public":
            yield view


def _add_dataset(writer: _Writer, view: PublicDataset, store: BlobStore, urls: SiteUrls) -> int:
    """Add one public dataset's tables and descriptor; return the number of tables."""
    folder = f"datasets/{view.name}"
    local: dict[str, str] = {}
    for resource in view.resources:
        if not resource.is_tabular or resource.sha256 is None or resource.url:
            continue
        member = f"{folder}/{resource.id}-{resource.filename}"
        with store.open(resource.sha256) as source:
            writer.add_stream(member, source)
        local[urls.download_url(view.name, resource)] = member.removeprefix(folder + "/")
    descriptor = dataset_to_datapackage(view, urls)
    for entry in descriptor.get("resources", []):
        if entry.get("path") in local:
            entry["path"] = local[entry["path"]]
    writer.add_bytes(f"{folder}/datapackage.json", _json(descriptor))
    return len(local)


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def write_archive(
    target: Path,
    catalog: PublicCatalog[Any, Any],
    store: BlobStore,
    site_url: str,
    budget: _Budget,
) -> tuple[int, int]:
    """Write the archive to ``target``; return (datasets, tables). Raise ``ArchiveStopped``."""
    urls = SiteUrls(site_url)
    themes = {t.name: t for t in catalog.themes()}
    info = describe_catalog(catalog, site_url)
    datasets = tables = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        writer = _Writer(archive, budget)
        views = list(catalog.iter_all())
        graph = catalog_to_graph(info, views, urls, themes)
        writer.add_bytes("catalog/catalog.ttl", serialize_graph(graph, "ttl"))
        writer.add_bytes("catalog/catalog.rdf", serialize_graph(graph, "rdf"))
        writer.add_bytes("catalog/data.json", _json(catalog_to_datajson(info, views, urls, themes)))
        del graph, views
        for view in _public(catalog):
            tables += _add_dataset(writer, view, store, urls)
            datasets += 1
        sums = "".join(f"{digest}  {name}\n" for digest, name in writer.sums)
        archive.writestr("SHA256SUMS", sums)
    return datasets, tables


def build_archive(
    catalog: PublicCatalog[Any, Any],
    store: BlobStore,
    archives: BulkArchives,
    *,
    site_url: str,
    scratch: Path,
    max_bytes: int,
    max_seconds: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ArchiveInfo:
    """Build a new archive and list it; the previous ones stay served until then.

    Raises ``ArchiveStopped`` (bounds) or the store's errors; a failed build lists nothing
    and removes its scratch file.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / f"bulk-{time.time_ns()}.zip.part"
    budget = _Budget(max_bytes, time.monotonic() + max_seconds)
    try:
        datasets, tables = write_archive(target, catalog, store, site_url, budget)
        filename = f"opendata-{clock():%Y-%m-%d}.zip"
        info = archives.publish(target, filename, datasets, tables)
    finally:
        target.unlink(missing_ok=True)
    log.info("bulk archive %s: %d datasets, %d tables", info.filename, datasets, tables)
    return info
