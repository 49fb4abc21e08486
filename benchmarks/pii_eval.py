"""A held-out evaluation set for personal-data detection, labelled by column.

Written from /work/shared/VIETNAMESE.md (ID formats, header styles) and the shapes of files
agencies publish, before the detector was changed and without reading its patterns, so that
it measures the detector instead of restating it. Do not tune this file to the detector: when
the detector misses something here, fix the detector.

Each generated file is a table an agency could publish: lists of enterprises, households
receiving support, building permits, complaints, school and health registers, contact lists of
offices, social-insurance lists, and tables with no personal data at all. Values are dirty the
way real exports are: placeholders ("không có", "-", "N/A", empty), mixed phone formats,
numbers that lost their leading zero in Excel, dates as Excel serials, personal values inside
free text, headers in four styles or saying nothing ("Cột 5", "Thông tin khác").

Every column carries a label: the set of acceptable kinds (the first is the one counted per
kind), or an empty set for a column with no personal data. ``personal`` lists, per row, the
exact cell values a public file must not carry unchanged; ``planted`` lists values hidden
inside free-text cells (by row), which a public file must not carry anywhere in that cell.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

PLACEHOLDERS = ("không có", "-", "N/A", "", "", "chưa cập nhật", "x", "Không", "0", "--")

SURNAMES = [
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
    "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai",
    "Tạ", "Châu",
]  # fmt: skip
MIDDLES_M = [
    "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Gia", "Hoàng", "Ngọc", "Tấn",
]  # fmt: skip
MIDDLES_F = [
    "Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Bích", "Mỹ", "Hồng", "Phương", "Diệu",
]  # fmt: skip
GIVEN_M = [
    "Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Phúc", "Khoa", "Long", "Bảo", "Sơn", "Tài", "Hải",
    "Vinh", "Đạt", "Khang", "Trí",
]  # fmt: skip
GIVEN_F = [
    "Lan", "Hoa", "Mai", "Hương", "Thảo", "Trang", "Linh", "Ngân", "Yến", "Nhung", "Vy", "Hạnh",
    "Trinh", "Quyên", "Diễm",
]  # fmt: skip
STREETS = [
    "Nguyễn Trãi", "Lê Văn Sỹ", "Cách Mạng Tháng Tám", "Điện Biên Phủ", "Nguyễn Thị Minh Khai",
    "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Đăng Lưu", "Nguyễn Văn Linh", "Lê Đức Thọ",
    "Quang Trung", "Âu Cơ", "Tô Ký", "Kha Vạn Cân", "Võ Văn Ngân", "Huỳnh Tấn Phát",
    "Lũy Bán Bích", "Hậu Giang",
]  # fmt: skip
WARDS = [
    "Phường 2", "Phường 7", "Phường 12", "Phường Bến Thành", "Phường Tân Định",
    "Phường Linh Trung", "Phường Hiệp Bình Chánh", "Phường Tân Thới Hiệp", "Xã Tân Nhựt",
    "Xã Bình Hưng", "Phường An Lạc",
]  # fmt: skip
DISTRICTS = [
    "Quận 1", "Quận 3", "Quận 5", "Quận 8", "Quận 10", "Quận 12", "Quận Gò Vấp",
    "Quận Bình Thạnh", "Quận Tân Phú", "TP Thủ Đức", "Huyện Bình Chánh", "Huyện Hóc Môn",
    "Quận Bình Tân",
]  # fmt: skip
PROVINCES = ("079", "079", "079", "001", "031", "048", "074", "077", "092", "096", "080", "086")
MOBILE_PREFIXES = [
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "081",
    "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078", "079", "089",
    "090", "093", "052", "056", "058", "092", "059", "099", "087",
]  # fmt: skip
BUSINESS = [
    "CÔNG TY TNHH", "CÔNG TY CỔ PHẦN", "DOANH NGHIỆP TƯ NHÂN", "CÔNG TY TNHH MTV",
    "HỘ KINH DOANH",
]  # fmt: skip
TRADES = [
    "Thương mại dịch vụ", "Xây dựng", "Vận tải", "Thực phẩm", "May mặc", "Công nghệ", "In ấn",
    "Cơ khí", "Du lịch", "Nhựa", "Điện tử", "Nông sản",
]  # fmt: skip
BRANDS = [
    "Ánh Dương", "Phú Mỹ", "Sao Việt", "Hưng Thịnh", "Minh Long", "Đại Phát", "Tân Á",
    "Thành Công", "Bình An",
]  # fmt: skip
OFFICES = [
    "Ủy ban nhân dân", "Công an", "Trạm Y tế", "Trường Tiểu học", "Trường THCS", "Bưu điện",
    "Ban Quản lý chợ", "Đội Thanh tra xây dựng", "Trung tâm Văn hóa",
]  # fmt: skip
DIAGNOSES = [
    "Tăng huyết áp", "Đái tháo đường type 2", "Viêm phế quản cấp", "Sốt xuất huyết Dengue",
    "Rối loạn lipid máu", "Viêm dạ dày", "Hen phế quản", "Thoái hóa cột sống",
]  # fmt: skip
ICD = ("I10", "E11", "J20.9", "A97.0", "E78.5", "K29.7", "J45", "M47.8")
ETHNICITIES = ("Kinh", "Kinh", "Kinh", "Kinh", "Hoa", "Khmer", "Chăm", "Tày", "Nùng")
RELIGIONS = ("Không", "Không", "Không", "Phật giáo", "Công giáo", "Cao Đài", "Tin Lành")
BLOOD = ("A", "B", "AB", "O", "O+", "A+")
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.com.vn", "outlook.com")


@dataclass
class EvalFile:
    """One evaluation table: header, rows, and what a public copy must not carry."""

    name: str
    shape: str
    header: list[str]
    rows: list[list[str]]
    labels: dict[str, tuple[str, ...]]  # column -> acceptable kinds (empty: not personal)
    personal: dict[str, set[int]] = field(default_factory=dict)  # column -> rows with values
    planted: dict[str, dict[int, list[str]]] = field(
        default_factory=dict
    )  # column -> row -> values

    def to_csv_bytes(self, bom: bool = False) -> bytes:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


class _Gen:
    """Value factories on one random generator."""

    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd

    # people
    def name(self, female: bool | None = None, upper: bool = False) -> str:
        r = self.r
        female = r.random() < 0.5 if female is None else female
        middle = r.choice(MIDDLES_F if female else MIDDLES_M)
        given = r.choice(GIVEN_F if female else GIVEN_M)
        parts = [r.choice(SURNAMES), middle, given]
        if r.random() < 0.15:
            parts.insert(2, r.choice(MIDDLES_F if female else MIDDLES_M))
        text = " ".join(parts)
        return text.upper() if upper else text

    def birth(self, start: int = 1940, end: int = 2004) -> date:
        return date(start, 1, 1) + timedelta(days=self.r.randrange((end - start) * 365))

    def date_text(self, day: date, style: str | None = None) -> str:
        style = style or self.r.choice(["dmy", "dmy", "dmy", "iso", "dmy-", "serial", "d.m.y"])
        if style == "dmy":
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        if style == "dmy-":
            return f"{day.day}-{day.month}-{day.year}"
        if style == "d.m.y":
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        if style == "iso":
            return day.isoformat()
        return str((day - date(1899, 12, 30)).days)  # Excel serial

    def cccd(self, born: date | None = None, mangle: float = 0.0) -> str:
        r = self.r
        born = born or self.birth()
        female = r.random() < 0.5
        century = (born.year // 100 - 19) * 2 + (1 if female else 0)
        value = f"{r.choice(PROVINCES)}{century}{born.year % 100:02d}{r.randrange(10**6):06d}"
        if r.random() < mangle:
            value = value.lstrip("0")  # Excel turned it into a number
        elif r.random() < 0.1:
            value = f"{value[:3]} {value[3:6]} {value[6:]}"
        return value

    def cmnd(self) -> str:
        return f"0{self.r.choice('2345')}{self.r.randrange(10**7):07d}"

    def mobile(self, mangle: float = 0.0) -> str:
        r = self.r
        digits = r.choice(MOBILE_PREFIXES) + f"{r.randrange(10**7):07d}"
        style = r.random()
        if r.random() < mangle:
            return digits[1:]  # leading zero lost in Excel
        if style < 0.45:
            return digits
        if style < 0.6:
            return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
        if style < 0.7:
            return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
        if style < 0.8:
            return f"+84 {digits[1:]}"
        if style < 0.87:
            return f"84{digits[1:]}"
        if style < 0.94:
            return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"

    def landline(self) -> str:
        r = self.r
        number = f"{r.choice('3456789')}{r.randrange(10**7):07d}"
        style = r.random()
        if style < 0.3:
            return f"028 {number[:4]} {number[4:]}"
        if style < 0.5:
            return f"(028) {number}"
        if style < 0.7:
            return f"028{number}"
        if style < 0.85:
            return f"028.{number[:4]}.{number[4:]}"
        return f"28{number}"  # Excel dropped the zero

    def email(self, person: str | None = None) -> str:
        r = self.r
        from unicodedata import combining, normalize

        base = person or self.name()
        folded = (
            "".join(
                c
                for c in normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
                if not combining(c)
            )
            .lower()
            .split()
        )
        style = r.random()
        if style < 0.4:
            local = folded[-1] + "".join(p[0] for p in folded[:-1]) + str(r.randrange(60, 99))
        elif style < 0.7:
            local = f"{folded[-1]}.{folded[0]}"
        else:
            local = "".join(folded) + str(r.randrange(1, 999))
        return f"{local}@{r.choice(EMAIL_DOMAINS)}"

    def bhxh(self) -> str:
        return f"79{self.r.randrange(10**8):08d}"

    def bhyt(self) -> str:
        r = self.r
        group = r.choice(["HS", "GD", "HT", "DN", "CN", "TE", "BT", "HC", "XK"])
        value = f"{group}{r.choice('12345')}79{self.bhxh()}"
        return value if r.random() < 0.85 else f"{value[:2]} {value[2:5]} {value[5:]}"

    def plate(self) -> str:
        r = self.r
        code = r.choice(["50", "51", "52", "53", "54", "59", "61", "72", "41"])
        if r.random() < 0.5:
            return f"{code}{r.choice('ABCDEFGHK')}-{r.randrange(1000):03d}.{r.randrange(100):02d}"
        return (
            f"{code}-{r.choice('BCDEFGHKLMNPSTUVXYZ')}{r.randrange(1, 10)} "
            f"{r.randrange(1000):03d}.{r.randrange(100):02d}"
        )

    def passport(self) -> str:
        return f"{self.r.choice('BCN')}{self.r.randrange(10**7):07d}"

    def bank_account(self) -> str:
        return str(self.r.randrange(10**9, 10**14))

    def tax_code(self) -> str:
        """An enterprise tax code (MST) with a valid check digit."""
        weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
        while True:
            digits = "03" + f"{self.r.randrange(10**7):07d}"
            check = 10 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
            if check < 10:
                value = digits + str(check)
                return value if self.r.random() < 0.85 else f"{value}-00{self.r.randrange(1, 9)}"

    def street_address(self) -> str:
        r = self.r
        house = f"{r.randrange(1, 400)}"
        if r.random() < 0.3:
            house += f"/{r.randrange(1, 60)}"
        if r.random() < 0.2:
            return (
                f"Tổ {r.randrange(1, 30)}, Khu phố {r.randrange(1, 9)}, "
                f"{r.choice(WARDS)}, {r.choice(DISTRICTS)}"
            )
        return f"{house} {r.choice(STREETS)}, {r.choice(WARDS)}, {r.choice(DISTRICTS)}"

    def company(self) -> str:
        r = self.r
        return f"{r.choice(BUSINESS)} {r.choice(TRADES).upper()} {r.choice(BRANDS).upper()}"

    def placeholder(self) -> str:
        return self.r.choice(PLACEHOLDERS)


class _Table:
    """Builds one EvalFile column by column."""

    def __init__(self, name: str, shape: str, n_rows: int) -> None:
        self.file = EvalFile(name, shape, [], [[] for _ in range(n_rows)], {})
        self.n = n_rows

    def column(
        self,
        header: str,
        make: Callable[[int], str],
        kinds: tuple[str, ...] = (),
        fill: float = 1.0,
        filler: Callable[[], str] | None = None,
        rnd: random.Random | None = None,
        start: int = 0,
    ) -> None:
        """Add a column; ``fill`` of the rows from ``start`` on get a value, others a filler."""
        self.file.header.append(header)
        self.file.labels[header] = kinds
        rows = self.file.personal.setdefault(header, set()) if kinds else None
        for i, row in enumerate(self.file.rows):
            if i >= start and (fill >= 1.0 or (rnd is not None and rnd.random() < fill)):
                value = make(i)
                if rows is not None and value.strip():
                    rows.add(i)
            else:
                value = filler() if filler else ""
            row.append(value)

    def free_text(
        self, header: str, make: Callable[[int], tuple[str, list[str]]], kinds: tuple[str, ...]
    ) -> None:
        """Add a text column; ``make`` returns the text and the personal values inside it."""
        self.file.header.append(header)
        planted: dict[int, list[str]] = {}
        for i, row in enumerate(self.file.rows):
            text, inside = make(i)
            row.append(text)
            if inside:
                planted[i] = inside
        self.file.labels[header] = kinds if planted else ()
        if planted:
            self.file.planted[header] = planted


def _header(rnd: random.Random, *styles: str) -> str:
    return rnd.choice(styles)


# ---------------------------------------------------------------- shapes


def enterprises(g: _Gen, name: str, n: int) -> EvalFile:
    """A published list of enterprises: public tax codes next to the owner's personal data."""
    r = g.r
    t = _Table(name, "enterprises", n)
    t.column(_header(r, "STT", "stt", "TT"), lambda i: str(i + 1))
    t.column(
        _header(r, "MaSoDN", "Mã số doanh nghiệp", "ma_so_thue", "MST"), lambda i: g.tax_code()
    )
    t.column(_header(r, "TenDN", "Tên doanh nghiệp", "ten_doanh_nghiep"), lambda i: g.company())
    t.column(_header(r, "DiaChi", "Địa chỉ trụ sở", "dia_chi_tru_so"), lambda i: g.street_address())
    t.column(
        _header(r, "NgayCap", "Ngày cấp", "ngay_thanh_lap"),
        lambda i: g.date_text(g.birth(2005, 2024), r.choice(["dmy", "iso"])),
    )
    t.column(_header(r, "NganhNghe", "Ngành nghề kinh doanh chính"), lambda i: r.choice(TRADES))
    t.column(
        _header(r, "NguoiDaiDien", "Người đại diện theo pháp luật", "nguoi_dai_dien", "Chủ sở hữu"),
        lambda i: g.name(upper=r.random() < 0.3),
        ("person_name",),
    )
    if r.random() < 0.8:
        t.column(
            _header(r, "SoCCCD", "Số CCCD người đại diện", "CCCD", "Số giấy tờ pháp lý", "Cột 9"),
            lambda i: g.cccd(mangle=0.2),
            ("citizen_id", "id_card"),
            fill=r.choice([1.0, 0.6, 0.35]),
            filler=g.placeholder,
            rnd=r,
        )
    t.column(
        _header(r, "DienThoai", "Điện thoại", "SĐT liên hệ", "Thông tin liên hệ", "Cột 10"),
        lambda i: g.mobile(mangle=0.15),
        ("phone",),
        fill=r.choice([1.0, 0.5, 0.33]),
        filler=g.placeholder,
        rnd=r,
    )
    if r.random() < 0.6:
        t.column(
            _header(r, "Email", "Thư điện tử", "email_lien_he"),
            lambda i: g.email(),
            ("email",),
            fill=r.choice([0.8, 0.4, 0.25]),
            filler=g.placeholder,
            rnd=r,
        )
    if r.random() < 0.5:
        t.column(
            _header(r, "DiaChiThuongTru", "Địa chỉ thường trú người đại diện", "noi_o_chu_so_huu"),
            lambda i: g.street_address(),
            ("address",),
        )
    return t.file


