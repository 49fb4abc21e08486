"""The ward or commune an address names, as the current unit it is now (issue 22).

``unit_of_address`` splits an address into its parts (at commas, and before each unit
prefix written inline: "12 Lê Lợi P.Bến Thành Q.1"), takes the last part naming a
commune-level unit, reads it with the district and province parts after it, and looks it up
in the reference catalogue: an old ward gives the current one it became, when it became
exactly one. ``generalized_address`` is what the personal-data action publishes for an
address: that unit and its province ("Phường Bến Thành, Thành phố Hồ Chí Minh").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from datasets.place_columns import CITY, COMMUNE, value_level

if TYPE_CHECKING:
    from datasets.places import Unit

# Where a unit's name starts inside an address written without commas.
_INLINE = re.compile(
    r"(?<![\w.])(?=(?:Phường|Xã|Thị trấn|Đặc khu|Quận|Huyện|Thị xã|Thành phố|Tỉnh"
    r"|P\.|X\.|Q\.|H\.|TT\.|TX\.|TP\.?)(?:\s|\d|\w))",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+-\s+")


def address_parts(address: str) -> list[str]:
    """The parts of an address: at commas, semicolons and dashes, and before each unit
    prefix written inline."""
    parts: list[str] = []
    for piece in _SEPARATORS.split(address.strip()):
        parts.extend(p.strip() for p in _INLINE.split(piece) if p.strip())
    return parts


def unit_of_address(address: str) -> Unit | None:
    """The current commune-level unit the address names, or None when it names none the
    catalogue knows (or an old one that became several)."""
    parts = address_parts(address)
    communes = [i for i, part in enumerate(parts) if value_level(part) == COMMUNE]
    if not communes:
        return None
    return _current_unit(", ".join(parts[communes[-1] :]))


@lru_cache(maxsize=8192)
def _current_unit(text: str) -> Unit | None:
    """The current unit of "<commune>, <district>, <province>" (the parts after the first
    give the catalogue the context)."""
    from datasets.places import place_catalogue

    catalogue = place_catalogue()
    found = catalogue.match(text, province_code=CITY) or catalogue.match(text)
    if found is None or found.ambiguous:
        return None
    units = found.current if found.obsolete else (found.unit,)
    return units[0] if len(units) == 1 and units[0] is not None else None


def generalized_address(address: str) -> str | None:
    """The address generalized to its current ward or commune and province, or None when it
    names no unit the catalogue knows."""
    unit = unit_of_address(address)
    return None if unit is None else _with_province(unit)


@lru_cache(maxsize=4096)
def _with_province(unit: Unit) -> str:
    from datasets.places import place_catalogue

    province = place_catalogue().unit(unit.province_code)
    return f"{unit.name}, {province.name}" if province is not None else unit.name
