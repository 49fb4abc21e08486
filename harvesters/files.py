"""File sources: one CSV or XLSX at a URL, or a folder of them described by a sidecar.

A URL ending in ``.json`` is a sidecar describing a folder::

    {"datasets": [{"file": "benh-vien.csv", "title": "Bệnh viện", "description": "...",
                   "tags": ["y tế"], "modified": "2026-05-01", "approved": "yes"}]}

File names are relative to the sidecar's URL. Any other URL is a single table whose
title comes from its file name and whose stamp is its ``ETag`` or ``Last-Modified``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from datasets.metadata_input import METADATA_FIELDS
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
from harvesters.datajson import field_facts
from harvesters.errors import BadResponse, HarvestError
from harvesters.http import HarvestSession, auth_headers, download, get_bytes

# Keys a sidecar entry may give: the first harvest key of each metadata field.
_META_FIELDS = tuple(spec.harvest_keys[0] for spec in METADATA_FIELDS if spec.harvest_keys)


class FileSource:
    """A table at a URL, or a folder of tables with a metadata sidecar."""

    type = "file"

    def __init__(
        self, url: str, config: SourceConfig, session: HarvestSession, secret: str | None = None
    ) -> None:
        self._url = url
        self._config = config
        self._session = session
        self._secret = secret
        self._entries: dict[str, Mapping[str, Any]] = {}

    def gather(self) -> Iterator[RemoteRef]:
        """Yield the sidecar's files, or the single file."""
        if self._url.split("?", 1)[0].lower().endswith(".json"):
            yield from self._gather_sidecar()
            return
        stamp = ""
        try:
            response = self._session.head(self._url, headers=auth_headers(self._secret))
            if response.status_code < 400:
                stamp = response.headers.get("etag") or response.headers.get("last-modified", "")
        except HarvestError:
            raise
        name = filename_for(self._url, tabular_format("", self._url) or "csv")
        self._entries[self._url] = {"file": self._url, "title": Path(name).stem}
        yield RemoteRef(remote_id=self._url, stamp=stamp, url=self._url)

    def _gather_sidecar(self) -> Iterator[RemoteRef]:
        data, _type = get_bytes(self._session, self._url, auth_headers(self._secret))
        try:
            doc = json.loads(data)
        except ValueError:
            raise BadResponse("the sidecar is not JSON", code="parse_error") from None
        entries = doc.get("datasets") if isinstance(doc, dict) else None
        if not isinstance(entries, list):
            raise BadResponse("the sidecar has no 'datasets' list", code="parse_error")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                continue
            url = urljoin(self._url, entry["file"])
            self._entries[url] = entry
            tags = entry.get("tags")
            yield RemoteRef(
                remote_id=url,
                stamp=str(entry.get("modified") or ""),
                org=str(entry.get("organization") or ""),
                url=url,
                facts=ApprovalFacts(
                    tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                    fields=field_facts(entry),
                ),
            )

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Download the table and map its sidecar entry."""
        entry = self._entries.get(ref.remote_id, {})
        kind = tabular_format(str(entry.get("format") or ""), ref.remote_id) or "csv"
        dest = scratch_file(scratch, kind)
        same_site = ref.remote_id.startswith(self._url.rsplit("/", 1)[0] + "/")
        download(
            self._session, ref.remote_id, dest, auth_headers(self._secret) if same_site else {}
        )
        filename = filename_for(ref.remote_id, kind)
        tags = entry.get("tags")
        return RemoteRecord(
            remote_id=ref.remote_id,
            stamp=ref.stamp,
            title=str(entry.get("title") or Path(filename).stem),
            fields={k: str(entry[k]) for k in _META_FIELDS if isinstance(entry.get(k), str)},
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            org=ref.org,
            url=ref.url,
            resources=(
                RemoteResource(
                    key=filename,
                    name=str(entry.get("resource_name") or filename),
                    url=ref.remote_id,
                    format=kind.upper(),
                    path=dest,
                    sha256=file_sha256(dest),
                    filename=filename,
                ),
            ),
        )
