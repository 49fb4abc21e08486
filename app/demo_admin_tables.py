"""Generate the demo tables of the city's administration with a fixed seed.

Administrative procedures, population by ward, the budget, and building permits as an agency
exports them, with the owners' personal data (nothing is downloaded).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.demo_files import table_csv
from app.demo_places import CITY, OLD_DISTRICTS, random_address, random_place

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Quốc", "Gia"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Hà",
    "Hải",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]


def procedures(rng: random.Random) -> bytes:
    fields = ["Hộ tịch", "Đất đai", "Xây dựng", "Kinh doanh", "Giáo dục", "Y tế", "Giao thông"]
    actions = [
        "Đăng ký khai sinh",
        "Cấp giấy phép xây dựng",
        "Đăng ký hộ kinh doanh",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Cấp bản sao trích lục",
        "Đăng ký kết hôn",
        "Cấp giấy phép lái xe",
        "Công nhận trường đạt chuẩn",
    ]
    rows = []
    for n in range(1, 401):
        rows.append(
            (
                f"1.{n:06d}",
                f"{rng.choice(actions)} ({n})",
                rng.choice(fields),
                rng.choice(["Cấp xã", "Cấp huyện", "Cấp tỉnh"]),
                rng.choice([1, 3, 5, 7, 15, 30]),
                rng.choice([0, 0, 8000, 50000, 100000]),
                rng.choice(["Toàn trình", "Một phần", "Trực tiếp"]),
            )
        )
    return table_csv(
        [
            "ma_thu_tuc",
            "ten_thu_tuc",
            "linh_vuc",
            "cap_thuc_hien",
            "thoi_han_ngay",
            "le_phi_vnd",
            "muc_do_truc_tuyen",
        ],
        rows,
    )


def population(rng: random.Random) -> bytes:
    """Population by ward in 2024: with the districts and wards of before 1 July 2025."""
    rows = []
    for district, wards in OLD_DISTRICTS.items():
        for ward in wards:
            total = rng.randint(8000, 90000)
            male = int(total * rng.uniform(0.47, 0.5))
            rows.append(
                (
                    2024,
                    district,
                    ward,
                    total,
                    male,
                    total - male,
                    round(rng.uniform(0.5, 12), 2),
                    int(total / rng.uniform(0.5, 12)),
                )
            )
    return table_csv(
        [
            "nam",
            "quan_huyen",
            "phuong_xa",
            "dan_so",
            "nam_gioi",
            "nu_gioi",
            "dien_tich_km2",
            "mat_do_nguoi_km2",
        ],
        rows,
    )


def budget(rng: random.Random) -> bytes:
    chapters = [
        "Giáo dục - đào tạo",
        "Y tế",
        "Giao thông",
        "Môi trường",
        "Quản lý nhà nước",
        "An sinh xã hội",
        "Văn hóa - thể thao",
        "Khoa học công nghệ",
    ]
    rows = []
    for year in (2024, 2025):
        for chapter in chapters:
            for item in range(1, 16):
                planned = rng.randint(5, 900) * 1_000_000_000
                rows.append(
                    (
                        year,
                        chapter,
                        f"{chapter} - mục {item}",
                        planned,
                        int(planned * rng.uniform(0.6, 1.05)),
                    )
                )
    return table_csv(["nam", "linh_vuc", "noi_dung_chi", "du_toan_vnd", "thuc_hien_vnd"], rows)


def building_permits(rng: random.Random) -> bytes:
    """Permits as an agency exports them: with the owners' personal data (stripped later)."""
    provinces = ["079", "074", "077", "001", "048", "092"]
    rows = []
    for n in range(1, 401):
        ward, _lat, _lon = random_place(rng)
        owner = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        cccd = (
            f"{rng.choice(provinces)}{rng.randint(0, 3)}{rng.randint(60, 99):02d}"
            f"{rng.randint(0, 999999):06d}"
        )
        phone = f"09{rng.randint(0, 99999999):08d}"
        issued = date(2025, 1, 1) + timedelta(days=rng.randint(0, 300))
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 18000))
        rows.append(
            (
                f"GPXD-{2025}-{n:05d}",
                issued.isoformat(),
                owner,
                cccd,
                phone,
                born.strftime("%d/%m/%Y"),
                f"{random_address(rng)}, {ward}, {CITY}",
                ward,
                rng.choice(["Nhà ở riêng lẻ", "Sửa chữa, cải tạo"]),
                rng.randint(1, 6),
                round(rng.uniform(40, 400), 1),
            )
        )
    return table_csv(
        [
            "so_giay_phep",
            "ngay_cap",
            "ho_ten_chu_dau_tu",
            "so_cccd",
            "so_dien_thoai",
            "ngay_sinh",
            "dia_chi_cong_trinh",
            "phuong_xa",
            "loai_cong_trinh",
            "so_tang",
            "dien_tich_san_m2",
        ],
        rows,
    )
