"""Administrative units, a match of a text against them, and the folding both use.

Codes are the official ones of the General Statistics Office (provinces 2 digits, districts
3, communes and wards 5). The 2025 reorganization reused codes: today's Phường Sài Gòn has
code 26740, which was old Phường Bến Nghé's. A code alone is therefore not an identity
across generations; ``Unit.key`` is: the code for a current unit, ``old-`` and the code for
a unit of the previous generation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from datasets.text import slug_fold

CURRENT = "2025"
OLD = "old"
# Prefix stored with old keys: "old-26740" is old Phường Bến Nghé, "26740" Phường Sài Gòn.
OLD_KEY_PREFIX = "old-"

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold_key(text: str) -> str:
    """Return ``text`` folded for matching: no marks, đ→d, lowercase, words split by spaces.

    The same folding as the search index's (VIETNAMESE.md §1: NFC first, explicit đ, every
    tone and vowel mark dropped), done here because ``datasets`` does not import
    ``search_index`` (ARCHITECTURE.md §1); old and new tone placement ("Hoà"/"Hòa") fold
    alike. ``"Phường Bến Thành"`` → ``"phuong ben thanh"``, ``"P.01"`` → ``"p 01"``.
    """
    return " ".join(_NON_WORD.split(slug_fold(text).lower())).strip()


@dataclass(frozen=True)
class Unit:
    """One administrative unit of one generation.

    ``level`` is ``province``, ``ward``, ``commune`` or ``special_zone`` for current units,
    and also ``district`` or ``township`` (thị trấn) for old ones. ``kind`` is the
    Vietnamese type word as the official name spells it ("Phường", "Quận", "Thành phố").
    ``district_code`` is set for old communes and wards only (districts no longer exist).
    """

    code: str
    name: str
    short_name: str
    level: str
    province_code: str
    generation: str
    kind: str = ""
    district_code: str | None = None
    # Approximate centre (latitude, longitude) and bounding box (south, west, north, east)
    # in WGS 84 degrees, where the source gives them (a geocoder's, not surveyed bounds).
    centroid: tuple[float, float] | None = field(default=None, compare=False)
    bbox: tuple[float, float, float, float] | None = field(default=None, compare=False)

    def centroid_wkt(self) -> str | None:
        """The centre as a WKT point (longitude first, as GeoSPARQL's default CRS84)."""
        if self.centroid is None:
            return None
        latitude, longitude = self.centroid
        return f"POINT({longitude} {latitude})"

    def bbox_wkt(self) -> str | None:
        """The bounding box as a WKT polygon, or None."""
        if self.bbox is None:
            return None
        south, west, north, east = self.bbox
        ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
        return "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"

    @property
    def key(self) -> str:
        """The identity of the unit across generations (also its URI's last segment)."""
        return self.code if self.generation == CURRENT else OLD_KEY_PREFIX + self.code

    @property
    def obsolete(self) -> bool:
        """Whether the unit no longer exists (it belongs to the pre-2025 generation)."""
        return self.generation != CURRENT

    def uri(self, site_url: str) -> str:
        """The unit's stable URI on the portal: ``<site>/places/<key>``."""
        return f"{site_url.rstrip('/')}/places/{self.key}"


@dataclass(frozen=True)
class PlaceMatch:
    """What a text named: one unit, or several candidates when it cannot say which.

    ``unit`` is None when the text is ambiguous (``candidates`` then lists them: "Phường 1"
    without its old district). ``current`` holds the current units the matched unit is or
    became: itself for a current unit, one for a renamed or merged unit, several for a
    split one (the first is the one most of it went to, when the source says so).
    """

    unit: Unit | None
    current: tuple[Unit, ...] = ()
    candidates: tuple[Unit, ...] = field(default=())

    @property
    def ambiguous(self) -> bool:
        """Whether several units answer to the text and nothing said which."""
        return self.unit is None

    @property
    def obsolete(self) -> bool:
        """Whether the matched unit no longer exists (pre-2025 generation)."""
        return self.unit is not None and self.unit.obsolete
