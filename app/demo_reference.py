"""The demo's first shared reference catalogue ("danh mục dùng chung", issue 22): the city's
administrative units, generated from the places catalogue (``datasets.places``).

Two tables (each also downloadable as JSON, XLSX and Parquet, the converted downloads): the
city and its 168 current units, and the old units of its area (pre-1 July 2025 districts,
wards, communes and townships of Hồ Chí Minh City, Bình Dương and Bà Rịa - Vũng Tàu) with
the current unit each became, one row per pair (a split unit has one row per current unit,
the one most of it went to first).
Nothing here is random: the rng argument is the demo's table signature.
"""

from __future__ import annotations

import random

from app.demo_files import table_csv
from datasets.places import CITY_CODE, PlaceCatalogue, Unit, place_catalogue

LEVEL_NAMES = {
    "province": "Tỉnh, thành phố",
    "ward": "Phường",
    "commune": "Xã",
    "special_zone": "Đặc khu",
    "district": "Quận, huyện, thị xã, thành phố thuộc tỉnh",
    "township": "Thị trấn",
}
CURRENT_HEADER = (
    "ma_don_vi",
    "ten_don_vi",
    "ten_ngan",
    "cap_don_vi",
    "ma_don_vi_cap_tren",
    "ten_don_vi_cap_tren",
    "so_don_vi_cu",
)
OLD_HEADER = (
    "ma_don_vi_cu",
    "ten_don_vi_cu",
    "cap_don_vi_cu",
    "ma_quan_huyen_cu",
    "ten_quan_huyen_cu",
    "ma_tinh_cu",
    "ten_tinh_cu",
    "ma_don_vi_moi",
    "ten_don_vi_moi",
    "don_vi_moi_chinh",
)


def _current_rows(catalogue: PlaceCatalogue) -> list[tuple[object, ...]]:
    city = catalogue.city()
    rows: list[tuple[object, ...]] = [
        (city.code, city.name, city.short_name, LEVEL_NAMES[city.level], "", "", 0)
    ]
    for unit in catalogue.current_units(CITY_CODE):
        before = len(catalogue.predecessors(unit))
        level = LEVEL_NAMES[unit.level]
        rows.append((unit.code, unit.name, unit.short_name, level, city.code, city.name, before))
    return rows


def _old_rows(catalogue: PlaceCatalogue) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for unit in catalogue.old_units(CITY_CODE):
        district = _old(catalogue, unit.district_code)
        province = _old(catalogue, unit.province_code)
        for n, new in enumerate(catalogue.successors(unit)):
            rows.append(
                (
                    unit.code,
                    unit.name,
                    LEVEL_NAMES[unit.level],
                    district.code if district else "",
                    district.name if district else "",
                    unit.province_code,
                    province.name if province else "",
                    new.code,
                    new.name,
                    "có" if n == 0 else "không",
                )
            )
    return rows


def _old(catalogue: PlaceCatalogue, code: str | None) -> Unit | None:
    return catalogue.unit(code, "old") if code else None


def current_units_csv(_rng: random.Random) -> bytes:
    """The city and its current communes, wards and special zone, with official codes."""
    return table_csv(CURRENT_HEADER, _current_rows(place_catalogue()))


def old_units_csv(_rng: random.Random) -> bytes:
    """Old units of the city's area and the current unit(s) each became."""
    return table_csv(OLD_HEADER, _old_rows(place_catalogue()))