def households(g: _Gen, name: str, n: int) -> EvalFile:
    """Households receiving support: a register of people with dirty contact columns."""
    r = g.r
    t = _Table(name, "households", n)
    t.column(_header(r, "STT", "TT"), lambda i: str(i + 1))
    t.column(
        _header(r, "Họ và tên chủ hộ", "ho_ten_chu_ho", "HO_TEN", "Chủ hộ"),
        lambda i: g.name(),
        ("person_name",),
    )
    births = [g.birth(1935, 1995) for _ in range(n)]
    year_only = r.random() < 0.4
    t.column(
        _header(r, "Năm sinh", "nam_sinh", "NS")
        if year_only
        else _header(r, "Ngày sinh", "NGAY_SINH"),
        lambda i: str(births[i].year) if year_only else g.date_text(births[i]),
        ("date_of_birth",),
    )
    t.column(
        _header(r, "Số CCCD", "so_cccd", "Số CCCD/CMND", "Số định danh cá nhân", "Giấy tờ"),
        lambda i: g.cccd(births[i], mangle=0.25) if r.random() < 0.85 else g.cmnd(),
        ("citizen_id", "id_card"),
        fill=r.choice([1.0, 0.7, 0.4]),
        filler=g.placeholder,
        rnd=r,
    )
    t.column(
        _header(r, "Địa chỉ thường trú", "dia_chi", "Nơi ở hiện tại", "Địa chỉ"),
        lambda i: g.street_address(),
        ("address",),
    )
    t.column(
        _header(r, "Số điện thoại", "sdt", "Điện thoại liên hệ", "Liên hệ"),
        lambda i: g.mobile(mangle=0.2),
        ("phone",),
        fill=r.choice([0.9, 0.5, 0.33, 0.2]),
        filler=g.placeholder,
        rnd=r,
    )
    t.column(
        _header(r, "Số tiền hỗ trợ (đồng)", "so_tien", "Mức hỗ trợ"),
        lambda i: r.choice(["1.500.000", "3000000", "2.000.000", "1000000", "500000"]),
    )
    t.column(_header(r, "Phường/Xã", "phuong_xa"), lambda i: r.choice(WARDS))

    def note(i: int) -> tuple[str, list[str]]:
        roll = r.random()
        if roll < 0.55:
            return r.choice(["", "", "Hộ nghèo", "Hộ cận nghèo", "Đã nhận", "Chưa nhận đủ"]), []
        if roll < 0.7:
            phone = g.mobile()
            return f"Liên hệ con trai: {phone}", [phone]
        if roll < 0.85:
            born = g.birth(1930, 1990)
            text = g.date_text(born, "dmy")
            return f"Vợ {g.name(female=True)} sinh ngày {text}, khuyết tật", [text]
        value = g.cccd(mangle=0.0)
        return f"Nhận thay, CCCD {value}", [value]

    if r.random() < 0.6:
        t.free_text(_header(r, "Ghi chú", "ghi_chu", "Ghi chú khác"), note, ("free_text",))
    return t.file


