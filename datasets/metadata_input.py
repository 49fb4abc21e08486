"""The metadata a publisher gives for a dataset, and its validation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from datasets.vocab import FREQUENCIES, LICENSES
from publishers import InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_TAGS = 30


@dataclass(frozen=True)
class DatasetMetadata:
    """Dataset metadata as entered (Vietnamese first, English second)."""

    title_vi: str
    title_en: str = ""
    description_vi: str = ""
    description_en: str = ""
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    license_id: str = "cc-by-4.0"
    contact_email: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: str = ""
    frequency: str = ""
    extras: dict[str, str] = field(default_factory=dict)


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
    if meta.license_id not in LICENSES:
        errors.setdefault("license_id", []).append("unknown_license")
    if meta.contact_email and not _EMAIL.match(meta.contact_email.strip()):
        errors.setdefault("contact_email", []).append("invalid_email")
    if meta.frequency and meta.frequency not in FREQUENCIES:
        errors.setdefault("frequency", []).append("unknown_frequency")
    if meta.temporal_start and meta.temporal_end and meta.temporal_start > meta.temporal_end:
        errors.setdefault("temporal_end", []).append("before_start")
    tags = tuple(dict.fromkeys(t for t in (_clean(tag)[:100] for tag in meta.tags) if t))
    if len(tags) > MAX_TAGS:
        errors.setdefault("tags", []).append("too_many")
    unknown = [t for t in meta.themes if t not in known_themes]
    if unknown:
        errors.setdefault("themes", []).append("unknown_theme")
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
        spatial=_clean(meta.spatial),
        frequency=meta.frequency,
        extras=dict(meta.extras),
    )
