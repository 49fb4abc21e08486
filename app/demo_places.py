"""Where the demo tables' rows are: Ho Chi Minh City's wards, communes and streets.

Since 1 July 2025 the city has no districts: its 168 wards, communes and the special zone of
Côn Đảo are directly under it (the former Bình Dương and Bà Rịa - Vũng Tàu provinces are
part of it). ``WARDS`` holds some of them with their official codes and a point near each;
the tables of the demo use them. ``OLD_DISTRICTS`` holds districts and wards as they were
before the reorganization: one demo table (the population of 2024) keeps them, as a table
from before 2025 does, so that its report shows the current units they became.
"""

from __future__ import annotations

import random

CITY = "Thành phố Hồ Chí Minh"

# Current wards, communes and the special zone: (official code, name, latitude, longitude).
WARDS: tuple[tuple[str, str, float, float], ...] = (
    ("26740", "Phường Sài Gòn", 10.777, 106.703),
    ("26737", "Phường Tân Định", 10.791, 106.690),
    ("26743", "Phường Bến Thành", 10.772, 106.698),
    ("26758", "Phường Cầu Ông Lãnh", 10.764, 106.694),
    ("27160", "Phường Bàn Cờ", 10.772, 106.680),
    ("27139", "Phường Xuân Hòa", 10.780, 106.688),
    ("27142", "Phường Nhiêu Lộc", 10.787, 106.679),
    ("27301", "Phường Chợ Quán", 10.757, 106.679),
    ("27316", "Phường An Đông", 10.756, 106.668),
    ("27343", "Phường Chợ Lớn", 10.752, 106.659),
    ("27190", "Phường Vườn Lài", 10.765, 106.668),
    ("27169", "Phường Diên Hồng", 10.770, 106.662),
    ("27163", "Phường Hòa Hưng", 10.780, 106.670),
    ("26944", "Phường Gia Định", 10.803, 106.697),
    ("26929", "Phường Bình Thạnh", 10.811, 106.705),
    ("26905", "Phường Bình Lợi Trung", 10.823, 106.708),
    ("26956", "Phường Thạnh Mỹ Tây", 10.800, 106.718),
    ("26902", "Phường Hạnh Thông", 10.827, 106.681),
    ("26884", "Phường Gò Vấp", 10.840, 106.668),
    ("26878", "Phường An Hội Đông", 10.847, 106.679),
    ("26977", "Phường Tân Sơn Hòa", 10.797, 106.663),
    ("26968", "Phường Tân Sơn Nhất", 10.807, 106.660),
    ("26983", "Phường Bảy Hiền", 10.788, 106.651),
    ("27004", "Phường Tân Bình", 10.798, 106.643),
    ("27043", "Phường Đức Nhuận", 10.797, 106.681),
    ("27058", "Phường Cầu Kiệu", 10.793, 106.688),
    ("27073", "Phường Phú Nhuận", 10.801, 106.675),
    ("26812", "Phường Hiệp Bình", 10.838, 106.722),
    ("26824", "Phường Thủ Đức", 10.851, 106.756),
    ("26794", "Phường Linh Xuân", 10.876, 106.771),
    ("26833", "Phường Long Bình", 10.888, 106.835),
    ("27118", "Phường An Khánh", 10.798, 106.734),
    ("27112", "Phường Cát Lái", 10.771, 106.788),
    ("27601", "Xã Vĩnh Lộc", 10.808, 106.566),
    ("27637", "Xã Bình Chánh", 10.667, 106.573),
    ("27619", "Xã Bình Hưng", 10.721, 106.672),
    ("27553", "Xã Củ Chi", 10.973, 106.493),
    ("27496", "Xã Tân An Hội", 11.003, 106.478),
    ("27541", "Xã Phú Hòa Đông", 11.036, 106.555),
    ("27664", "Xã Cần Giờ", 10.411, 106.954),
    ("27667", "Xã Bình Khánh", 10.664, 106.781),
    ("27673", "Xã An Thới Đông", 10.570, 106.815),
    ("25747", "Phường Thủ Dầu Một", 10.980, 106.654),
    ("25942", "Phường Dĩ An", 10.906, 106.769),
    ("25978", "Phường Thuận An", 10.924, 106.713),
    ("26506", "Phường Vũng Tàu", 10.346, 107.084),
    ("26526", "Phường Tam Thắng", 10.360, 107.074),
    ("26732", "Đặc khu Côn Đảo", 8.683, 106.609),
)
WARD_NAMES = [name for _code, name, _lat, _lon in WARDS]

# Before 1 July 2025: districts and some of their wards (the 2024 population table).
OLD_DISTRICTS: dict[str, list[str]] = {
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


def random_place(rng: random.Random) -> tuple[str, float, float]:
    """Return a current ward, commune or special zone, and a point near it."""
    _code, ward, lat, lon = rng.choice(WARDS)
    return (
        ward,
        round(lat + rng.uniform(-0.006, 0.006), 6),
        round(lon + rng.uniform(-0.006, 0.006), 6),
    )


def random_address(rng: random.Random) -> str:
    """Return a house number on one of the streets."""
    return f"{rng.randint(1, 450)} {rng.choice(STREETS)}"
