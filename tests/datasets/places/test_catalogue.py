"""The reference catalogue over real spellings of both generations of units.

Expected values were read from the packages' own data (``vietnam-provinces`` 2025.10.1 and
``vietnamadminunits`` 1.0.4), not from memory: e.g. old Phường Đa Kao of Quận 1 went mostly
to Phường Sài Gòn and partly to Phường Tân Định.
"""

from __future__ import annotations

import pytest

from datasets.places import CITY_CODE, PlaceMatch, Unit, place_catalogue


def _match(text: str, **hints: str) -> PlaceMatch:
    found = place_catalogue().match(text, province_code=CITY_CODE, **hints)
    assert found is not None, text
    return found


def _unit(text: str) -> Unit:
    """The one unit ``text`` names (fails the test when it names none or several)."""
    found = _match(text).unit
    assert found is not None, text
    return found


def _names(units: tuple[Unit, ...]) -> list[str]:
    return [u.name for u in units]


def test_the_city_today_has_168_units_and_no_districts() -> None:
    catalogue = place_catalogue()
    units = catalogue.current_units(CITY_CODE)
    assert len(units) == 168
    levels = {u.level for u in units}
    assert levels == {"ward", "commune", "special_zone"}
    assert sum(u.level == "ward" for u in units) == 113
    assert catalogue.city().name == "Thành phố Hồ Chí Minh"
    assert catalogue.city().code == "79"
    # 34 provinces today, 63 before
    everything = list(catalogue._by_key.values())
    assert sum(u.level == "province" and not u.obsolete for u in everything) == 34
    assert sum(u.level == "province" and u.obsolete for u in everything) == 63


def test_a_unit_by_code_and_by_key_across_generations() -> None:
    catalogue = place_catalogue()
    ben_thanh = catalogue.unit("26743")
    assert ben_thanh is not None
    assert (ben_thanh.name, ben_thanh.short_name, ben_thanh.level) == (
        "Phường Bến Thành",
        "Bến Thành",
        "ward",
    )
    assert (ben_thanh.province_code, ben_thanh.generation, ben_thanh.key) == ("79", "2025", "26743")
    assert ben_thanh.uri("https://data.example.vn/") == "https://data.example.vn/places/26743"
    # 26740 was old Phường Bến Nghé's code; today it is Phường Sài Gòn's
    sai_gon = catalogue.unit("26740")
    assert sai_gon is not None and sai_gon.name == "Phường Sài Gòn"
    old = catalogue.unit("old-26740")
    assert old is not None and old.name == "Phường Bến Nghé" and old.obsolete
    assert old.district_code == "760"
    assert catalogue.unit("26740", "old") == old
    assert catalogue.unit("99999") is None


@pytest.mark.parametrize(
    "text",
    [
        "Phường Bến Thành",
        "phường bến thành",
        "Phuong Ben Thanh",
        "PHUONG BEN THANH",
        "P. Bến Thành",
        "P.Bến Thành",
        "Bến Thành",
        "ben thanh",
        "26743",
        "Phường Bến Thành, Thành phố Hồ Chí Minh",
        "Phường Bến Thành, TP.HCM, Việt Nam",
        "Phu\u031bo\u031b\u0300ng Be\u0302\u0301n Tha\u0300nh",  # decomposed (NFD) input
    ],
)
def test_a_current_ward_in_every_spelling(text: str) -> None:
    found = _match(text)
    assert found.unit is not None and found.unit.key == "26743"
    assert not found.obsolete and not found.ambiguous
    assert _names(found.current) == ["Phường Bến Thành"]


@pytest.mark.parametrize(
    ("text", "key", "current"),
    [
        # renamed/merged whole into one current ward
        ("Phường Bến Nghé", "old-26740", ["Phường Sài Gòn"]),
        ("ben nghe", "old-26740", ["Phường Sài Gòn"]),
        ("Phường Phạm Ngũ Lão", "old-26749", ["Phường Bến Thành"]),
        # split: the first current unit is where most of it went
        ("P. Đa Kao", "old-26737", ["Phường Sài Gòn", "Phường Tân Định"]),
        ("Phuong Nguyen Thai Binh", "old-26746", ["Phường Bến Thành", "Phường Sài Gòn"]),
        # whole districts and towns became several wards or communes
        ("Huyện Côn Đảo", "old-755", ["Đặc khu Côn Đảo"]),
        ("Thị trấn Củ Chi", "old-27496", ["Xã Tân An Hội"]),
        # provinces merged into the city
        ("Tỉnh Bà Rịa - Vũng Tàu", "old-77", ["Thành phố Hồ Chí Minh"]),
        ("Tỉnh Bình Dương", "old-74", ["Thành phố Hồ Chí Minh"]),
        ("Bình Dương", "25760", ["Phường Bình Dương"]),
    ],
)
def test_old_units_and_what_they_became(text: str, key: str, current: list[str]) -> None:
    found = _match(text)
    assert found.unit is not None and found.unit.key == key
    assert found.obsolete == key.startswith("old-")
    assert _names(found.current) == current


