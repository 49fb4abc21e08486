"""Columns of administrative units recognized in tables, over real spellings of both
generations (issue 22): names with and without accents and type words, abbreviations, codes,
renamed, merged and split units."""

from __future__ import annotations

import pytest

from datasets.place_columns import (
    MAX_DISTINCT,
    PlaceCollector,
    header_level,
    match_unit,
    value_level,
)
from datasets.places import place_catalogue


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("phuong_xa", ("commune", False)),
        ("Phường/Xã", ("commune", False)),
        ("Tên phường", ("commune", False)),
        ("ward", ("commune", False)),
        ("MaPhuongXa", ("commune", True)),
        ("mã xã", ("commune", True)),
        ("Quận/Huyện", ("district", False)),
        ("quan_huyen_cu", ("district", False)),
        ("district_code", ("district", True)),
        ("Tỉnh/Thành phố", ("province", False)),
        ("ma_tinh", ("province", True)),
        ("tinh_trang", None),  # status, not a province
        ("bao_hiem_xa_hoi", None),
        ("quan_ly", None),
        ("dia_chi", None),
    ],
)
def test_headers_naming_a_level(header: str, expected: tuple[str, bool] | None) -> None:
    assert header_level(header) == expected


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("Phường Bến Thành", "commune"),
        ("P. Bến Thành", "commune"),
        ("P.Bến Thành", "commune"),
        ("phuong 14", "commune"),
        ("P14", "commune"),  # glued number
        ("Xã Vĩnh Lộc A", "commune"),
        ("Thị trấn Củ Chi", "commune"),
        ("Đặc khu Côn Đảo", "commune"),
        ("Quận 1", "district"),
        ("Q.1", "district"),
        ("Huyện Cần Giờ", "district"),
        ("Tỉnh Bình Dương", "province"),
        ("TP.HCM", "province"),
        ("Quang Trung", None),
        ("Hóc Môn", None),
        ("12 Lê Lợi", None),
    ],
)
def test_value_prefixes(value: str, level: str | None) -> None:
    assert value_level(value) == level


@pytest.mark.parametrize(
    ("value", "context", "level", "unit", "obsolete", "current"),
    [
        # current names, with and without accents and type words, and codes
        ("Phường Bến Thành", {}, "commune", "Phường Bến Thành", False, ["26743"]),
        ("phuong ben thanh", {}, "commune", "Phường Bến Thành", False, ["26743"]),
        ("P. Bến Thành", {}, "commune", "Phường Bến Thành", False, ["26743"]),
        ("Bến Thành", {}, "commune", "Phường Bến Thành", False, ["26743"]),
        ("26743", {}, "commune", "Phường Bến Thành", False, ["26743"]),
        ("Đặc khu Côn Đảo", {}, "commune", "Đặc khu Côn Đảo", False, ["26732"]),
        ("Xã Bình Khánh", {}, "commune", "Xã Bình Khánh", False, ["27667"]),
        # renamed: Bến Nghé is Phường Sài Gòn now (which reuses Bến Nghé's code 26740)
        ("Phường Bến Nghé", {}, "commune", "Phường Bến Nghé", True, ["26740"]),
        ("P.Ben Nghe", {}, "commune", "Phường Bến Nghé", True, ["26740"]),
        ("old-26740", {}, "commune", "Phường Bến Nghé", True, ["26740"]),
        # merged: Thảo Điền, An Phú, ... into Phường An Khánh; Vĩnh Lộc A into Xã Vĩnh Lộc
        ("Phường Thảo Điền", {}, "commune", "Phường Thảo Điền", True, ["27118"]),
        ("Xã Vĩnh Lộc A", {}, "commune", "Xã Vĩnh Lộc A", True, ["27601"]),
        ("Thị trấn Củ Chi", {}, "commune", "Thị trấn Củ Chi", True, ["27496"]),
        # numbered wards need their old district
        ("Phường 1", {"district": "Quận 5"}, "commune", "Phường 1", True, ["27301"]),
        ("P1", {"district": "Q.5"}, "commune", "Phường 1", True, ["27301"]),
        # districts (abolished) and provinces (merged into the city)
        ("Quận 1", {}, "district", "Quận 1", True, ["26737", "26740", "26743", "26758"]),
        ("Bình Thạnh", {}, "district", "Quận Bình Thạnh", True, None),
        ("Thành phố Thủ Đức", {}, "district", "Thành phố Thủ Đức", True, None),
        ("Bình Dương", {}, "province", "Tỉnh Bình Dương", True, ["79"]),
        ("Bà Rịa - Vũng Tàu", {}, "province", "Tỉnh Bà Rịa - Vũng Tàu", True, ["79"]),
        ("TP.HCM", {}, "province", "Thành phố Hồ Chí Minh", False, ["79"]),
        ("79", {}, "province", "Thành phố Hồ Chí Minh", False, ["79"]),
    ],
)
def test_values_of_both_generations(
    value: str,
    context: dict[str, str],
    level: str,
    unit: str,
    obsolete: bool,
    current: list[str] | None,
) -> None:
    found = match_unit(place_catalogue(), value, level=level, **context)
    assert found is not None and found.unit is not None, value
    assert (found.unit.name, found.obsolete) == (unit, obsolete)
    if current is not None:
        assert sorted(u.code for u in found.current) == current