def permits(g: _Gen, name: str, n: int) -> EvalFile:
    """Building permits: the owner is a person, the rest is about a plot."""
    r = g.r
    t = _Table(name, "permits", n)
    t.column(
        _header(r, "so_giay_phep", "Số giấy phép", "SoGP"),
        lambda i: f"{r.randrange(1, 9999)}/GPXD-{r.choice(['UBND', 'SXD', 'QLĐT'])}",
    )
    t.column(
        _header(r, "ngay_cap", "Ngày cấp phép"),
        lambda i: g.date_text(g.birth(2018, 2025), r.choice(["dmy", "serial", "iso"])),
    )
    t.column(
        _header(r, "chu_dau_tu", "Chủ đầu tư", "Tên chủ hộ"),
        lambda i: (("Ông " if r.random() < 0.5 else "Bà ") if r.random() < 0.4 else "") + g.name(),
        ("person_name",),
    )
    if r.random() < 0.5:
        t.column(
            _header(r, "CMND/CCCD chủ đầu tư", "so_giay_to", "Cột 4"),
            lambda i: g.cccd(mangle=0.3),
            ("citizen_id", "id_card"),
            fill=0.5,
            filler=g.placeholder,
            rnd=r,
        )
    t.column(
        _header(r, "vi_tri", "Vị trí thửa đất"),
        lambda i: f"Thửa {r.randrange(1, 900)}, tờ bản đồ số {r.randrange(1, 80)}",
    )
    t.column(
        _header(r, "dien_tich_xd", "Diện tích xây dựng (m2)"), lambda i: f"{r.uniform(30, 400):.1f}"
    )
    t.column(_header(r, "so_tang", "Số tầng"), lambda i: str(r.randrange(1, 8)))
    if r.random() < 0.5:
        t.column(
            _header(r, "dien_thoai_chu_dau_tu", "Điện thoại", "SĐT"),
            lambda i: g.mobile(mangle=0.3),
            ("phone",),
            fill=r.choice([0.6, 0.3]),
            filler=g.placeholder,
            rnd=r,
        )
    return t.file


