"""The single public projection of a dataset.

Pages, downloads, both APIs, DCAT, data.json, schema.org and search documents are built
from these values only. A field left out of them cannot leak; a dataset that is not
published (or is withdrawn) has no public view at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class PublicOrganization:
    """An organization (a city department) as the public sees it."""

    id: str
    name: str
    title: str  # Vietnamese
    title_en: str
    description: str
    email: str  # the functional mailbox, never a person's own
    homepage: str


@dataclass(frozen=True)
class PublicResource:
    """One published resource (a distribution) in its current public version."""

    id: str
    name: str
    description: str
    format: str  # upper-case: "CSV", "XLSX", "PDF", ...
    media_type: str  # IANA media type of the published file
    filename: str  # the published file's name, used in the download path
    size: int | None  # bytes of the published file; None for a link
    sha256: str | None  # hex digest of the published file; None for a link
    url: str | None  # the remote URL of a linked resource, None for an upload
    is_tabular: bool
    table_schema: dict[str, Any] | None  # Frictionless Table Schema of the published table
    row_count: int | None
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class Provenance:
    """Where a harvested dataset came from."""

    source_name: str
    source_type: str
    remote_id: str
    remote_url: str
    harvested_at: datetime


@dataclass(frozen=True)
class PublicDataset:
    """A published dataset as every public surface shows it."""

    id: str
    name: str
    title: str  # Vietnamese
    title_en: str
    description: str  # Vietnamese, plain text or light Markdown
    description_en: str
    organization: PublicOrganization
    tags: tuple[str, ...]
    themes: tuple[str, ...]  # theme names (slugs), see ``PublicTheme``
    license_id: str
    license_title: str
    license_url: str
    contact_email: str  # functional address
    temporal_start: date | None
    temporal_end: date | None
    spatial: str  # place name, e.g. "Thành phố Hồ Chí Minh"
    frequency: str  # code of datasets.vocab.FREQUENCIES ("MONTHLY"), "" when unknown
    created: datetime
    modified: datetime
    issued: datetime  # first publication
    resources: tuple[PublicResource, ...]
    provenance: Provenance | None = None
    downloads: int = 0
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicTheme:
    """A theme (a CKAN group) with its EU data-theme code (e.g. "TRAN")."""

    name: str
    title: str
    title_en: str
    eu_theme: str