def test_a_numbered_ward_without_its_district_is_ambiguous() -> None:
    found = match_unit(place_catalogue(), "Phường 1")
    assert found is not None and found.ambiguous and len(found.candidates) > 5


def _collect(header: list[str], rows: list[list[str]]) -> dict[str, object]:
    collector = PlaceCollector(header)
    collector.feed(rows)
    return {p.column: p for p in collector.places(place_catalogue())}


def test_a_table_of_2024_gets_its_old_units_with_the_current_ones() -> None:
    places = _collect(
        ["Quận/Huyện", "Phường/Xã", "Tỉnh", "so_ho"],
        [
            ["Quận 1", "Phường Bến Nghé", "TP. Hồ Chí Minh", "1"],
            ["Q.1", "p. ben nghe", "TP.HCM", "2"],
            ["Quận 5", "Phường 1", "Hồ Chí Minh", "3"],
            ["Huyện Củ Chi", "Thị trấn Củ Chi", "TP.HCM", "4"],
            ["Huyện Củ Chi", "Xã Không Có", "TP.HCM", "5"],
            ["", "", "", "6"],
        ],
    )
    assert set(places) == {"Quận/Huyện", "Phường/Xã", "Tỉnh"}
    wards = places["Phường/Xã"]
    assert (wards.cells, wards.current, wards.obsolete, wards.unknown) == (5, 0, 4, 1)
    suggested = {v.value: [u.name for u in v.current] for v in wards.obsolete_values}
    assert suggested == {
        "Phường Bến Nghé": ["Phường Sài Gòn"],
        "p. ben nghe": ["Phường Sài Gòn"],
        "Phường 1": ["Phường Chợ Quán"],
        "Thị trấn Củ Chi": ["Xã Tân An Hội"],
    }
    assert [(v.value, v.rows) for v in wards.unknown_values] == [("Xã Không Có", (6,))]
    assert places["Tỉnh"].current == 5 and places["Quận/Huyện"].obsolete == 5


def test_a_current_table_has_no_notes_and_columns_are_sniffed_by_their_values() -> None:
    names = ["Phường Sài Gòn", "Phường Bến Thành", "Xã Cần Giờ", "Đặc khu Côn Đảo", "P. Tân Định"]
    places = _collect(
        ["ten_tram", "diem_dau"],
        [[f"Trạm {i}", name] for i, name in enumerate(names * 3)],
    )
    assert set(places) == {"diem_dau"}  # no header hint: its values start with type words
    column = places["diem_dau"]
    assert (column.current, column.obsolete, column.unknown, column.has_notes) == (15, 0, 0, False)


def test_codes_of_both_generations() -> None:
    places = _collect(
        ["ma_phuong_xa"],
        [["26743"], ["26740"], ["old-26740"], ["99999"], ["27118"]],
    )
    codes = places["ma_phuong_xa"]
    assert codes.codes and (codes.current, codes.obsolete, codes.unknown) == (3, 1, 1)
    assert [v.value for v in codes.obsolete_values] == ["old-26740"]


def test_a_column_that_is_not_about_places_is_left_out() -> None:
    places = _collect(["xa"], [["12"], ["abc"], ["Phường Bến Thành"], ["x"], ["y"]])
    assert places == {}  # fewer than half of its values name a unit


def test_work_is_bounded_by_distinct_values_and_time() -> None:
    collector = PlaceCollector(["phuong_xa"])
    collector.feed([["Phường Bến Thành"]] * 10 + [["Phường Bến Nghé"]] * 5)
    assert collector.places(place_catalogue(), seconds=0) == ()  # no time: no claim
    full = collector.places(place_catalogue())[0]
    assert full.complete and (full.current, full.obsolete) == (10, 5)
    assert full.obsolete_values[0].rows == (12, 13, 14, 15, 16)  # at most five row numbers

    capped = PlaceCollector(["phuong_xa"])
    capped.feed([["Phường Bến Thành"]] * 5000)
    capped.feed([[f"Phường Số {i}"] for i in range(MAX_DISTINCT + 500)])
    column = capped.places(place_catalogue())[0]
    kept = MAX_DISTINCT - 1  # distinct values kept besides Bến Thành
    assert not column.complete and column.cells == 5000 + MAX_DISTINCT + 500
    assert (column.current, column.unknown) == (5000, kept)
    assert len(column.unknown_values) == 20  # a bounded number of examples