def complaints(g: _Gen, name: str, n: int) -> EvalFile:
    """Complaints and petitions: personal data mostly inside the free text."""
    r = g.r
    t = _Table(name, "complaints", n)
    t.column(_header(r, "ma_ho_so", "Mã hồ sơ"), lambda i: f"HS-{2024}-{r.randrange(10**5):05d}")
    t.column(
        _header(r, "ngay_tiep_nhan", "Ngày tiếp nhận"),
        lambda i: g.date_text(g.birth(2023, 2025), r.choice(["dmy", "serial"])),
    )
    t.column(
        _header(r, "linh_vuc", "Lĩnh vực"),
        lambda i: r.choice(["Đất đai", "Môi trường", "Xây dựng", "Giao thông"]),
    )

    def content(i: int) -> tuple[str, list[str]]:
        roll = r.random()
        street = r.choice(STREETS)
        if roll < 0.35:
            return r.choice(
                [
                    f"Phản ánh tình trạng ngập nước tại đường {street} sau mưa lớn.",
                    f"Đề nghị xử lý rác thải tập kết trái phép trên đường {street}.",
                    f"Kiến nghị theo Quyết định số {r.randrange(100, 9999)}/QĐ-UBND "
                    f"ngày 12/05/2023, diện tích {r.randrange(50, 500)} m2.",
                    f"Công trình thi công gây tiếng ồn sau 22 giờ, kinh phí dự toán "
                    f"{r.randrange(1, 90)}.{r.randrange(100, 999)}.000.000 đồng.",
                ]
            ), []
        if roll < 0.5:
            born = g.birth(1950, 1995)
            text = g.date_text(born, r.choice(["dmy", "dmy-"]))
            return f"Bà {g.name(female=True)}, sinh ngày {text}, khiếu nại về bồi thường.", [text]
        if roll < 0.6:
            year = str(g.birth(1945, 1995).year)
            lead = r.choice(["SN", "năm sinh", "Năm sinh:"])
            return f"Ông {g.name(female=False)} ({lead} {year}) đề nghị cấp lại sổ hồng.", [
                f"{lead} {year}"
            ]
        if roll < 0.75:
            phone = g.mobile()
            return (
                f"Người dân phản ánh tại hẻm {r.randrange(1, 300)} {street}, SĐT liên hệ {phone}.",
                [phone],
            )
        if roll < 0.85:
            value = g.cccd()
            return f"Công dân {g.name()} (CCCD số {value}) tố cáo hành vi lấn chiếm.", [value]
        if roll < 0.93:
            mail = g.email()
            return f"Phản hồi qua email {mail} giúp tôi.", [mail]
        born = g.birth(1950, 1995)
        text = g.date_text(born, "dmy")
        value = g.cccd(born)
        return f"Tôi tên {g.name()}, SN {text}, CCCD {value}, đề nghị giải quyết.", [text, value]

    t.free_text(
        _header(r, "noi_dung", "Nội dung đơn", "Nội dung phản ánh", "Tóm tắt"),
        content,
        ("free_text",),
    )
    t.column(
        _header(r, "nguoi_gui", "Người gửi", "Họ tên người khiếu nại"),
        lambda i: g.name(),
        ("person_name",),
        fill=r.choice([1.0, 0.6]),
        filler=lambda: r.choice(["Ẩn danh", "", "-"]),
        rnd=r,
    )
    t.column(
        _header(r, "trang_thai", "Trạng thái"),
        lambda i: r.choice(["Đã giải quyết", "Đang xử lý", "Chuyển cơ quan khác"]),
    )
    return t.file


