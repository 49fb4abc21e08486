"""The metadata a publisher gives for a dataset, and its validation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from datasets.access import ACCESS_LEVELS
from datasets.places import MAX_UNITS, Coverage, place_catalogue, resolve_coverage
from datasets.vocab import DEFAULT_LICENSE_ID, FREQUENCIES, LICENSE_NOT_CHOSEN, LICENSES
from publishers import InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_TAGS = 30
MAX_EXTRAS = 50
MAX_EXTRA_KEY = 100
MAX_EXTRA_VALUE = 5_000
MAX_SPATIAL = 300  # coverage text that named no unit (the column's size)


@dataclass(frozen=True)
class DatasetMetadata:
    """Dataset metadata as entered (Vietnamese first, English second).

    Every field is declared once more in ``METADATA_FIELDS``, which says how each surface
    carries it; a field missing there is caught by ``tests/datasets/test_metadata_fields``.
    """

    title_vi: str
    title_en: str = ""
    description_vi: str = ""
    description_en: str = ""
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    license_id: str = DEFAULT_LICENSE_ID
    contact_email: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: str = ""
    frequency: str = ""
    # Units covered (``datasets.places`` keys, codes or names); ``clean_metadata`` resolves
    # them and any unit ``spatial`` names into keys, and keeps in ``spatial`` only the rest.
    spatial_units: tuple[str, ...] = ()
    # Who may read the data (``datasets.access.AccessLevel``) and how to get access.
    access_level: str = "public"
    access_instructions: str = ""
    # Free key/value pairs (CKAN ``extras``) beyond the fields above; None keeps the
    # stored ones (a surface without extras, such as the web form, leaves them alone).
    extras: dict[str, str] | None = None


FieldKind = Literal["translated", "text", "names", "date", "extras"]


@dataclass(frozen=True)
class MetadataField:
    """One field of ``DatasetMetadata`` (and the ``Revision`` column of the same name).

    ``kind`` says how surfaces read it: ``translated`` (a Vietnamese/English pair of a
    CKAN/REST ``*_translated`` object), ``text``, ``names`` (a list of strings), ``date``
    (ISO 8601), ``extras`` (free key/value pairs). ``ckan_extra``: carried in a CKAN
    package's ``extras`` list under its name. ``harvest_keys``: the keys of a harvested
    record's ``fields`` that carry it (the harvest allow-list is built from them).
    ``free_text``: personal values are redacted from harvested text.
    """

    name: str
    kind: FieldKind
    ckan_extra: bool = False
    harvest_keys: tuple[str, ...] = ()
    free_text: bool = False


# THE list of dataset metadata fields: editing, the harvest allow-list, CKAN package dicts
# and the forms are derived from it.
METADATA_FIELDS: tuple[MetadataField, ...] = (
    MetadataField("title_vi", "translated", free_text=True),  # harvested as the record title
    MetadataField("title_en", "translated", harvest_keys=("title_en",), free_text=True),
    MetadataField("description_vi", "translated", harvest_keys=("description",), free_text=True),
    MetadataField("description_en", "translated", harvest_keys=("description_en",), free_text=True),
    MetadataField("tags", "names"),  # harvested as the record's tags
    MetadataField("themes", "names"),  # CKAN groups; never harvested
    MetadataField("license_id", "text", harvest_keys=("license_id", "license")),
    MetadataField("contact_email", "text", ckan_extra=True, harvest_keys=("contact_email",)),
    # Dates are harvested as the record's period, not as text fields.
    MetadataField("temporal_start", "date", ckan_extra=True),
    MetadataField("temporal_end", "date", ckan_extra=True),
    MetadataField("spatial", "text", ckan_extra=True, harvest_keys=("spatial",), free_text=True),
    MetadataField("frequency", "text", ckan_extra=True, harvest_keys=("frequency",)),
    # CKAN and harvests carry units in ``spatial`` (as names); REST and the form as keys.
    MetadataField("spatial_units", "names"),
    # Access is decided by the portal's publisher, never taken from a harvested record.
    MetadataField("access_level", "text"),
    MetadataField("access_instructions", "text", free_text=True),
    MetadataField("extras", "extras"),  # CKAN clients' own extras; never harvested
)
METADATA_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in METADATA_FIELDS)
CKAN_EXTRA_FIELDS: tuple[MetadataField, ...] = tuple(f for f in METADATA_FIELDS if f.ckan_extra)


def metadata_values(meta: DatasetMetadata) -> dict[str, object]:
    """Return each declared field's value (lists for ``names``; as a ``Revision`` stores it)."""
    values: dict[str, object] = {}
    for spec in METADATA_FIELDS:
        value = getattr(meta, spec.name)
        if spec.kind == "names":
            value = list(value)
        elif spec.kind == "extras" and value is not None:
            value = dict(value)
        values[spec.name] = value
    return values


