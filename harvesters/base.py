"""What every harvest source gives the runner (STYLE §6).

A source lists its datasets (``gather``: remote id, modification stamp and the facts the
approval filter needs) and fetches one (``fetch``: metadata and resource files). Fetched
files are written to a scratch folder the runner owns and removes; nothing a source
returns has been stored anywhere yet: ``sanitize.strip`` runs before any of it is.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

SOURCE_TYPES = ("ckan", "dcat", "datajson", "file", "sql")


@dataclass(frozen=True)
class ApprovalFacts:
    """What a source says about a dataset's approval: tags, plain fields, a status."""

    tags: tuple[str, ...] = ()
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    status: str = ""


@dataclass(frozen=True)
class RemoteRef:
    """A dataset as the source lists it (cheap: no resource is downloaded)."""

    remote_id: str
    stamp: str  # the source's modification stamp; "" when it has none
    org: str = ""  # the remote organization's name, "" when the source has none
    url: str = ""  # where a person can see the remote dataset
    facts: ApprovalFacts = field(default_factory=ApprovalFacts)
    alt_id: str = ""  # a second identity to match stored objects by (DCAT dct:identifier)


@dataclass(frozen=True)
class RemoteResource:
    """One resource of a fetched dataset: a downloaded file (``path``) or a link."""

    key: str  # stable within the dataset (remote resource id, URL or file name)
    name: str
    description: str = ""
    url: str = ""
    format: str = ""
    path: Path | None = None  # downloaded into the runner's scratch folder
    sha256: str = ""  # of the downloaded bytes
    filename: str = ""


@dataclass(frozen=True)
class RemoteRecord:
    """A fetched dataset: metadata fields as the source names them, and resources.

    ``fields`` holds every metadata value the source gave; ``sanitize.strip`` keeps only
    the allow-listed ones, so an unknown or personal field never reaches storage.
    """

    remote_id: str
    stamp: str
    title: str
    fields: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    org: str = ""
    url: str = ""
    resources: tuple[RemoteResource, ...] = ()
    temporal_start: date | None = None
    temporal_end: date | None = None
    # Set by the source when a steward must look first (SQL columns that look like secrets).
    hold_reason: str = ""


class HarvestSource(Protocol):
    """A remote catalog or system the portal pulls approved datasets from."""

    type: str

    def gather(self) -> Iterator[RemoteRef]:
        """Yield every dataset the source exposes (approved or not; the runner filters).

        Raises a ``HarvestError`` when the listing cannot be read: the job then fails as
        a whole and withdraws nothing.
        """
        ...

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        """Return the dataset's metadata with its resource files downloaded into ``scratch``.

        Raises a ``HarvestError`` (``transient`` when worth retrying).
        """
        ...


def tabular_format(fmt: str, url: str) -> str:
    """Return "csv" or "xlsx" when a resource looks tabular by format or URL, else ""."""
    text = fmt.strip().lower()
    path = url.lower().split("?", 1)[0]
    if text in ("csv", "text/csv", "tsv") or path.endswith((".csv", ".tsv")):
        return "csv"
    if text in ("xlsx", "xls", "excel") or path.endswith(".xlsx") or "spreadsheetml" in text:
        return "xlsx"
    return ""


def scratch_file(scratch: Path, kind: str) -> Path:
    """Return a new empty file in the runner's scratch folder."""
    handle, name = tempfile.mkstemp(dir=scratch, suffix=f".{kind}")
    os.close(handle)
    return Path(name)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def filename_for(url: str, kind: str) -> str:
    """Return a file name for a downloaded table: the URL's last segment with the right suffix."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or f"data.{kind}"
    if not name.lower().endswith(f".{kind}"):
        name = f"{Path(name).stem or 'data'}.{kind}"
    return name