def test_old_districts_by_name_abbreviation_and_code() -> None:
    for text in ("Quận 1", "Q.1", "Q1", "q 1", "quan 1", "old-760"):
        found = _match(text)
        assert found.unit is not None and found.unit.name == "Quận 1", text
        assert found.obsolete
        assert set(_names(found.current)) == {
            "Phường Bến Thành",
            "Phường Cầu Ông Lãnh",
            "Phường Sài Gòn",
            "Phường Tân Định",
        }
    thu_duc = _match("TP. Thủ Đức")
    assert thu_duc.unit is not None and thu_duc.unit.key == "old-769"
    assert "Phường Thủ Đức" in _names(thu_duc.current) and len(thu_duc.current) > 5


def test_numbered_wards_need_their_old_district() -> None:
    found = _match("Phường 1")
    assert found.ambiguous and found.unit is None
    assert len(found.candidates) > 5
    assert {u.name for u in found.candidates} == {"Phường 1"}
    for text, hints in (
        ("Phường 1", {"district": "Quận 3"}),
        ("P1", {"district": "Q.3"}),
        ("P.01, Quận 3", {}),
        ("phuong 1, quan 3, tp ho chi minh", {}),
        ("P1, Q3", {}),
    ):
        found = _match(text, **hints)
        assert found.unit is not None and found.unit.key == "old-27160", text
        assert _names(found.current) == ["Phường Bàn Cờ"]
    go_vap = _match("Phường 12, Quận Gò Vấp")
    assert go_vap.unit is not None and go_vap.unit.district_code == "764"
    assert _names(go_vap.current) == ["Phường An Hội Tây"]


def test_a_current_unit_wins_over_an_old_one_of_the_same_name() -> None:
    # Phường Tân Định exists in both generations, with different codes
    found = _match("Phường Tân Định")
    assert found.unit is not None and found.unit.key == "26737"
    # ...unless the old district is named
    old = _match("Phường Tân Định, Quận 1")
    assert old.unit is not None and old.unit.key == "old-26734"
    assert _names(old.current) == ["Phường Tân Định"]


def test_type_words_filter_units_of_the_same_name() -> None:
    assert _unit("Xã Bình Chánh").key == "27637"
    assert _unit("Huyện Bình Chánh").key == "old-785"
    assert _unit("H. Bình Chánh").key == "old-785"
    assert place_catalogue().match("Quận Bến Thành", province_code=CITY_CODE) is None


def test_tone_placement_and_the_city_aliases() -> None:
    assert _unit("Phường Hoà Hưng").name == "Phường Hòa Hưng"
    for text in ("TP.HCM", "TPHCM", "Thành phố Hồ Chí Minh", "Ho Chi Minh City", "79"):
        assert _match(text).unit == place_catalogue().city(), text


def test_province_context_and_unknown_text() -> None:
    catalogue = place_catalogue()
    assert catalogue.match("Phường Hồng Hà", province_code=CITY_CODE) is None
    ha_noi = catalogue.match("Phường Hồng Hà")
    assert ha_noi is not None and ha_noi.unit is not None and ha_noi.unit.province_code == "01"
    assert catalogue.match("khu phố không tồn tại") is None
    assert catalogue.match("") is None
    assert catalogue.match("x" * 1000) is None


def test_successors_predecessors_and_expansion() -> None:
    catalogue = place_catalogue()
    sai_gon = catalogue.unit("26740")
    assert sai_gon is not None
    before = {u.name for u in catalogue.predecessors(sai_gon)}
    assert {"Phường Bến Nghé", "Phường Đa Kao", "Phường Nguyễn Thái Bình"} <= before
    assert catalogue.successors(sai_gon) == (sai_gon,)
    assert catalogue.expand(["old-26737", "unknown"]) == ("old-26737", "26740", "26737")
    # every old unit of the city's area has a current successor
    assert all(catalogue.successors(u) for u in catalogue.old_units(CITY_CODE))
