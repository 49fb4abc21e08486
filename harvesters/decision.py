"""What happens to one stripped record: its metadata, its licence, and whether it is held.

``plan_import`` is the one decision a real run and a dry run share (``Importer.plan``
reads the stored dataset, then calls it): the real run imports what it decided, the dry
run reports it. Neither decides anything about a record on its own, so a dry run predicts
"created, held: licence_not_offered" exactly where the real run holds the dataset.

Licence rules (README "Harvesting"):

- a licence the portal offers, however the source names it (``datasets.licence_map``),
  is stored as the portal's id;
- a licence the portal recognises but does not offer (CC BY-NC, CC BY 3.0...) holds the
  dataset for a steward, naming the source licence; ``default_license`` never replaces it;
- a licence the portal does not recognise holds the dataset the same way;
- no licence (or a "no licence stated" marker): the source's ``default_license`` when it
  has one, else the dataset is held.

A held dataset is imported and submitted but not approved, as for undecided personal data.
Until a steward chooses, it keeps the licence stored locally (an update), else the portal's
default for new datasets: it is not public, and the held reason names the source licence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from datasets import FREQUENCIES, DatasetMetadata
from datasets.licence_map import recognise_licence, states_no_licence
from datasets.metadata_input import clean_metadata
from datasets.vocab import LICENSE_NOT_CHOSEN
from harvesters.base import RemoteRecord
from harvesters.sanitize import StrippedRecord

MAX_TITLE = 300
# Reason codes of a held dataset (the words are in app/templates/admin/_harvest.html).
LICENCE_NOT_OFFERED = "licence_not_offered"
LICENCE_UNRECOGNISED = "licence_unrecognised"
LICENCE_MISSING = "licence_missing"


class ImportRefused(Exception):
    """The record cannot be imported as it is (``code`` says why)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Hold:
    """Why a dataset waits for a steward: a reason code and its detail (never data values)."""

    reason: str
    detail: str = ""


@dataclass(frozen=True)
class LicenceDecision:
    """The portal licence to store ("" when none was decided) and the hold, if any."""

    license_id: str
    hold: Hold | None = None


def decide_licence(fields: Mapping[str, str], default_license: str) -> LicenceDecision:
    """Apply the licence rules to a record's ``license_id``/``license`` fields."""
    stated = [
        value
        for key in ("license_id", "license")
        if not states_no_licence(value := fields.get(key, "").strip())
    ]
    if not stated:
        if default_license:
            return LicenceDecision(default_license)
        return LicenceDecision("", Hold(LICENCE_MISSING))
    found = [(value, recognise_licence(value)) for value in stated]
    for _value, licence in found:
        if licence is not None and licence.portal_id:
            return LicenceDecision(licence.portal_id)
    for value, licence in found:
        if licence is not None:
            named = licence.name if licence.name == value else f"{licence.name} ({value[:200]})"
            return LicenceDecision("", Hold(LICENCE_NOT_OFFERED, named))
    return LicenceDecision("", Hold(LICENCE_UNRECOGNISED, stated[-1][:200]))


@dataclass(frozen=True)
class ImportPlan:
    """What importing a record will do: the metadata stored and the hold, if any."""

    meta: DatasetMetadata
    hold: Hold | None
    keep_local_licence: bool  # no licence decided: an update keeps the stored one

    @property
    def held(self) -> bool:
        """Whether the dataset waits for a steward."""
        return self.hold is not None


def metadata_for(record: RemoteRecord, license_id: str) -> DatasetMetadata:
    """Map a stripped record to the portal's dataset metadata."""
    fields = record.fields
    frequency = fields.get("frequency", "")
    return DatasetMetadata(
        title_vi=record.title.strip()[:MAX_TITLE] or record.remote_id[:MAX_TITLE],
        title_en=fields.get("title_en", "")[:MAX_TITLE],
        description_vi=fields.get("description", "")[:20_000],
        description_en=fields.get("description_en", "")[:20_000],
        tags=tuple(t[:100] for t in record.tags if t.strip())[:30],
        license_id=license_id,
        contact_email=fields.get("contact_email", ""),
        temporal_start=record.temporal_start,
        temporal_end=(
            record.temporal_end
            if not (record.temporal_start and record.temporal_end)
            or record.temporal_start <= record.temporal_end
            else None
        ),
        spatial=fields.get("spatial", "")[:300],
        frequency=frequency if frequency in FREQUENCIES else "",
    )


def plan_import(
    stripped: StrippedRecord,
    default_license: str,
    require_review: bool,
    stored_license: str | None = None,
) -> ImportPlan:
    """Decide the import of ``stripped``; raise ``ImportRefused`` when it cannot be imported.

    ``stored_license`` is the licence of the local dataset an update lands on (None: new).
    The metadata is checked here as the editor will check it, so an invalid record is
    refused in a dry run as in a real one.
    """
    record = stripped.record
    if not record.resources:
        # Submission needs a resource: refuse before creating a draft nobody asked for.
        raise ImportRefused("submission_blocked", "no_resources")
    licence = decide_licence(record.fields, default_license)
    # Held for its licence: a steward chooses one when approving (never a default).
    license_id = licence.license_id or stored_license or LICENSE_NOT_CHOSEN
    meta = clean_metadata(metadata_for(record, license_id), set())
    return ImportPlan(
        meta, hold_for(stripped, licence.hold, require_review), not licence.license_id
    )


def hold_for(stripped: StrippedRecord, licence: Hold | None, require_review: bool) -> Hold | None:
    """Return why the dataset waits for a steward (the first reason that applies), or None."""
    if stripped.record.hold_reason:
        return Hold(stripped.record.hold_reason)
    undecided = sorted(
        f"{f.column} ({f.kind})" for found in stripped.undecided.values() for f in found
    )
    if licence is not None:
        if undecided:  # both need the steward: the personal data is named too
            extra = "undecided_personal_data: " + ", ".join(undecided)
            return Hold(licence.reason, f"{licence.detail}; {extra}" if licence.detail else extra)
        return licence
    if undecided:
        return Hold("undecided_personal_data: " + ", ".join(undecided))
    if require_review:
        return Hold("review_required")
    return None
