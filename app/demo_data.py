"""Generate the demo catalog's tables with a fixed seed (nothing is downloaded)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

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


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _place(rng: random.Random) -> tuple[str, str, float, float]:
    district = rng.choice(list(DISTRICTS))
    lat, lon = CENTRES[district]
    return (
        district,
        rng.choice(DISTRICTS[district]),
        round(lat + rng.uniform(-0.02, 0.02), 6),
        round(lon + rng.uniform(-0.02, 0.02), 6),
    )


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 450)} {rng.choice(STREETS)}"


def bus_routes(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 121):
        a, b = rng.sample(list(DISTRICTS), 2)
        rows.append(
            (
                f"{n:02d}",
                f"{a} - {b}",
                a,
                b,
                round(rng.uniform(8, 45), 1),
                rng.choice(["05:00", "05:15", "05:30"]),
                rng.choice(["19:00", "20:30", "21:00"]),
                rng.choice([5, 6000, 7000]) if n % 7 else 0,
                rng.choice([10, 12, 15, 20]),
            )
        )
    return _csv(
        [
            "ma_tuyen",
            "ten_tuyen",
            "diem_dau",
            "diem_cuoi",
            "cu_ly_km",
            "gio_bat_dau",
            "gio_ket_thuc",
            "gia_ve_vnd",
            "tan_suat_phut",
        ],
        rows,
    )


def bus_stops(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 1501):
        district, ward, lat, lon = _place(rng)
        rows.append(
            (
                f"BS{n:05d}",
                f"Trạm {rng.choice(STREETS)} {n}",
                _address(rng),
                ward,
                district,
                lat,
                lon,
                rng.choice(["có mái che", "biển báo", "nhà chờ"]),
            )
        )
    return _csv(
        [
            "ma_tram",
            "ten_tram",
            "dia_diem",
            "phuong_xa",
            "quan_huyen",
            "vi_do",
            "kinh_do",
            "loai_tram",
        ],
        rows,
    )


def parking(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 301):
        district, ward, lat, lon = _place(rng)
        rows.append(
            (
                n,
                f"Bãi xe {rng.choice(STREETS)}",
                _address(rng),
                ward,
                district,
                rng.randint(20, 600),
                rng.randint(0, 120),
                rng.choice([5000, 10000, 25000]),
                lat,
                lon,
            )
        )
    return _csv(
        [
            "stt",
            "ten_bai",
            "dia_diem",
            "phuong_xa",
            "quan_huyen",
            "suc_chua_xe_may",
            "suc_chua_o_to",
            "gia_gui_vnd",
            "vi_do",
            "kinh_do",
        ],
        rows,
    )


def air_quality(rng: random.Random) -> bytes:
    stations = [
        ("QT01", "Quận 1"),
        ("QT02", "Quận Bình Thạnh"),
        ("QT03", "Quận Gò Vấp"),
        ("QT04", "Thành phố Thủ Đức"),
        ("QT05", "Huyện Bình Chánh"),
        ("QT06", "Huyện Cần Giờ"),
    ]
    start = datetime(2025, 10, 1)
    rows = []
    for hour in range(24 * 30):
        moment = start + timedelta(hours=hour)
        for code, district in stations:
            pm25 = max(3.0, rng.gauss(32 if district != "Huyện Cần Giờ" else 14, 9))
            rows.append(
                (
                    code,
                    district,
                    moment.isoformat(timespec="minutes"),
                    round(pm25, 1),
                    round(pm25 * rng.uniform(1.4, 1.9), 1),
                    round(rng.uniform(8, 60), 1),
                    round(rng.uniform(26, 35), 1),
                    rng.randint(55, 95),
                )
            )
    return _csv(
        [
            "ma_tram",
            "quan_huyen",
            "thoi_gian",
            "pm25_ugm3",
            "pm10_ugm3",
            "no2_ugm3",
            "nhiet_do_c",
            "do_am_pct",
        ],
        rows,
    )


def water_supply(rng: random.Random) -> bytes:
    rows = []
    for district, wards in DISTRICTS.items():
        for ward in wards:
            for year in (2023, 2024, 2025):
                rows.append(
                    (
                        year,
                        district,
                        ward,
                        rng.randint(3000, 25000),
                        round(rng.uniform(85, 100), 1),
                        round(rng.uniform(0.8, 3.2), 2),
                    )
                )
    return _csv(
        [
            "nam",
            "quan_huyen",
            "phuong_xa",
            "so_ho_su_dung",
            "ty_le_ho_co_nuoc_sach_pct",
            "san_luong_trieu_m3",
        ],
        rows,
    )


def hospitals(rng: random.Random) -> bytes:
    kinds = ["Bệnh viện đa khoa", "Bệnh viện chuyên khoa", "Trung tâm y tế", "Trạm y tế"]
    names = [
        "Chợ Rẫy",
        "Nhân dân 115",
        "Nhi Đồng 1",
        "Từ Dũ",
        "Hùng Vương",
        "Thống Nhất",
        "Gia Định",
        "Bình Dân",
        "Nguyễn Tri Phương",
        "Trưng Vương",
    ]
    rows = []
    for n in range(1, 181):
        district, ward, lat, lon = _place(rng)
        kind = rng.choice(kinds)
        name = f"{kind} {rng.choice(names)}" if n <= 40 else f"{kind} {ward}"
        rows.append(
            (
                n,
                name,
                kind,
                _address(rng),
                ward,
                district,
                rng.randint(10, 2000),
                "Có" if n % 3 else "Không",
                lat,
                lon,
            )
        )
    return _csv(
        [
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
        ],
        rows,
    )


def schools(rng: random.Random) -> bytes:
    levels = ["Mầm non", "Tiểu học", "Trung học cơ sở", "Trung học phổ thông"]
    rows = []
    for n in range(1, 801):
        district, ward, lat, lon = _place(rng)
        level = rng.choice(levels)
        rows.append(
            (
                f"TH{n:04d}",
                f"Trường {level} {rng.choice(STREETS)}",
                level,
                rng.choice(["Công lập", "Tư thục"]),
                _address(rng),
                ward,
                district,
                rng.randint(150, 2500),
                rng.randint(10, 120),
                lat,
                lon,
            )
        )
    return _csv(
        [
            "ma_truong",
            "ten_truong",
            "cap_hoc",
            "loai_hinh",
            "dia_chi",
            "phuong_xa",
            "quan_huyen",
            "so_hoc_sinh",
            "so_giao_vien",
            "vi_do",
            "kinh_do",
        ],
        rows,
    )


def wifi(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 601):
        district, ward, lat, lon = _place(rng)
        rows.append(
            (
                f"WF{n:04d}",
                f"HCMC_FreeWiFi_{n:04d}",
                rng.choice(["Công viên", "Nhà chờ xe buýt", "Chợ", "Phố đi bộ", "Bến xe"]),
                ward,
                district,
                lat,
                lon,
                rng.choice(["Hoạt động", "Hoạt động", "Hoạt động", "Bảo trì"]),
            )
        )
    return _csv(
        [
            "ma_diem",
            "ten_mang",
            "loai_dia_diem",
            "phuong_xa",
            "quan_huyen",
            "vi_do",
            "kinh_do",
            "trang_thai",
        ],
        rows,
    )


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
    return _csv(
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
    rows = []
    for district, wards in DISTRICTS.items():
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
    return _csv(
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
    return _csv(["nam", "linh_vuc", "noi_dung_chi", "du_toan_vnd", "thuc_hien_vnd"], rows)


def garbage_schedule(rng: random.Random) -> bytes:
    rows = []
    for district, wards in DISTRICTS.items():
        for ward in wards:
            rows.append(
                (
                    district,
                    ward,
                    rng.choice(["18:00", "19:00", "20:00", "21:00"]),
                    rng.choice(["Hằng ngày", "Thứ 2, 4, 6", "Thứ 3, 5, 7"]),
                    f"Tổ thu gom {ward}",
                )
            )
    return _csv(["quan_huyen", "phuong_xa", "gio_thu_gom", "lich", "don_vi_thu_gom"], rows)


def building_permits(rng: random.Random) -> bytes:
    """Permits as an agency exports them: with the owners' personal data (stripped later)."""
    provinces = ["079", "074", "077", "001", "048", "092"]
    rows = []
    for n in range(1, 401):
        district, ward, _lat, _lon = _place(rng)
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
                f"{_address(rng)}, {ward}, {district}",
                ward,
                district,
                rng.choice(["Nhà ở riêng lẻ", "Sửa chữa, cải tạo"]),
                rng.randint(1, 6),
                round(rng.uniform(40, 400), 1),
            )
        )
    return _csv(
        [
            "so_giay_phep",
            "ngay_cap",
            "ho_ten_chu_dau_tu",
            "so_cccd",
            "so_dien_thoai",
            "ngay_sinh",
            "dia_chi_cong_trinh",
            "phuong_xa",
            "quan_huyen",
            "loai_cong_trinh",
            "so_tang",
            "dien_tich_san_m2",
        ],
        rows,
    )


def minimal_pdf(title: str) -> bytes:
    """Return a small valid one-page PDF (ASCII text) for a non-tabular resource."""
    text = title.encode("ascii", "replace").decode()
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