def school(g: _Gen, name: str, n: int) -> EvalFile:
    """A school register: pupils, parents, health-insurance cards, ethnicity."""
    r = g.r
    t = _Table(name, "school", n)
    t.column(_header(r, "ma_hoc_sinh", "Mã HS", "MaHS"), lambda i: f"79{r.randrange(10**8):08d}")
    t.column(
        _header(r, "ho_ten", "Họ và tên học sinh", "HoTen"), lambda i: g.name(), ("person_name",)
    )
    t.column(
        _header(r, "ngay_sinh", "Ngày sinh", "NgaySinh"),
        lambda i: g.date_text(g.birth(2009, 2018)),
        ("date_of_birth",),
    )
    t.column(_header(r, "lop", "Lớp"), lambda i: f"{r.randrange(1, 13)}A{r.randrange(1, 8)}")
    t.column(
        _header(r, "dan_toc", "Dân tộc", "DanToc"), lambda i: r.choice(ETHNICITIES), ("ethnicity",)
    )
    t.column(
        _header(r, "ho_ten_phu_huynh", "Họ tên cha/mẹ", "Phụ huynh"),
        lambda i: g.name(),
        ("person_name",),
    )
    t.column(
        _header(r, "sdt_phu_huynh", "SĐT phụ huynh", "Điện thoại PH"),
        lambda i: g.mobile(mangle=0.35),
        ("phone",),
        fill=r.choice([0.9, 0.45]),
        filler=g.placeholder,
        rnd=r,
    )
    if r.random() < 0.6:
        t.column(
            _header(r, "ma_the_bhyt", "Mã thẻ BHYT", "Số thẻ BHYT"),
            lambda i: g.bhyt(),
            ("health_insurance",),
            fill=r.choice([1.0, 0.5]),
            filler=g.placeholder,
            rnd=r,
        )
    t.column(_header(r, "diem_tb", "Điểm TB"), lambda i: f"{r.uniform(4, 10):.1f}")
    return t.file


