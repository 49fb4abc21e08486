"""A dataset's spatial coverage for the metadata outputs, from the places catalogue.

Each unit covered (``datasets.places``: the city, a ward, an old district) is published with
its stable URI (``<site>/places/<key>``, a page and JSON the portal serves), its name and
code, and its centre and box where the catalogue's source gives them. Text that named no unit
is published as a name only: nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from datasets.places import coverage_label, coverage_units, place_catalogue, resolve_coverage


@dataclass(frozen=True)
class CoveredPlace:
    """One place of a coverage: a unit (``uri`` and ``code`` set) or a name."""

    name: str
    uri: str | None = None
    code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # (south, west, north, east), WGS 84 degrees
    bbox: tuple[float, float, float, float] | None = None
    centroid_wkt: str | None = None
    bbox_wkt: str | None = None


def covered_places(keys: tuple[str, ...], text: str, site_url: str) -> list[CoveredPlace]:
    """The places of a coverage: its units, then units named in ``text``, then the rest."""
    catalogue = place_catalogue()
    resolved = resolve_coverage(catalogue, (), text) if text.strip() else None
    all_keys = (*keys, *(resolved.keys if resolved else ()))
    places = []
    for unit in coverage_units(catalogue, tuple(dict.fromkeys(all_keys))):
        lat, lon = unit.centroid if unit.centroid is not None else (None, None)
        places.append(
            CoveredPlace(
                name=catalogue.label(unit),
                uri=unit.uri(site_url),
                code=unit.code,
                latitude=lat,
                longitude=lon,
                bbox=unit.bbox,
                centroid_wkt=unit.centroid_wkt(),
                bbox_wkt=unit.bbox_wkt(),
            )
        )
    rest = resolved.text if resolved is not None else ""
    if rest:
        places.append(CoveredPlace(name=rest))
    return places


def coverage_text(keys: tuple[str, ...], text: str) -> str:
    """The coverage as one text ("Phường Bến Thành; Khu vực phía Nam"), "" when none."""
    if not keys:
        return text.strip()
    return coverage_label(place_catalogue(), keys, text)
