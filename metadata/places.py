"""Where the places a dataset may cover are: Ho Chi Minh City and its districts.

A dataset's spatial coverage is a free-text place name. When the name is one of these
places (in any common spelling, with or without accents), the DCAT and schema.org outputs
add its approximate centre (WGS 84) and, for the city, its bounding box. Unknown names
get no coordinates: nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A known place: approximate centre and, where known, bounding box (WGS 84 degrees)."""

    name: str
    latitude: float
    longitude: float
    # (south, west, north, east), or None when the portal does not know it
    bbox: tuple[float, float, float, float] | None = None

    def centroid_wkt(self) -> str:
        """The centre as a WKT point (longitude first, as GeoSPARQL's default CRS84)."""
        return f"POINT({self.longitude} {self.latitude})"

    def bbox_wkt(self) -> str | None:
        """The bounding box as a WKT polygon, or None."""
        if self.bbox is None:
            return None
        south, west, north, east = self.bbox
        ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
        return "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"


_CITY = Place("Thành phố Hồ Chí Minh", 10.8231, 106.6297, (10.3766, 106.3569, 11.1602, 107.0273))
_DISTRICTS = (
    Place("Quận 1", 10.776, 106.700),
    Place("Quận 3", 10.784, 106.684),
    Place("Quận 4", 10.758, 106.701),
    Place("Quận 5", 10.755, 106.667),
    Place("Quận 6", 10.746, 106.635),
    Place("Quận 7", 10.734, 106.722),
    Place("Quận 8", 10.724, 106.628),
    Place("Quận 10", 10.773, 106.668),
    Place("Quận 11", 10.763, 106.643),
    Place("Quận 12", 10.867, 106.641),
    Place("Quận Bình Tân", 10.765, 106.603),
    Place("Quận Bình Thạnh", 10.810, 106.709),
    Place("Quận Gò Vấp", 10.838, 106.665),
    Place("Quận Phú Nhuận", 10.800, 106.680),
    Place("Quận Tân Bình", 10.801, 106.652),
    Place("Quận Tân Phú", 10.790, 106.628),
    Place("Thành phố Thủ Đức", 10.850, 106.770),
    Place("Huyện Bình Chánh", 10.687, 106.593),
    Place("Huyện Cần Giờ", 10.411, 106.954),
    Place("Huyện Củ Chi", 10.973, 106.493),
    Place("Huyện Hóc Môn", 10.889, 106.595),
    Place("Huyện Nhà Bè", 10.695, 106.740),
)
_CITY_ALIASES = (
    "thanh pho ho chi minh",
    "tp ho chi minh",
    "tphcm",
    "tp hcm",
    "ho chi minh",
    "ho chi minh city",
    "hcmc",
    "hcm",
    "sai gon",
    "saigon",
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


_SHORT = {"quan": "q", "huyen": "h", "thanh pho": "tp"}


def _index() -> dict[str, Place]:
    table = dict.fromkeys(_CITY_ALIASES, _CITY)
    for place in _DISTRICTS:
        key = _fold(place.name)
        table[key] = place
        for kind, short in _SHORT.items():
            if key.startswith(kind + " "):
                table[short + key[len(kind) :]] = place  # "q 1", "h cu chi", "tp thu duc"
    return table


_PLACES = _index()
_COUNTRY_SUFFIX = re.compile(r"( viet nam| vietnam)$")


def find_place(name: str) -> Place | None:
    """Return the known place named ``name`` ("TP.HCM", "Quận 1", "Ho Chi Minh City"...)."""
    key = _COUNTRY_SUFFIX.sub("", _fold(name))
    return _PLACES.get(key)
