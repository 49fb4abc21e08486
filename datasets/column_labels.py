"""Column titles and descriptions in Vietnamese and English (issue 21).

A Table Schema field keeps its Vietnamese title and description in the standard ``title``
and ``description`` properties (Vietnamese is the portal's first language) and the English
ones in the extension properties ``title_en`` and ``description_en`` (Table Schema allows
custom properties on a field; Frictionless keeps and validates them as such). The raw
``name`` stays the machine key everywhere: files, the datastore, API keys.

``label`` picks a field's title for a reader's language and never answers an empty one:
English falls back to the Vietnamese title, and both fall back to the raw name.
``carry_labels`` copies the titles of an earlier schema onto a newly inferred one, column by
column, for the columns whose names match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from datasets.model import ResourceVersion

TITLE_EN = "title_en"
DESCRIPTION_EN = "description_en"
LABEL_KEYS = ("title", "description", TITLE_EN, DESCRIPTION_EN)

_SEPARATORS = re.compile(r"[_\s]+")


@dataclass(frozen=True)
class ColumnLabel:
    """One column as a reader sees it: the raw name, its title and its description."""

    name: str
    title: str
    description: str = ""

    @property
    def titled(self) -> bool:
        """True when the title says more than the raw name."""
        return self.title != self.name


def humanise(name: str) -> str:
    """Return a plain title proposed from a column header (``cap_cuu_24h`` → ``Cap cuu 24h``).

    Underscores and runs of spaces become one space and the first letter is capitalised;
    accents cannot be guessed, so a header written without them stays without them.
    """
    text = _SEPARATORS.sub(" ", name).strip()
    return text[:1].upper() + text[1:] if text else name


def label(field: Mapping[str, Any], language: str) -> ColumnLabel:
    """Return ``field``'s title and description in ``language`` ("vi" or "en")."""
    name = str(field.get("name", ""))
    title = _text(field.get("title"))
    description = _text(field.get("description"))
    if language == "en":
        title = _text(field.get(TITLE_EN)) or title
        description = _text(field.get(DESCRIPTION_EN)) or description
    return ColumnLabel(name=name, title=title or name, description=description)


def labels(schema: Mapping[str, Any] | None, language: str) -> dict[str, ColumnLabel]:
    """Return ``{column name: ColumnLabel}`` for every field of ``schema`` (None: none)."""
    out = {}
    for field in (schema or {}).get("fields", []) or []:
        if isinstance(field, Mapping) and field.get("name"):
            found = label(field, language)
            out[found.name] = found
    return out


def field_texts(schema: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Return each field's name, type, and title and description in both languages.

    The shape the APIs answer: ``{"name", "type", "title": {"vi", "en"},
    "description": {"vi", "en"}}``; titles fall back as ``label`` does (never empty).
    """
    out = []
    for field in (schema or {}).get("fields", []) or []:
        if not isinstance(field, Mapping) or not field.get("name"):
            continue
        vi, en = label(field, "vi"), label(field, "en")
        out.append(
            {
                "name": vi.name,
                "type": str(field.get("type", "any")),
                "title": {"vi": vi.title, "en": en.title},
                "description": {"vi": vi.description, "en": en.description},
            }
        )
    return out


def carry_labels(
    schema: Mapping[str, Any], earlier: Iterable[Mapping[str, Any] | None]
) -> dict[str, Any]:
    """Return ``schema`` with the titles and descriptions of ``earlier`` schemas filled in.

    For each field without its own, the first earlier schema holding a field of the same
    name gives it (earlier schemas in order of preference). Nothing else changes.
    """
    known: dict[str, dict[str, str]] = {}
    for old in earlier:
        for field in (old or {}).get("fields", []) or []:
            if not isinstance(field, Mapping):
                continue
            kept = known.setdefault(str(field.get("name", "")), {})
            for key in LABEL_KEYS:
                value = _text(field.get(key))
                if value and key not in kept:
                    kept[key] = value
    fields = []
    for field in schema.get("fields", []) or []:
        carried = {
            k: v for k, v in known.get(str(field.get("name", "")), {}).items() if not field.get(k)
        }
        fields.append({**field, **carried})
    return {**schema, "fields": fields}


def earlier_schemas(version: ResourceVersion) -> list[dict[str, Any] | None]:
    """The schemas whose titles a newly inferred schema of ``version`` keeps, best first.

    The version's own public and agency schemas (still there when its original is read
    again with another encoding or sheet), then the schemas of the resource's other
    versions, newest first (a replacement upload of the same resource).
    """
    found: list[dict[str, Any] | None] = [version.public_schema, version.agency_schema]
    session = object_session(version)
    if session is None or version.resource_id is None:
        return found
    others = session.scalars(
        select(ResourceVersion.table_schema)
        .where(
            ResourceVersion.resource_id == version.resource_id,
            ResourceVersion.id != version.id,
            ResourceVersion.table_schema.is_not(None),
        )
        .order_by(ResourceVersion.created.desc())
        .limit(5)
    )
    return [*found, *others]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


__all__ = [
    "DESCRIPTION_EN",
    "LABEL_KEYS",
    "TITLE_EN",
    "ColumnLabel",
    "carry_labels",
    "earlier_schemas",
    "field_texts",
    "humanise",
    "label",
    "labels",
]
