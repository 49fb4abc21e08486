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
from app.demo_places import CITY, random_address, random_place

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


FOCAL_AGENCIES = (
    ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"),
    ("SYT", "Sở Y tế"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("CTK", "Cục Thống kê"),
)
FOCAL_UNITS = ("Văn phòng", "Phòng Kế hoạch", "Trung tâm Thông tin", "Phòng Công nghệ thông tin")
FOCAL_SCOPES = ("Dữ liệu chuyên ngành", "Danh mục dùng chung", "Dữ liệu mở", "Báo cáo thống kê")


def data_focal_points(rng: random.Random) -> bytes:
    """Each agency's data focal unit and the (made-up) decision naming it; no persons."""
    rows = []
    for n, (code, agency) in enumerate(FOCAL_AGENCIES, start=1):
        named = date(2025, 7, 1) + timedelta(days=rng.randrange(120))
        rows.append(
            (
                code,
                agency,
                rng.choice(FOCAL_UNITS),
                f"{100 + n * 7}/QĐ-{code}",
                named.isoformat(),
                rng.choice(FOCAL_SCOPES),
            )
        )
    return table_csv(
        ["ma_co_quan", "ten_co_quan", "bo_phan_dau_moi", "so_quyet_dinh", "ngay_giao", "pham_vi"],
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
