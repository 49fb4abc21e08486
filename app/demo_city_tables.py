"""Generate the demo tables of the city's services with a fixed seed (nothing is downloaded).

Transport, air quality, water supply, health, schools, public Wi-Fi and waste collection.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.demo_files import table_csv
from app.demo_places import STREETS, WARD_NAMES, random_address, random_place


def bus_routes(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 121):
        a, b = rng.sample(WARD_NAMES, 2)
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
    return table_csv(
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
        ward, lat, lon = random_place(rng)
        rows.append(
            (
                f"BS{n:05d}",
                f"Trạm {rng.choice(STREETS)} {n}",
                random_address(rng),
                ward,
                lat,
                lon,
                rng.choice(["có mái che", "biển báo", "nhà chờ"]),
            )
        )
    return table_csv(
        [
            "ma_tram",
            "ten_tram",
            "dia_diem",
            "phuong_xa",
            "vi_do",
            "kinh_do",
            "loai_tram",
        ],
        rows,
    )


def parking(rng: random.Random) -> bytes:
    rows = []
    for n in range(1, 301):
        ward, lat, lon = random_place(rng)
        rows.append(
            (
                n,
                f"Bãi xe {rng.choice(STREETS)}",
                random_address(rng),
                ward,
                rng.randint(20, 600),
                rng.randint(0, 120),
                rng.choice([5000, 10000, 25000]),
                lat,
                lon,
            )
        )
    return table_csv(
        [
            "stt",
            "ten_bai",
            "dia_diem",
            "phuong_xa",
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
        ("QT01", "Phường Bến Thành"),
        ("QT02", "Phường Bình Thạnh"),
        ("QT03", "Phường Gò Vấp"),
        ("QT04", "Phường Thủ Đức"),
        ("QT05", "Xã Bình Chánh"),
        ("QT06", "Xã Cần Giờ"),
    ]
    start = datetime(2025, 10, 1)
    rows = []
    for hour in range(24 * 30):
        moment = start + timedelta(hours=hour)
        for code, ward in stations:
            pm25 = max(3.0, rng.gauss(32 if ward != "Xã Cần Giờ" else 14, 9))
            rows.append(
                (
                    code,
                    ward,
                    moment.isoformat(timespec="minutes"),
                    round(pm25, 1),
                    round(pm25 * rng.uniform(1.4, 1.9), 1),
                    round(rng.uniform(8, 60), 1),
                    round(rng.uniform(26, 35), 1),
                    rng.randint(55, 95),
                )
            )
    return table_csv(
        [
            "ma_tram",
            "phuong_xa",
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
    for ward in WARD_NAMES:
        for year in (2025, 2026):
            rows.append(
                (
                    year,
                    ward,
                    rng.randint(3000, 25000),
                    round(rng.uniform(85, 100), 1),
                    round(rng.uniform(0.8, 3.2), 2),
                )
            )
    return table_csv(
        [
            "nam",
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
        ward, lat, lon = random_place(rng)
        kind = rng.choice(kinds)
        name = f"{kind} {rng.choice(names)}" if n <= 40 else f"{kind} {ward}"
        rows.append(
            (
                n,
                name,
                kind,
                random_address(rng),
                ward,
                rng.randint(10, 2000),
                "Có" if n % 3 else "Không",
                lat,
                lon,
            )
        )
    return table_csv(
        [
            "stt",
            "ten_co_so",
            "loai_hinh",
            "dia_chi",
            "phuong_xa",
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
        ward, lat, lon = random_place(rng)
        level = rng.choice(levels)
        rows.append(
            (
                f"TH{n:04d}",
                f"Trường {level} {rng.choice(STREETS)}",
                level,
                rng.choice(["Công lập", "Tư thục"]),
                random_address(rng),
                ward,
                rng.randint(150, 2500),
                rng.randint(10, 120),
                lat,
                lon,
            )
        )
    return table_csv(
        [
            "ma_truong",
            "ten_truong",
            "cap_hoc",
            "loai_hinh",
            "dia_chi",
            "phuong_xa",
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
        ward, lat, lon = random_place(rng)
        rows.append(
            (
                f"WF{n:04d}",
                f"HCMC_FreeWiFi_{n:04d}",
                rng.choice(["Công viên", "Nhà chờ xe buýt", "Chợ", "Phố đi bộ", "Bến xe"]),
                ward,
                lat,
                lon,
                rng.choice(["Hoạt động", "Hoạt động", "Hoạt động", "Bảo trì"]),
            )
        )
    return table_csv(
        [
            "ma_diem",
            "ten_mang",
            "loai_dia_diem",
            "phuong_xa",
            "vi_do",
            "kinh_do",
            "trang_thai",
        ],
        rows,
    )


def garbage_schedule(rng: random.Random) -> bytes:
    rows = []
    for ward in WARD_NAMES:
        rows.append(
            (
                ward,
                rng.choice(["18:00", "19:00", "20:00", "21:00"]),
                rng.choice(["Hằng ngày", "Thứ 2, 4, 6", "Thứ 3, 5, 7"]),
                f"Tổ thu gom {ward}",
            )
        )
    return table_csv(["phuong_xa", "gio_thu_gom", "lich", "don_vi_thu_gom"], rows)
