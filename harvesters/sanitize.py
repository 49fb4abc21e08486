"""Strip sensitive data from a fetched record before anything is stored (STYLE §6).

Metadata is kept by allow-list: only the fields of ``ALLOWED_FIELDS`` survive, free text
has personal values (phone numbers, e-mail addresses, ID numbers) redacted, and a contact
address is kept only when it is *functional*: the target organization's own mailbox, or a role
mailbox (``info@``, ``opendata@``, ``lienhe@`` ...). A person's address (``nguyen.van.a@``)
is dropped and the public contact falls back to the organization's mailbox. Fields such
as ``author_email``, ``maintainer_phone`` or ``internal_notes`` are never in the list, so
they are dropped whatever the source calls them.

Tables are converted to UTF-8 CSV, scanned with ``datasets.personal`` and stripped by the
source's policy laid over the organization's stored defaults. A finding that policy does
not decide is *dropped* from the stored file and the dataset is held for a steward's
review (the privacy fail-safe of SPEC §3): the raw column is stored nowhere, and nothing
undecided is published automatically.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from datasets.ingest import IngestError, detect_format, normalize_to_csv
from datasets.metadata_input import METADATA_FIELDS
from datasets.personal import (
    Action,
    ColumnDecision,
    Finding,
    MalformedTable,
    Policy,
    apply_actions,
    decide,
    redact_text,
    scan_csv,
)
from harvesters.base import RemoteRecord, RemoteResource, tabular_format
from harvesters.errors import BadResponse

# Metadata fields a harvested dataset may keep; every other field is dropped. They are the
# harvest keys of the dataset metadata fields (``datasets.metadata_input.METADATA_FIELDS``)
# and the record's landing page and language.
ALLOWED_FIELDS = frozenset(
    {key for spec in METADATA_FIELDS for key in spec.harvest_keys} | {"landing_page", "language"}
)
_FREE_TEXT = frozenset(
    key for spec in METADATA_FIELDS if spec.free_text for key in spec.harvest_keys
)
# Local parts of role mailboxes: they reach a function, not a person.
ROLE_MAILBOXES = frozenset(
    {
        "info",
        "contact",
        "lienhe",
        "opendata",
        "open-data",
        "data",
        "dulieu",
        "dulieumo",
        "support",
        "hotro",
        "helpdesk",
        "office",
        "vanphong",
        "vanthu",
        "admin",
        "webmaster",
        "press",
        "media",
        "feedback",
        "gopy",
    }
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_functional_address(address: str, organization_mailbox: str) -> bool:
    """Return whether ``address`` reaches a function (role or organization), not a person."""
    address = address.strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(address):
        return False
    if organization_mailbox and address == organization_mailbox.strip().lower():
        return True
    local = address.split("@", 1)[0]
    return local in ROLE_MAILBOXES or local.split("+", 1)[0] in ROLE_MAILBOXES


def strip_metadata(record: RemoteRecord, organization_mailbox: str) -> RemoteRecord:
    """Return ``record`` with only allow-listed fields, free text redacted, contact checked."""
    kept: dict[str, str] = {}
    for key, value in record.fields.items():
        if key not in ALLOWED_FIELDS or not value:
            continue
        kept[key] = redact_text(value) if key in _FREE_TEXT else value.strip()
    contact = kept.pop("contact_email", "")
    if contact and is_functional_address(contact, organization_mailbox):
        kept["contact_email"] = contact.strip().lower().removeprefix("mailto:")
    return replace(
        record,
        title=redact_text(record.title),
        fields=kept,
        tags=tuple(redact_text(tag) for tag in record.tags),
        resources=tuple(
            replace(r, name=redact_text(r.name), description=redact_text(r.description))
            for r in record.resources
        ),
    )


@dataclass(frozen=True)
class TableStrip:
    """The outcome of stripping one table: what was found, decided and held."""

    findings: tuple[Finding, ...]
    decisions: tuple[ColumnDecision, ...]
    undecided: tuple[Finding, ...]  # dropped from the stored file; the dataset is held


def strip_table(
    source: Path, out: Path, policy: Policy, hash_key: bytes, filename: str
) -> TableStrip:
    """Write the stripped UTF-8 CSV of the table in ``source`` to ``out``.

    Raises ``BadResponse`` when the file is not a readable table.
    """
    normalized = out.with_suffix(".normalized.csv")
    try:
        detected = detect_format(source, filename)
        if not detected.is_tabular:
            raise BadResponse("the resource is not a table", code="not_a_table")
        normalize_to_csv(source, detected, normalized)
        findings = scan_csv(normalized)
        decisions, undecided = decide(findings, policy)
        held = [ColumnDecision(f.column, f.kind, Action.DROP, "") for f in undecided]
        apply_actions(normalized, out, [*decisions, *held], findings, hash_key=hash_key)
    except IngestError as exc:
        raise BadResponse("the resource is not a readable table", code=exc.code) from None
    except MalformedTable as exc:
        # Cells beyond the header belong to no column: no policy can decide them.
        raise BadResponse(str(exc), code="malformed_table") from None
    finally:
        normalized.unlink(missing_ok=True)
    return TableStrip(tuple(findings), tuple(decisions), tuple(undecided))


@dataclass(frozen=True)
class StrippedRecord:
    """A record ready to store: metadata stripped, tables stripped, files hashed."""

    record: RemoteRecord
    undecided: Mapping[str, tuple[Finding, ...]]  # resource key -> findings held for review
    content_hash: str
    # resource key -> the decisions of the source's policy already applied to its table
    applied: Mapping[str, tuple[ColumnDecision, ...]] = field(default_factory=dict)


def strip(
    record: RemoteRecord,
    policy: Policy,
    *,
    hash_key: bytes,
    organization_mailbox: str,
    policy_fingerprint: str,
    keep_raw: bool = False,
) -> StrippedRecord:
    """Strip ``record`` (metadata by allow-list, tables by ``policy``); nothing is stored.

    Each downloaded table is replaced by its stripped CSV (the raw file is deleted at
    once, or with ``keep_raw`` by the caller's ``remove_raw_files`` once the result is
    in: a worker process may die before its result comes back, and the retry needs the
    file); other downloaded files are kept as they are. The content hash covers the
    metadata as fetched, the raw file digests and the policy, so any change to one of
    them makes the next run import again.
    """
    digest = hashlib.sha256()
    digest.update(policy_fingerprint.encode())
    digest.update(repr(sorted(record.fields.items())).encode())
    digest.update(repr((record.title, record.tags, record.org)).encode())
    clean = strip_metadata(record, organization_mailbox)
    resources: list[RemoteResource] = []
    undecided: dict[str, tuple[Finding, ...]] = {}
    applied: dict[str, tuple[ColumnDecision, ...]] = {}
    for resource in clean.resources:
        digest.update(repr((resource.key, resource.name, resource.url, resource.sha256)).encode())
        if resource.path is None or not tabular_format(resource.format, resource.filename):
            resources.append(resource)
            continue
        out = resource.path.with_name(resource.path.name + ".stripped.csv")
        try:
            result = strip_table(resource.path, out, policy, hash_key, resource.filename)
        finally:
            if not keep_raw:
                resource.path.unlink(missing_ok=True)  # the raw file never outlives this step
        if result.undecided:
            undecided[resource.key] = result.undecided
        if result.decisions:
            applied[resource.key] = result.decisions
        stem = Path(resource.filename or "data").stem or "data"
        resources.append(replace(resource, path=out, filename=f"{stem}.csv", format="CSV"))
    return StrippedRecord(
        record=replace(clean, resources=tuple(resources)),
        undecided=undecided,
        content_hash=digest.hexdigest(),
        applied=applied,
    )


def remove_raw_files(fetched: RemoteRecord, stripped: RemoteRecord | None) -> None:
    """Delete the downloaded tables that ``strip(keep_raw=True)`` replaced (all on failure)."""
    kept = {r.path for r in stripped.resources} if stripped is not None else set()
    remove_files([r for r in fetched.resources if r.path not in kept])


def remove_files(resources: Sequence[RemoteResource]) -> None:
    """Delete the scratch files of ``resources`` (after import, or on failure)."""
    for resource in resources:
        if resource.path is not None:
            resource.path.unlink(missing_ok=True)


def copy_file(source: Path, dest: Path) -> None:
    """Copy a scratch file (used by sources reading local folders)."""
    shutil.copyfile(source, dest)
