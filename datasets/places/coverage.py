"""A dataset's spatial coverage: units of the catalogue (keys) and text that named none.

Coverage is stored as keys (``Unit.key``: "79", "26743", "old-760") plus whatever text
matched no unit (a harvested "Khu vực phía Nam" stays as it was written). Text is split at
semicolons and new lines; each part that names one unit, in the city first and then in the
country, becomes its key. A part naming several units ("Phường 1" without its district)
stays text: the portal does not guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datasets.places.catalogue import CITY_CODE, PlaceCatalogue
from datasets.places.units import Unit

MAX_UNITS = 200
_PARTS = re.compile(r"[;\n]+")


@dataclass(frozen=True)
class Coverage:
    """Resolved coverage: the units' keys (in the order given) and the remaining text."""

    keys: tuple[str, ...]
    text: str


def _resolve_part(catalogue: PlaceCatalogue, part: str) -> tuple[str, ...]:
    """The keys ``part`` names: one unit, or one per comma-separated unit of one level."""
    for province in (CITY_CODE, None):
        found = catalogue.match(part, province_code=province)
        if found is not None and found.unit is not None:
            pieces = [p for p in part.split(",") if p.strip()]
            if len(pieces) > 1:
                listed = _resolve_list(catalogue, pieces, province)
                if listed:
                    return listed
            return (found.unit.key,)
        if found is not None:  # ambiguous: never widen to the whole country
            return ()
    return ()


def _resolve_list(
    catalogue: PlaceCatalogue, pieces: list[str], province: str | None
) -> tuple[str, ...]:
    """Keys of "Quận 1, Quận 3" (every piece a unit of one level), else ()."""
    units: list[Unit] = []
    for piece in pieces:
        found = catalogue.match(piece, province_code=province)
        if found is None or found.unit is None:
            return ()
        units.append(found.unit)
    if len({u.level for u in units}) != 1:
        return ()
    return tuple(u.key for u in units)


def resolve_coverage(catalogue: PlaceCatalogue, keys: tuple[str, ...], text: str) -> Coverage:
    """Return ``keys`` (codes, keys or names of units) and ``text`` resolved to a Coverage.

    Raises ``ValueError`` naming the entries of ``keys`` that name no single unit.
    """
    resolved: dict[str, None] = {}
    unknown = []
    for entry in keys:
        unit = catalogue.unit(entry.strip()) if entry.strip() else None
        if unit is None:
            found = catalogue.match(entry, province_code=CITY_CODE) if entry.strip() else None
            unit = found.unit if found is not None else None
        if unit is None:
            unknown.append(entry)
        else:
            resolved[unit.key] = None
    if unknown:
        raise ValueError(unknown)
    rest = []
    for part in (p.strip() for p in _PARTS.split(text)):
        if not part:
            continue
        found_keys = _resolve_part(catalogue, part)
        if found_keys:
            resolved.update(dict.fromkeys(found_keys))
        else:
            rest.append(part)
    return Coverage(tuple(resolved), "; ".join(rest))


def coverage_units(catalogue: PlaceCatalogue, keys: tuple[str, ...]) -> tuple[Unit, ...]:
    """The units of ``keys`` (keys the catalogue no longer knows are left out)."""
    units = (catalogue.unit(k) for k in keys)
    return tuple(u for u in units if u is not None)


def coverage_label(catalogue: PlaceCatalogue, keys: tuple[str, ...], text: str) -> str:
    """The coverage as one text: unit names, then the remaining text, "; " between."""
    names = [catalogue.label(u) for u in coverage_units(catalogue, keys)]
    return "; ".join([*names, *([text] if text else [])])


def search_keys(catalogue: PlaceCatalogue, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys a dataset covering ``keys`` is found by in the place facet.

    Each unit, the current units an old one became, and the old units (and their old
    districts) a current one was made of: a dataset about Phường Bến Thành is found by
    old Phường Phạm Ngũ Lão and old Quận 1, and one about old Quận 1 by Phường Bến Thành.
    """
    out: dict[str, None] = {}
    for unit in coverage_units(catalogue, keys):
        out[unit.key] = None
        for new in catalogue.successors(unit):
            out[new.key] = None
        for old in catalogue.predecessors(unit):
            out[old.key] = None
            if old.district_code is not None:
                out["old-" + old.district_code] = None
    return tuple(out)