def health(g: _Gen, name: str, n: int) -> EvalFile:
    """A health register (UPPER_SNAKE, like the BHYT schemas)."""
    r = g.r
    t = _Table(name, "health", n)
    t.column("MA_LK", lambda i: f"{r.randrange(10**9):09d}")
    t.column("HO_TEN", lambda i: g.name(upper=True), ("person_name",))
    births = [g.birth(1930, 2020) for _ in range(n)]
    t.column("NGAY_SINH", lambda i: births[i].strftime("%Y%m%d"), ("date_of_birth",))
    t.column(
        "MA_THE_BHYT", lambda i: g.bhyt(), ("health_insurance",), fill=0.8, filler=lambda: "", rnd=r
    )
    t.column(
        "SO_CCCD",
        lambda i: g.cccd(births[i], mangle=0.1),
        ("citizen_id", "id_card"),
        fill=0.7,
        filler=g.placeholder,
        rnd=r,
    )
    t.column("DIA_CHI", lambda i: g.street_address(), ("address",))
    t.column("MA_BENH", lambda i: r.choice(ICD), ("health",))
    t.column("CHAN_DOAN", lambda i: r.choice(DIAGNOSES), ("health",))
    t.column("NHOM_MAU", lambda i: r.choice(BLOOD))  # blood type: not sensitive (Decree 13)
    t.column("MA_KHOA", lambda i: r.choice(["K01", "K02", "K03", "K19"]))
    t.column("T_TONGCHI", lambda i: str(r.randrange(50, 5000) * 1000))
    return t.file


