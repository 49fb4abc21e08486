"""Generalization by administrative unit (issue 22): an address keeps the ward or commune it
names, as the current unit, and k-anonymity groups places the same way."""

from __future__ import annotations

import csv

import pytest

from datasets.personal import (
    Action,
    ColumnDecision,
    Finding,
    apply_actions,
    generalize_value,
    generalized_places,
    smallest_group_size,
)
from datasets.place_text import address_parts, unit_of_address

SAI_GON = "Phường Sài Gòn, Thành phố Hồ Chí Minh"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # an old ward (before 1 July 2025) gives the current ward it became
        ("12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", SAI_GON),
        ("12 Le Loi, Phuong Ben Nghe, Quan 1, TP HCM", SAI_GON),
        ("12 Lê Lợi P.Bến Nghé Q.1", SAI_GON),
        ("12 Lê Lợi; P. Bến Nghé; Q.1", SAI_GON),
        ("5 Xuân Thủy, Phường Thảo Điền, TP Thủ Đức", "Phường An Khánh, Thành phố Hồ Chí Minh"),
        ("45/12 Nguyễn Trãi, P.2, Q.5", "Phường Chợ Quán, Thành phố Hồ Chí Minh"),
        ("Ấp 3, Xã Vĩnh Lộc A, Huyện Bình Chánh", "Xã Vĩnh Lộc, Thành phố Hồ Chí Minh"),
        ("10 Đường 30/4, Phường Dĩ An, Thành phố Dĩ An, Tỉnh Bình Dương",
         "Phường Dĩ An, Thành phố Hồ Chí Minh"),
        # a current ward stays itself, written in full
        ("1 Nguyễn Huệ, P. Sài Gòn, TP.HCM", SAI_GON),
        ("Đặc khu Côn Đảo", "Đặc khu Côn Đảo, Thành phố Hồ Chí Minh"),
        ("2 Lê Duẩn, Phường Hoàn Kiếm, Hà Nội", "Phường Hoàn Kiếm, Thành phố Hà Nội"),
        # no ward the catalogue knows: the parts naming units, as written
        ("12 Lê Lợi, Phường Vô Danh, Quận 1", "Phường Vô Danh, Quận 1"),
        # an old ward split between two current ones: no single unit to keep
        ("3 Lê Lợi, Phường 14, Quận 10", "Phường 14, Quận 10"),
        ("12 Lê Lợi", ""),
    ],
)  # fmt: skip
def test_an_address_generalizes_to_its_current_unit(address: str, expected: str) -> None:
    assert generalize_value(address, "address") == expected


def test_an_old_ward_in_an_address_becomes_the_current_ward_in_the_public_file(tmp_path) -> None:
    source, public = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["ho_ten", "dia_chi"],
                ["Nguyễn Văn An", "12 Lê Lợi, Phường Bến Nghé, Quận 1"],
                ["Trần Thị Bích", "7 Pasteur, P. Bến Thành, Q.1"],
            ]
        )
    decisions = [
        ColumnDecision("ho_ten", "person_name", Action.DROP),
        ColumnDecision("dia_chi", "address", Action.GENERALIZE),
    ]
    findings = [
        Finding("ho_ten", "person_name", 1.0, 0.9, False),
        Finding("dia_chi", "address", 1.0, 0.9, False),
    ]
    apply_actions(source, public, decisions, findings, hash_key=b"k" * 32)
    with public.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["dia_chi"],
            [SAI_GON],
            ["Phường Bến Thành, Thành phố Hồ Chí Minh"],
        ]


def test_address_parts_and_units() -> None:
    assert address_parts("12 Lê Lợi P.Bến Nghé Q.1 TP.HCM") == [
        "12 Lê Lợi",
        "P.Bến Nghé",
        "Q.1",
        "TP.HCM",
    ]
    unit = unit_of_address("12 Lê Lợi, Phường Bến Nghé, Quận 1")
    assert unit is not None and (unit.code, unit.generation) == ("26740", "2025")


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_k_anonymity_counts_generalized_addresses_and_reads_places_as_current_units(
    tmp_path,
) -> None:
    decisions = [
        ColumnDecision("dia_chi", "address", Action.GENERALIZE),
        ColumnDecision("toa_do", "location", Action.GENERALIZE),
        ColumnDecision("ngay_sinh", "date_of_birth", Action.GENERALIZE),
        ColumnDecision("ho_ten", "person_name", Action.DROP),
    ]
    places = generalized_places(decisions)
    assert places == ["dia_chi", "toa_do"]
    public = _write(
        tmp_path / "public.csv",
        [
            ["gioi_tinh", "dia_chi"],
            ["Nam", SAI_GON],
            ["Nam", SAI_GON],
            ["Nam", "Phường Bến Thành, Thành phố Hồ Chí Minh"],
        ],
    )
    # without the generalized address, every row shares "Nam": k = 3; with it, one row is
    # alone in its ward
    assert smallest_group_size(public, ["gioi_tinh"]) == 3
    assert smallest_group_size(public, ["gioi_tinh"], places=places) == 1
    wards = _write(
        tmp_path / "wards.csv",
        [
            ["gioi_tinh", "phuong"],
            ["Nữ", "Phường Bến Nghé"],  # old name of Phường Sài Gòn
            ["Nữ", "P. Sài Gòn"],
            ["Nữ", "phuong sai gon"],
        ],
    )
    assert smallest_group_size(wards, ["gioi_tinh", "phuong"]) == 3  # one unit, three spellings
