"""Regressions found on the demo catalog's realistic tables."""

from __future__ import annotations

from datasets.personal import scan_columns


def test_hospital_bed_counts_in_a_facility_list_are_not_health_data() -> None:
    header = [
        "stt",
        "ten_co_so",
        "loai_hinh",
        "dia_chi",
        "phuong_xa",
        "quan_huyen",
        "so_giuong_benh",
        "cap_cuu_24h",
        "vi_do",
        "kinh_do",
    ]
    rows = [
        [
            str(i),
            f"Bệnh viện đa khoa số {i}",
            "Bệnh viện đa khoa",
            f"{i} Lê Lợi",
            "Phường 1",
            "Quận 5",
            str(100 + i),
            "Có",
            "10.7",
            "106.6",
        ]
        for i in range(60)
    ]
    # No health finding; the hospitals' addresses are found and proposed "keep".
    found = scan_columns(header, rows)
    assert [(f.column, f.kind, f.proposal) for f in found] == [("dia_chi", "address", "keep")]


def test_diagnoses_of_named_patients_are_still_health_data() -> None:
    header = ["ho_ten", "ngay_sinh", "chan_doan"]
    rows = [
        [f"Nguyễn Văn {n}", f"0{1 + i % 9}/0{1 + i % 9}/19{50 + i % 40}", "Tăng huyết áp"]
        for i, n in enumerate(["An", "Bình", "Châu", "Dũng", "Hải", "Hùng"] * 10)
    ]
    kinds = {f.column: f.kind for f in scan_columns(header, rows)}
    assert kinds.get("chan_doan") == "health"
    assert kinds.get("ho_ten") == "person_name"


def test_a_header_naming_insurance_over_salaries_is_not_an_insurance_number() -> None:
    salaries = [str(4_680_000 + i * 250_000) for i in range(20)]
    numbers = [f"79{31415926 + i * 13:08d}" for i in range(20)]
    rows = list(zip(salaries, numbers, strict=True))
    found = scan_columns(["Mức lương đóng BHXH", "Mã số BHXH"], rows)
    assert [(f.column, f.kind) for f in found] == [("Mã số BHXH", "social_insurance")]