def contacts(g: _Gen, name: str, n: int) -> EvalFile:
    """A contact list of offices: landlines, functional mailboxes, and the head's mobile."""
    r = g.r
    t = _Table(name, "contacts", n)
    t.column(
        _header(r, "Tên đơn vị", "ten_don_vi", "Đơn vị"),
        lambda i: f"{r.choice(OFFICES)} {r.choice(WARDS)}",
    )
    t.column(_header(r, "Địa chỉ", "dia_chi", "Trụ sở"), lambda i: g.street_address())
    mobiles = r.random() < 0.7
    t.column(
        _header(r, "Điện thoại", "dien_thoai", "Số điện thoại", "ĐT"),
        lambda i: g.mobile() if mobiles and r.random() < 0.3 else g.landline(),
        ("phone",),
    )
    t.column(
        _header(r, "Email", "Thư điện tử"),
        lambda i: (
            f"{r.choice(['vanphong', 'ubnd', 'tiepdan', 'yte', 'lienhe'])}."
            f"{r.choice(['q1', 'q3', 'p2', 'tdc', 'bc'])}@tphcm.gov.vn"
        ),
    )
    if r.random() < 0.6:
        t.column(
            _header(r, "Người phụ trách", "Lãnh đạo", "ho_ten_lanh_dao"),
            lambda i: g.name(),
            ("person_name",),
        )
        t.column(
            _header(r, "Chức vụ", "chuc_vu"),
            lambda i: r.choice(["Chủ tịch", "Trưởng trạm", "Hiệu trưởng", "Đội trưởng"]),
        )
        t.column(
            _header(r, "Di động", "di_dong", "SĐT cá nhân"),
            lambda i: g.mobile(mangle=0.2),
            ("phone",),
            fill=0.8,
            filler=g.placeholder,
            rnd=r,
        )
    return t.file


def insurance(g: _Gen, name: str, n: int) -> EvalFile:
    """Workers on a social-insurance list: BHXH numbers, bank accounts, passports."""
    r = g.r
    t = _Table(name, "insurance", n)
    t.column(_header(r, "STT", "TT"), lambda i: str(i + 1))
    t.column(
        _header(r, "ma_so_bhxh", "Mã số BHXH", "Số sổ BHXH"),
        lambda i: g.bhxh(),
        ("social_insurance",),
    )
    t.column(
        _header(r, "ho_ten_nguoi_lao_dong", "Họ tên NLĐ"), lambda i: g.name(), ("person_name",)
    )
    t.column(
        _header(r, "ngay_sinh", "Ngày tháng năm sinh"),
        lambda i: g.date_text(g.birth(1960, 2004), r.choice(["dmy", "serial"])),
        ("date_of_birth",),
    )
    t.column(
        _header(r, "so_tai_khoan", "STK", "Số tài khoản ngân hàng"),
        lambda i: g.bank_account(),
        ("bank_account",),
    )
    t.column(
        _header(r, "ngan_hang", "Ngân hàng"),
        lambda i: r.choice(["Vietcombank", "BIDV", "Agribank", "ACB"]),
    )
    if r.random() < 0.4:
        t.column(
            _header(r, "so_ho_chieu", "Số hộ chiếu"),
            lambda i: g.passport(),
            ("passport",),
            fill=0.3,
            filler=g.placeholder,
            rnd=r,
        )
    t.column(
        _header(r, "muc_luong", "Mức lương đóng BHXH"),
        lambda i: str(r.randrange(4_680, 36_000) * 1000),
    )
    return t.file


def vehicles(g: _Gen, name: str, n: int) -> EvalFile:
    """Vehicles registered to people (owner, plate, phone)."""
    r = g.r
    t = _Table(name, "vehicles", n)
    t.column(_header(r, "bien_so", "Biển số xe", "BKS"), lambda i: g.plate(), ("licence_plate",))
    t.column(_header(r, "chu_xe", "Chủ phương tiện"), lambda i: g.name(), ("person_name",))
    t.column(_header(r, "loai_xe", "Loại xe"), lambda i: r.choice(["Ô tô con", "Xe máy", "Xe tải"]))
    t.column(
        _header(r, "ngay_dang_ky", "Ngày đăng ký"),
        lambda i: g.date_text(g.birth(2015, 2025), "dmy"),
    )
    return t.file


