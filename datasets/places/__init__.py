"""Administrative units of Vietnam before and after the 1 July 2025 reorganization.

The reference catalogue the portal shares: units of both generations with their official
codes, the mapping from old units to the current ones, and matching of the spellings agency
files use. Data comes from the ``vietnam-provinces`` and ``vietnamadminunits`` packages
(``datasets.places.sources``); README "Places" says how it is updated.
"""

from __future__ import annotations

from datasets.places.catalogue import CITY_CODE, PlaceCatalogue, place_catalogue
from datasets.places.coverage import (
    MAX_UNITS,
    Coverage,
    coverage_label,
    coverage_units,
    resolve_coverage,
    search_keys,
)
from datasets.places.units import CURRENT, OLD, OLD_KEY_PREFIX, PlaceMatch, Unit, fold_key

__all__ = [
    "CITY_CODE",
    "CURRENT",
    "MAX_UNITS",
    "OLD",
    "OLD_KEY_PREFIX",
    "Coverage",
    "PlaceCatalogue",
    "PlaceMatch",
    "Unit",
    "coverage_label",
    "coverage_units",
    "fold_key",
    "place_catalogue",
    "resolve_coverage",
    "search_keys",
]
