"""data.json sources (DCAT-US 1.1), read through ``metadata.datasets_from_datajson``.

The approval filter can test any top-level field of a dataset entry
(``approval_extra: "accessLevel=public"``) and its keywords (``approval_tag``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from harvesters.base import ApprovalFacts, RemoteRecord, RemoteRef
from harvesters.config import SourceConfig
from harvesters.dcat import record_from_dataset
from harvesters.errors import BadResponse
from harvesters.http import HarvestSession, auth_headers, download, get_bytes
from metadata import MetadataParseError, RemoteDataset, datasets_from_datajson


def field_facts(entry: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Return a dataset entry's plain fields as text tuples (lists become several values)."""
    facts: dict[str, tuple[str, ...]] = {}
    for key, value in entry.items():
        values = value if isinstance(value, list) else [value]
        texts = tuple(
            (str(v).lower() if isinstance(v, bool) else str(v))
            for v in values
            if isinstance(v, str | int | float | bool)
        )
        if texts:
            facts[str(key)] = texts
    return facts


class DataJsonSource:
    """A DCAT-US ``data.json`` catalog at a URL."""

    type = "datajson"
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

    def gather(self) -> Iterator[RemoteRef]:
        """Read the catalog; yield one reference per dataset with an identifier."""
        data, _type = get_bytes(self._session, self._url, auth_headers(self._secret))
        try:
            doc = json.loads(data)
            datasets = datasets_from_datajson(doc)
        except (ValueError, MetadataParseError) as exc:
            raise BadResponse(f"the data.json cannot be read: {exc}", code="parse_error") from None
        entries = [e for e in doc.get("dataset", []) if isinstance(e, dict)]
        for dataset, entry in zip(datasets, entries, strict=True):
            if not dataset.identifier:
                continue
            self._datasets[dataset.identifier] = dataset
            yield RemoteRef(
                remote_id=dataset.identifier,
                stamp=dataset.modified.isoformat() if dataset.modified else "",
                org=dataset.publisher_name,
                url=dataset.landing_page or "",
                facts=ApprovalFacts(tags=dataset.keywords, fields=field_facts(entry)),
            )

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Map the dataset and download its tabular distributions."""
        dataset = self._datasets.get(ref.remote_id)
        if dataset is None:
            raise BadResponse("the dataset is no longer in the catalog", code="gone")
        return record_from_dataset(dataset, ref, scratch, self._download)

    def _download(self, url: str, dest: Path) -> None:
        download(self._session, url, dest)
