"""Places in searches and pages (issue 22): a place filter typed as a key or a name, and the
names shown for unit keys. Shared by the search page, the dataset form and the REST API."""

from __future__ import annotations

from collections.abc import Iterable

from datasets.places import CITY_CODE, place_catalogue

MAX_FILTER_TEXT = 100
MAX_FILTER_VALUES = 10


def filter_keys(values: Iterable[str]) -> tuple[str, ...]:
    """Keys of the place filter values: keys as they are, names of one unit as its key.

    "Phường Bến Thành", "phuong ben thanh", "P. Bến Thành" and "26743" all give "26743"; an
    old name gives the old unit's key (the index holds it for what it became). A value that
    names no single unit is kept as it is (it finds nothing).
    """
    catalogue = place_catalogue()
    out: dict[str, None] = {}
    for raw in list(values)[:MAX_FILTER_VALUES]:
        value = raw.strip()[:MAX_FILTER_TEXT]
        if not value:
            continue
        unit = catalogue.unit(value)
        if unit is None:
            found = catalogue.match(value, province_code=CITY_CODE)
            unit = found.unit if found is not None else None
        out[unit.key if unit is not None else value] = None
    return tuple(out)


def place_labels(keys: Iterable[str] = ()) -> dict[str, str]:
    """Names of the city, its current units and ``keys`` (old units get their district)."""
    catalogue = place_catalogue()
    units = [catalogue.city(), *catalogue.current_units(CITY_CODE)]
    units += [u for u in (catalogue.unit(k) for k in keys) if u is not None]
    return {u.key: catalogue.label(u) for u in units}
