"""Where the demo tables' rows are: Ho Chi Minh City's districts, wards and streets."""

from __future__ import annotations

import random

DISTRICTS: dict[str, list[str]] = {
    "Quận 1": [
        "Phường Bến Nghé",
        "Phường Bến Thành",
        "Phường Đa Kao",
        "Phường Tân Định",
        "Phường Nguyễn Thái Bình",
        "Phường Cầu Ông Lãnh",
    ],
    "Quận 3": ["Phường Võ Thị Sáu", "Phường 4", "Phường 5", "Phường 9", "Phường 11"],
    "Quận 5": ["Phường 1", "Phường 2", "Phường 7", "Phường 11", "Phường 14"],
    "Quận 10": ["Phường 1", "Phường 6", "Phường 12", "Phường 14", "Phường 15"],
    "Quận Bình Thạnh": ["Phường 1", "Phường 13", "Phường 17", "Phường 22", "Phường 25"],
    "Quận Gò Vấp": ["Phường 1", "Phường 3", "Phường 10", "Phường 16"],
    "Quận Tân Bình": ["Phường 2", "Phường 4", "Phường 12", "Phường 15"],
    "Quận Phú Nhuận": ["Phường 2", "Phường 7", "Phường 9", "Phường 15"],
    "Thành phố Thủ Đức": [
        "Phường Linh Trung",
        "Phường Hiệp Phú",
        "Phường Thảo Điền",
        "Phường An Phú",
        "Phường Long Bình",
    ],
    "Huyện Bình Chánh": ["Xã Vĩnh Lộc A", "Xã Bình Hưng", "Thị trấn Tân Túc"],
    "Huyện Củ Chi": ["Thị trấn Củ Chi", "Xã Tân Thông Hội", "Xã Phước Vĩnh An"],
    "Huyện Cần Giờ": ["Thị trấn Cần Thạnh", "Xã Bình Khánh", "Xã Long Hòa"],
}
CENTRES = {
    "Quận 1": (10.776, 106.700),
    "Quận 3": (10.784, 106.684),
    "Quận 5": (10.755, 106.667),
    "Quận 10": (10.773, 106.668),
    "Quận Bình Thạnh": (10.810, 106.709),
    "Quận Gò Vấp": (10.838, 106.665),
    "Quận Tân Bình": (10.801, 106.652),
    "Quận Phú Nhuận": (10.800, 106.680),
    "Thành phố Thủ Đức": (10.850, 106.770),
    "Huyện Bình Chánh": (10.687, 106.593),
    "Huyện Củ Chi": (10.973, 106.493),
    "Huyện Cần Giờ": (10.411, 106.954),
}
STREETS = [
    "Nguyễn Huệ",
    "Lê Lợi",
    "Đồng Khởi",
    "Hai Bà Trưng",
    "Nam Kỳ Khởi Nghĩa",
    "Điện Biên Phủ",
    "Võ Văn Tần",
    "Cách Mạng Tháng Tám",
    "Nguyễn Thị Minh Khai",
    "Trần Hưng Đạo",
    "Lý Thường Kiệt",
    "Phan Đăng Lưu",
    "Xô Viết Nghệ Tĩnh",
    "Quang Trung",
    "Hoàng Văn Thụ",
    "Võ Văn Ngân",
    "Xa lộ Hà Nội",
    "Tỉnh lộ 8",
]


def random_place(rng: random.Random) -> tuple[str, str, float, float]:
    """Return a district, one of its wards, and a latitude and longitude near its centre."""
    district = rng.choice(list(DISTRICTS))
    lat, lon = CENTRES[district]
    return (
        district,
        rng.choice(DISTRICTS[district]),
        round(lat + rng.uniform(-0.02, 0.02), 6),
        round(lon + rng.uniform(-0.02, 0.02), 6),
    )


def random_address(rng: random.Random) -> str:
    """Return a house number on one of the streets."""
    return f"{rng.randint(1, 450)} {rng.choice(STREETS)}"