def no_personal(g: _Gen, name: str, n: int) -> EvalFile:
    """Tables with no personal data: codes, amounts, dates, coordinates, office phones none."""
    r = g.r
    t = _Table(name, "no_personal", n)
    kind = r.choice(["budget", "stops", "air", "projects"])
    if kind == "budget":
        t.column("ma_chuong", lambda i: f"{r.randrange(400, 900)}")
        t.column(
            "noi_dung_chi",
            lambda i: r.choice(
                ["Chi thường xuyên", "Chi đầu tư phát triển", "Chi sự nghiệp giáo dục"]
            ),
        )
        t.column("du_toan", lambda i: str(r.randrange(10**9, 10**12)))
        t.column("thuc_hien", lambda i: str(r.randrange(10**8, 10**12)))
        t.column("ngay_quyet_dinh", lambda i: g.date_text(g.birth(2020, 2025), "dmy"))
        t.column("so_quyet_dinh", lambda i: f"{r.randrange(1, 9999)}/QĐ-UBND")
    elif kind == "stops":
        t.column("ma_tram", lambda i: f"Q{r.randrange(1, 12)}-{r.randrange(10**4):04d}")
        t.column("ten_tram", lambda i: f"Trạm {r.choice(STREETS)}")
        t.column("vi_do", lambda i: f"{r.uniform(10.6, 10.9):.6f}")
        t.column("kinh_do", lambda i: f"{r.uniform(106.5, 106.9):.6f}")
        t.column("tuyen", lambda i: ", ".join(str(r.randrange(1, 150)) for _ in range(3)))
    elif kind == "air":
        t.column(
            "thoi_gian",
            lambda i: f"2025-0{r.randrange(1, 9)}-1{r.randrange(0, 9)} {r.randrange(0, 23):02d}:00",
        )
        t.column("tram_quan_trac", lambda i: r.choice(DISTRICTS))
        t.column("pm25", lambda i: f"{r.uniform(5, 90):.1f}")
        t.column("aqi", lambda i: str(r.randrange(10, 200)))
        t.column("ma_thiet_bi", lambda i: f"{r.randrange(10**11, 10**12)}")
    else:
        t.column("ma_du_an", lambda i: f"7{r.randrange(10**6):06d}")
        t.column("ten_du_an", lambda i: f"Xây dựng trường học {r.choice(WARDS)}")
        t.column("chu_dau_tu", lambda i: f"Ban Quản lý dự án ĐTXD {r.choice(DISTRICTS)}")
        t.column("ma_so_thue_chu_dau_tu", lambda i: g.tax_code())
        t.column("tong_muc_dau_tu", lambda i: f"{r.randrange(10**9, 10**11):,}".replace(",", "."))
        t.column("nam_khoi_cong", lambda i: str(r.randrange(2015, 2026)))
        t.column("dien_thoai_ban_qld", lambda i: g.landline())
    return t.file


SHAPES: dict[str, Callable[[_Gen, str, int], EvalFile]] = {
    "enterprises": enterprises,
    "households": households,
    "permits": permits,
    "complaints": complaints,
    "school": school,
    "health": health,
    "contacts": contacts,
    "insurance": insurance,
    "vehicles": vehicles,
    "no_personal": no_personal,
}


def late_personal(g: _Gen, name: str, n: int, after: int) -> EvalFile:
    """A register whose personal values start only after row ``after`` (placeholders before)."""
    r = g.r
    t = _Table(name, "late", n)
    t.column("stt", lambda i: str(i + 1))
    t.column("phuong", lambda i: r.choice(WARDS))
    t.column("so_tien", lambda i: str(r.randrange(5, 50) * 100_000))
    t.column("thong_tin_them", lambda i: g.mobile(), ("phone",), start=after, filler=lambda: "")
    t.column(
        "ma_giay_to", lambda i: g.cccd(), ("citizen_id", "id_card"), start=after, filler=lambda: "-"
    )
    return t.file


def generate_eval(seed: int = 16_2026, per_shape: int = 6) -> list[EvalFile]:
    """Return the evaluation set: ``per_shape`` files of each shape, plus two late files."""
    rnd = random.Random(seed)
    g = _Gen(rnd)
    files: list[EvalFile] = []
    for shape, make in SHAPES.items():
        for k in range(per_shape):
            n = rnd.choice([12, 40, 120, 300])
            files.append(make(g, f"{shape}-{k:02d}", n))
    files.append(late_personal(g, "late-00", 6_000, 5_200))
    files.append(late_personal(g, "late-01", 9_000, 7_500))
    return files
