"""Generate the demo's shared databases (issue 18) with a fixed seed; every person is fake.

An enterprise register (no personal data), the city's list of administrative units (a
reference catalogue), and household business registrations as the Department of Finance
exports them, with the owners' names, citizen IDs and phones made up like the building
permits' owners (``demo_admin_tables``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.demo_admin_tables import GIVEN, MIDDLE, SURNAMES
from app.demo_files import table_csv
from app.demo_places import CITY, WARDS, random_address, random_place

TRADES = [
    "Bán lẻ tạp hóa",
    "Quán ăn, quán cơm",
    "Cà phê, giải khát",
    "Sửa chữa xe máy",
    "May mặc",
    "Cắt tóc, làm đẹp",
    "Bán lẻ điện thoại",
    "Tiệm bánh",
]
SHOP_NAMES = ["Hòa Bình", "Phúc Lộc", "Minh Tâm", "Sao Mai", "Bình An", "Thành Công", "Hoa Sen"]
SHOP_KINDS = ["Tiệm tạp hóa", "Quán cơm", "Cà phê", "Tiệm sửa xe", "Tiệm may", "Tiệm bánh"]


def enterprises(rng: random.Random) -> bytes:
    """Enterprises registered in the city: tax code, name, type, sector, capital, place."""
    kinds = ["Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân"]
    sectors = ["Thương mại", "Xây dựng", "Vận tải", "Công nghệ thông tin", "Chế biến thực phẩm"]
    words = ["Sài Gòn", "Phương Nam", "Bến Thành", "Đông Á", "Việt Tiến", "Tân Phú", "An Khang"]
    rows = []
    for n in range(1, 301):
        ward, _lat, _lon = random_place(rng)
        founded = date(2005, 1, 1) + timedelta(days=rng.randint(0, 7000))
        rows.append(
            (
                f"DN-{n:05d}",
                f"{rng.choice(kinds)} {rng.choice(sectors)} {rng.choice(words)} {n}",
                rng.choice(kinds),
                rng.choice(sectors),
                rng.choice([1, 2, 5, 10, 50, 100]) * 1_000_000_000,
                founded.isoformat(),
                ward,
                rng.choice(["Đang hoạt động", "Tạm ngừng kinh doanh"]),
            )
        )
    return table_csv(
        [
            "ma_doanh_nghiep",
            "ten_doanh_nghiep",
            "loai_hinh",
            "nganh_nghe_chinh",
            "von_dieu_le_vnd",
            "ngay_thanh_lap",
            "phuong_xa",
            "tinh_trang",
        ],
        rows,
    )


def administrative_units(_rng: random.Random) -> bytes:
    """The city and some of its wards, communes and special zone, with their official codes
    and their parent unit (since 1 July 2025 they are directly under the city)."""
    rows = [("79", CITY, "Thành phố trực thuộc trung ương", "", "")]
    for code, name, _lat, _lon in WARDS:
        level = "Đặc khu" if name.startswith("Đặc khu") else name.split(" ")[0]
        rows.append((code, name, level, "79", CITY))
    return table_csv(
        ["ma_don_vi", "ten_don_vi", "cap_don_vi", "ma_don_vi_cap_tren", "ten_don_vi_cap_tren"],
        rows,
    )


def household_businesses(rng: random.Random) -> bytes:
    """Household business registrations with the owners' (fake) personal data."""
    provinces = ["079", "074", "077", "001", "048", "092"]
    rows = []
    for n in range(1, 301):
        ward, _lat, _lon = random_place(rng)
        owner = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        cccd = (
            f"{rng.choice(provinces)}{rng.randint(0, 3)}{rng.randint(60, 99):02d}"
            f"{rng.randint(0, 999999):06d}"
        )
        phone = f"09{rng.randint(0, 99999999):08d}"
        registered = date(2018, 1, 1) + timedelta(days=rng.randint(0, 2800))
        rows.append(
            (
                f"HKD-{n:05d}",
                f"{rng.choice(SHOP_KINDS)} {rng.choice(SHOP_NAMES)}",
                owner,
                cccd,
                phone,
                rng.choice(TRADES),
                f"{random_address(rng)}, {ward}, {CITY}",
                ward,
                rng.choice([30, 50, 100, 200, 500]) * 1_000_000,
                registered.isoformat(),
            )
        )
    return table_csv(
        [
            "ma_ho_kinh_doanh",
            "ten_ho_kinh_doanh",
            "ho_ten_chu_ho",
            "so_cccd",
            "so_dien_thoai",
            "nganh_nghe",
            "dia_chi_kinh_doanh",
            "phuong_xa",
            "von_kinh_doanh_vnd",
            "ngay_dang_ky",
        ],
        rows,
    )