def _clean(text: str) -> str:
    # NFC so that decomposed tone marks from some sources compare and index correctly;
    # control characters (except newlines and tabs) never belong in metadata.
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def clean_metadata(meta: DatasetMetadata, known_themes: set[str]) -> DatasetMetadata:
    """Return normalized metadata; raise ``InvalidInput`` naming each bad field.

    HTML in any field is kept as text: every surface escapes it on output.
    """
    errors: dict[str, list[str]] = {}
    title = _clean(meta.title_vi)
    if not title:
        errors.setdefault("title_vi", []).append("required")
    for name, value, limit in (
        ("title_vi", title, MAX_TITLE),
        ("title_en", meta.title_en, MAX_TITLE),
        ("description_vi", meta.description_vi, MAX_DESCRIPTION),
        ("description_en", meta.description_en, MAX_DESCRIPTION),
    ):
        if len(value) > limit:
            errors.setdefault(name, []).append("too_long")
    if meta.license_id not in LICENSES and meta.license_id != LICENSE_NOT_CHOSEN:
        errors.setdefault("license_id", []).append("unknown_license")
    if meta.contact_email and not _EMAIL.match(meta.contact_email.strip()):
        errors.setdefault("contact_email", []).append("invalid_email")
    if meta.frequency and meta.frequency not in FREQUENCIES:
        errors.setdefault("frequency", []).append("unknown_frequency")
    access_level = meta.access_level or "public"  # a surface that does not send it
    if access_level not in ACCESS_LEVELS:
        errors.setdefault("access_level", []).append("unknown_access_level")
    if len(meta.access_instructions) > MAX_DESCRIPTION:
        errors.setdefault("access_instructions", []).append("too_long")
    if meta.temporal_start and meta.temporal_end and meta.temporal_start > meta.temporal_end:
        errors.setdefault("temporal_end", []).append("before_start")
    tags = tuple(dict.fromkeys(t for t in (_clean(tag)[:100] for tag in meta.tags) if t))
    if len(tags) > MAX_TAGS:
        errors.setdefault("tags", []).append("too_many")
    unknown = [t for t in meta.themes if t not in known_themes]
    if unknown:
        errors.setdefault("themes", []).append("unknown_theme")
    extras = _clean_extras(meta.extras, errors)
    coverage = _clean_coverage(meta, errors)
    if errors:
        raise InvalidInput("invalid metadata", errors)
    return DatasetMetadata(
        title_vi=title,
        title_en=_clean(meta.title_en),
        description_vi=_clean(meta.description_vi),
        description_en=_clean(meta.description_en),
        tags=tags,
        themes=tuple(dict.fromkeys(meta.themes)),
        license_id=meta.license_id,
        contact_email=meta.contact_email.strip(),
        temporal_start=meta.temporal_start,
        temporal_end=meta.temporal_end,
        spatial=coverage.text,
        spatial_units=coverage.keys,
        frequency=meta.frequency,
        access_level=access_level,
        access_instructions=_clean(meta.access_instructions),
        extras=extras,
    )


def _clean_coverage(meta: DatasetMetadata, errors: dict[str, list[str]]) -> Coverage:
    """Resolve the units and the coverage text (``datasets.places``); note what is wrong."""
    keys = tuple(_clean(k) for k in meta.spatial_units[: MAX_UNITS + 1])
    text = _clean(meta.spatial)
    if not keys and not text:
        return Coverage((), "")
    try:
        coverage = resolve_coverage(place_catalogue(), keys, text)
    except ValueError:
        errors.setdefault("spatial_units", []).append("unknown_place")
        return Coverage((), text)
    if len(meta.spatial_units) > MAX_UNITS or len(coverage.keys) > MAX_UNITS:
        errors.setdefault("spatial_units", []).append("too_many_places")
    if len(coverage.text) > MAX_SPATIAL:
        errors.setdefault("spatial", []).append("too_long")
    return coverage


def _clean_extras(
    extras: dict[str, str] | None, errors: dict[str, list[str]]
) -> dict[str, str] | None:
    """Return the extras cleaned (empty keys and values dropped); note what is wrong."""
    if extras is None:
        return None
    cleaned = {_clean(k): _clean(v) for k, v in extras.items()}
    cleaned = {k: v for k, v in cleaned.items() if k and v}
    if len(cleaned) > MAX_EXTRAS:
        errors.setdefault("extras", []).append("too_many")
    if any(len(k) > MAX_EXTRA_KEY or len(v) > MAX_EXTRA_VALUE for k, v in cleaned.items()):
        errors.setdefault("extras", []).append("too_long")
    if any(spec.name in cleaned for spec in CKAN_EXTRA_FIELDS):  # CKAN carries these as extras
        errors.setdefault("extras", []).append("reserved_key")
    return cleaned
