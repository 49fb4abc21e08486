"""Labelled synthetic corpus of Vietnamese tables for measuring personal-data detection.

Written independently of ``datasets.personal`` (nothing is imported from it): the tables imitate
what HCMC agencies publish, with the true kind of every column, including hard negatives that
look like personal data (enterprise tax codes, street names after famous people, issue dates,
amounts, product codes, public facility addresses and coordinates, aggregate statistics).
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

Gen = Callable[[random.Random], str]


@dataclass(frozen=True)
class LabelledTable:
    """One synthetic table; ``labels[i]`` is the true kind of column ``i`` or None."""

    name: str
    header: list[str]
    rows: list[list[str]]
    labels: list[str | None]


@dataclass(frozen=True)
class Col:
    """A column template: header phrases, true kind, value generator."""

    vi: tuple[str, ...]
    en: tuple[str, ...]
    kind: str | None
    gen: Gen
    blankable: bool = False  # content alone tells the kind, so the header may be meaningless


# ----------------------------------------------------------------------------- value pools
# fmt: off
FAMILY = (('Nguyễn', 380), ('Trần', 110), ('Lê', 95), ('Phạm', 70), ('Huỳnh', 30), ('Hoàng', 20),
    ('Phan', 45), ('Vũ', 20), ('Võ', 20), ('Đặng', 21), ('Bùi', 20), ('Đỗ', 14), ('Hồ', 13), ('Ngô',
    13), ('Dương', 10), ('Lý', 5), ('Trương', 10), ('Đinh', 7), ('Lâm', 6), ('Mai', 5), ('Tô', 3),
    ('Hà', 4), ('Lương', 4), ('Cao', 4), ('Châu', 3), ('Tạ', 2), ('Quách', 2), ('Thái', 2),
    ('Vương', 2), ('Triệu', 2), ('Lưu', 3), ('Đoàn', 4), ('Trịnh', 4), ('Diệp', 1), ('Thạch', 2),
    ('Danh', 1), ('Kim', 1), ('Tăng', 1), ('Giang', 1), ('Khưu', 1))
MIDDLE = ('Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Hoàng', 'Kim', 'Gia', 'Bảo',
    'Xuân', 'Thu', 'Công', 'Đình', 'Phương', 'Tấn', 'Anh', 'Trọng', 'Mỹ', 'Hồng', 'Thị Thu',
    'Thị Ngọc', 'Văn Minh')
GIVEN = ('An', 'Bình', 'Châu', 'Dũng', 'Hà', 'Hải', 'Hạnh', 'Hiếu', 'Hoa', 'Hùng', 'Hương', 'Khánh',
    'Lan', 'Linh', 'Long', 'Mai', 'Minh', 'Nam', 'Nga', 'Ngân', 'Phúc', 'Phương', 'Quân', 'Quang',
    'Sơn', 'Tâm', 'Thảo', 'Thắng', 'Trang', 'Trung', 'Tuấn', 'Vy', 'Yến', 'Đạt', 'Duy', 'Giang',
    'Huy', 'Khoa', 'Lộc', 'Nhung', 'Oanh', 'Phát', 'Tài', 'Thịnh', 'Tú', 'Uyên', 'Việt', 'Xuân',
    'Ý', 'Anh', 'Bảo', 'Cường', 'Diễm', 'Hậu', 'Kiệt', 'Loan', 'Mẫn', 'Nhân', 'Quyên')
STREETS = ('Lê Lợi', 'Nguyễn Huệ', 'Hai Bà Trưng', 'Trần Hưng Đạo', 'Nguyễn Thị Minh Khai',
    'Điện Biên Phủ', 'Cách Mạng Tháng Tám', 'Võ Văn Tần', 'Pasteur', 'Lý Tự Trọng',
    'Nam Kỳ Khởi Nghĩa', 'Lê Văn Sỹ', 'Nguyễn Văn Trỗi', 'Phan Xích Long', 'Hoàng Văn Thụ',
    'Cộng Hòa', 'Trường Chinh', 'Âu Cơ', 'Lạc Long Quân', 'Nguyễn Trãi', 'Phạm Ngũ Lão', 'Bùi Viện',
    'Đinh Tiên Hoàng', 'Xô Viết Nghệ Tĩnh', 'Nguyễn Đình Chiểu', 'Phan Đăng Lưu', 'Lê Quang Định',
    'Nguyễn Oanh', 'Quang Trung', 'Phan Văn Trị', 'Kha Vạn Cân', 'Võ Văn Ngân', 'Lê Văn Việt',
    'Tô Ký', 'Nguyễn Ảnh Thủ', 'Huỳnh Tấn Phát', 'Nguyễn Thị Thập', 'Nguyễn Hữu Thọ',
    'Lũy Bán Bích', 'Tân Kỳ Tân Quý', 'Kinh Dương Vương', 'Hồng Bàng', 'An Dương Vương',
    'Nguyễn Văn Cừ', 'Trần Não', 'Mai Chí Thọ', 'Phạm Văn Đồng', 'Bạch Đằng')
NAMED_WARDS = ('Bến Nghé', 'Bến Thành', 'Đa Kao', 'Nguyễn Thái Bình', 'Phạm Ngũ Lão',
    'Cầu Ông Lãnh', 'Cô Giang', 'Nguyễn Cư Trinh', 'Tân Định', 'Võ Thị Sáu', 'Thảo Điền', 'An Phú',
    'Bình Trưng Tây', 'Linh Trung', 'Hiệp Bình Chánh', 'Tân Thuận Đông', 'Tân Phong', 'Tân Kiểng',
    'Bình Hưng Hòa', 'Tân Sơn Nhì', 'Phú Thọ Hòa', 'Hiệp Phú', 'Long Thạnh Mỹ')
DISTRICTS = ('Quận 1', 'Quận 3', 'Quận 4', 'Quận 5', 'Quận 6', 'Quận 7', 'Quận 8', 'Quận 10',
    'Quận 11', 'Quận 12', 'Quận Bình Thạnh', 'Quận Gò Vấp', 'Quận Phú Nhuận', 'Quận Tân Bình',
    'Quận Tân Phú', 'Quận Bình Tân', 'Thành phố Thủ Đức', 'Huyện Bình Chánh', 'Huyện Củ Chi',
    'Huyện Hóc Môn', 'Huyện Nhà Bè', 'Huyện Cần Giờ')
# fmt: on
PROVINCES = ("079", "079", "079", "074", "075", "077", "080", "001", "038", "040", "052", "092")
# fmt: off
MOBILE_PREFIXES = ('032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097',
    '098', '081', '082', '083', '084', '085', '088', '091', '094', '070', '076', '077', '078',
    '079', '089', '090', '093', '052', '056', '058', '092', '059', '099', '087')
BHYT_GROUPS = ('DN', 'HC', 'CH', 'HT', 'TB', 'NO', 'CT', 'XB', 'TN', 'CN', 'HG', 'HS', 'SV', 'GD',
    'HN', 'DT', 'TE', 'CC', 'QN', 'CA', 'BT', 'XD', 'TS', 'TQ')
MAIL_DOMAINS = ('gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com',
    'tphcm.gov.vn', 'hcmus.edu.vn', 'fpt.com.vn')
# fmt: on


def fold(text: str) -> str:
    """Strip Vietnamese tone marks and map đ to d (the corpus's own helper)."""
    text = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _names(rng: random.Random) -> tuple[str, str, str]:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    r = rng.random()
    middle = "" if r < 0.05 else rng.choice(MIDDLE)
    given = rng.choice(GIVEN) if rng.random() < 0.88 else f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"
    return family, middle, given


def person_name(rng: random.Random) -> str:
    return " ".join(part for part in _names(rng) if part)


def ward(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return f"Phường {rng.randint(1, 27)}"
    return f"{rng.choice(['Phường', 'Phường', 'Xã'])} {rng.choice(NAMED_WARDS)}"


def district(rng: random.Random) -> str:
    return rng.choice(DISTRICTS)


def house_number(rng: random.Random) -> str:
    n = str(rng.randint(1, 450))
    r = rng.random()
    if r < 0.25:
        n += f"/{rng.randint(1, 90)}"
    if r < 0.08:
        n += f"/{rng.randint(1, 20)}"
    if rng.random() < 0.1:
        n += rng.choice("ABC")
    return n


def address(rng: random.Random) -> str:
    street, w, d = rng.choice(STREETS), ward(rng), district(rng)
    short_w = w.replace("Phường ", "P.").replace("Xã ", "X.")
    short_d = d.replace("Quận ", "Q.").replace("Huyện ", "H.")
    # fmt: off
    forms = (f'{house_number(rng)} {street}, {w}, {d}',
        f'{house_number(rng)} {street}, {w}, {d}, TP. Hồ Chí Minh',
        f'{house_number(rng)} {street}, {short_w}, {short_d}',
        f'Số {house_number(rng)} đường {street}, {w.lower()}, {d.lower()}',
        f'{house_number(rng)} Hẻm {rng.randint(2, 300)} {street}, {w}, {d}',
        f'Tổ {rng.randint(1, 30)}, Ấp {rng.randint(1, 8)}, {w}, {d}',
        f'{house_number(rng)} {street}', f'{house_number(rng)} {street} {short_w} {short_d}')
    # fmt: on
    return rng.choices(forms, weights=(5, 3, 3, 2, 2, 1, 2, 1))[0]


def citizen_id(rng: random.Random) -> str:
    century_sex = rng.choice("0101010123")
    year = f"{rng.randint(40, 99):02d}" if century_sex in "01" else f"{rng.randint(0, 8):02d}"
    return rng.choice(PROVINCES) + century_sex + year + _digits(rng, 6)


def id_card(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return rng.choice(("02", "02", "27", "28", "30", "36")) + _digits(rng, 7)
    return citizen_id(rng)  # 12-digit CMND issued 2012-2016 shares the CCCD pattern


def _phone_format(rng: random.Random, national: str) -> str:
    body = national[1:]
    # fmt: off
    forms = (national, national, f'{national[:4]} {national[4:7]} {national[7:]}',
        f'{national[:4]}.{national[4:7]}.{national[7:]}',
        f'{national[:4]}-{national[4:7]}-{national[7:]}', f'+84 {body[:2]} {body[2:5]} {body[5:]}',
        f'+84{body}', f'84{body}')
    # fmt: on
    return rng.choice(forms)


def mobile(rng: random.Random) -> str:
    return _phone_format(rng, rng.choice(MOBILE_PREFIXES) + _digits(rng, 7))


def landline(rng: random.Random) -> str:
    area = rng.choice(("028", "028", "028", "024", "0274", "0251"))
    n = area + _digits(rng, 11 - len(area))
    # fmt: off
    return rng.choice((n, f'({area}) {n[len(area):]}',
        f'{area} {n[len(area):len(area) + 4]} {n[len(area) + 4:]}', f'{area}.{n[len(area):]}'))
    # fmt: on


def phone(rng: random.Random) -> str:
    return landline(rng) if rng.random() < 0.15 else mobile(rng)


def email(rng: random.Random) -> str:
    family, middle, given = (fold(p).lower().replace(" ", "") for p in _names(rng))
    # fmt: off
    local = rng.choice((f'{family}{middle}{given}', f'{given}.{family}',
        f'{given}{family}{rng.randint(70, 99)}', f'{family[0]}{middle[:1]}{given}',
        f'{given}_{family}{rng.randint(1, 999)}'))
    # fmt: on
    return f"{local}@{rng.choice(MAIL_DOMAINS)}"


def mst_check(first9: str) -> str:
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    return str((10 - sum(w * int(d) for w, d in zip(weights, first9, strict=True)) % 11) % 10)


def _mst(rng: random.Random, prefix: str) -> str:
    while True:
        first9 = prefix + _digits(rng, 9 - len(prefix))
        # fmt: off
        total = sum((w * int(d) for w, d in zip((31, 29, 23, 19, 17, 13, 7, 5, 3), first9,
            strict=True)))
        # fmt: on
        if (10 - total % 11) < 10:  # codes whose check digit would be 10 are never issued
            return first9 + mst_check(first9)


def personal_tax_code(rng: random.Random) -> str:
    # Before 1 Jul 2025 individuals got 10-digit codes (commonly starting with 8); since then the
    # 12-digit personal ID number is the tax code.
    return citizen_id(rng) if rng.random() < 0.3 else _mst(rng, "8")


def enterprise_tax_code(rng: random.Random) -> str:
    code = _mst(rng, rng.choice(("03", "03", "03", "01", "37", "36")))
    return f"{code}-{rng.randint(1, 30):03d}" if rng.random() < 0.15 else code


def social_insurance(rng: random.Random) -> str:
    return rng.choice(("79", "79", "74", "75", "01", "48")) + _digits(rng, 8)


def health_insurance(rng: random.Random) -> str:
    # fmt: off
    return rng.choice(BHYT_GROUPS) + str(rng.randint(1, 5)) + rng.choice(('79', '79',
        '74')) + social_insurance(rng)
    # fmt: on


def bank_account(rng: random.Random) -> str:
    # fmt: off
    return rng.choice(('0071' + _digits(rng, 9), '190' + _digits(rng, 11), '314' + _digits(rng, 11),
        '1600' + _digits(rng, 9), _digits(rng, 8), '06' + _digits(rng, 10), '1010' + _digits(rng,
        8)))
    # fmt: on


def licence_plate(rng: random.Random) -> str:
    area = rng.choice(("51", "51", "50", "59", "52", "41", "61", "72", "30", "29"))
    letter = rng.choice("ABCDEFGHKLMNPSTUVXYZ")
    d5 = _digits(rng, 5)
    # fmt: off
    return rng.choice((f'{area}{letter}-{d5[:3]}.{d5[3:]}', f'{area}{letter}-{d5}',
        f'{area}{letter}{d5}', f'{area}{letter}D-{d5[:3]}.{d5[3:]}',
        f'{area}-{letter}{rng.randint(1, 9)} {d5[:3]}.{d5[3:]}',
        f'{area}{letter}{rng.randint(1, 9)}-{d5}', f'{area}-{letter}{rng.randint(1, 9)} {d5[:4]}'))
    # fmt: on


def _date(rng: random.Random, y0: int, y1: int) -> str:
    y, m, d = rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28)
    # fmt: off
    return rng.choice((f'{d:02d}/{m:02d}/{y}', f'{d}/{m}/{y}', f'{y}-{m:02d}-{d:02d}',
        f'{d:02d}-{m:02d}-{y}'))
    # fmt: on


def birth_date(rng: random.Random) -> str:
    return _date(rng, 1935, 2012)


def birth_year(rng: random.Random) -> str:
    return str(rng.randint(1935, 2012))


def recent_date(rng: random.Random) -> str:
    return _date(rng, 2012, 2025)


def passport(rng: random.Random) -> str:
    return rng.choice("BCNP") + _digits(rng, 7)


def coordinates(rng: random.Random) -> str:
    return f"{rng.uniform(10.70, 10.88):.6f}, {rng.uniform(106.60, 106.80):.6f}"


def pick(*values: str) -> Gen:
    return lambda rng: rng.choice(values)


def amount(rng: random.Random) -> str:
    v = rng.randint(1, 9000) * rng.choice((1000, 10000, 100000, 1000000))
    return rng.choice((str(v), f"{v:,}".replace(",", "."), f"{v:,}"))


def integer(lo: int, hi: int) -> Gen:
    return lambda rng: str(rng.randint(lo, hi))


def real(lo: float, hi: float, nd: int = 2) -> Gen:
    return lambda rng: f"{rng.uniform(lo, hi):.{nd}f}"


def code(prefix: str, width: int) -> Gen:
    return lambda rng: prefix + _digits(rng, width)


def ean13(rng: random.Random) -> str:
    return "893" + _digits(rng, 10)


def invoice_number(rng: random.Random) -> str:
    return rng.choice((_digits(rng, 7), "00" + _digits(rng, 8), f"HD{_digits(rng, 8)}"))


def document_number(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)}/{rng.choice(('QĐ-UBND', 'QĐ-SGTVT', 'TB-UBND', 'KH-SYT'))}"


# fmt: off
FEEDBACK = ('Đề nghị sửa chữa đèn chiếu sáng trên đường {street}',
    'Phản ánh tình trạng ngập nước tại hẻm {n} {street}, {ward}',
    'Rác thải tập kết không đúng nơi quy định gần chợ {ward}',
    'Xe tải đậu lấn chiếm lòng đường {street} vào giờ cao điểm',
    'Công trình xây dựng gây ồn sau 22 giờ tại {district}')
CONTACT = ('Liên hệ: {phone}', 'SĐT {phone}', 'số điện thoại {phone}', 'email {email}',
    'Người phản ánh: ông {name}, CCCD {cccd}', 'bà {name} - {phone}', 'gửi từ {email}',
    'Tôi là {name}, số CCCD {cccd}, điện thoại {phone}', 'xe biển số {plate} của tôi bị hư hại')
# fmt: on


def feedback_text(rng: random.Random, pii_share: float) -> str:
    # fmt: off
    fill = {'street': rng.choice(STREETS), 'n': str(rng.randint(2, 400)), 'ward': ward(rng),
        'district': district(rng)}
    # fmt: on
    text = rng.choice(FEEDBACK).format(**fill) + "."
    if rng.random() < pii_share:
        # fmt: off
        extra = rng.choice(CONTACT).format(phone=mobile(rng), email=email(rng),
            name=person_name(rng), cccd=citizen_id(rng), plate=licence_plate(rng))
        # fmt: on
        text = f"{text} {extra}." if rng.random() < 0.7 else f"{extra}. {text}"
    return text


# ----------------------------------------------------------------------------- column templates
# fmt: off
NAME = Col(('Họ và tên', 'Họ tên', 'Họ & tên', 'Họ, tên', 'Người nhận', 'Chủ hộ kinh doanh',
    'Tên người lao động', 'Họ tên người nộp đơn', 'Người đăng ký'), ('full_name', 'Name',
    'FullName'), 'person_name', person_name, blankable=True)
DOB = Col(('Ngày sinh', 'Ngày tháng năm sinh', 'Sinh ngày', 'Ngày sinh (dd/mm/yyyy)'),
    ('date_of_birth', 'DOB', 'BirthDate'), 'date_of_birth', birth_date, blankable=True)
# fmt: on
YOB = Col(("Năm sinh",), ("birth_year", "YearOfBirth"), "date_of_birth", birth_year)
GENDER = Col(("Giới tính", "Phái"), ("gender", "Sex"), None, pick("Nam", "Nữ"))
# fmt: off
CCCD = Col(('Số CCCD', 'CCCD', 'Số CMND/CCCD', 'Số căn cước công dân', 'Số định danh cá nhân',
    'Căn cước'), ('citizen_id', 'NationalID', 'id_number'), 'citizen_id', citizen_id,
    blankable=True)
CMND = Col(('Số CMND', 'CMND', 'Số chứng minh nhân dân'), ('id_card_number', 'IdCardNo'), 'id_card',
    id_card)
# fmt: on
PASSPORT = Col(("Số hộ chiếu", "Hộ chiếu"), ("passport_no", "PassportNumber"), "passport", passport)
# fmt: off
PHONE = Col(('Số điện thoại', 'Điện thoại', 'SĐT', 'Di động', 'Điện thoại liên hệ', 'ĐT',
    'SĐT liên hệ', 'Số ĐT', 'Liên hệ'), ('phone', 'PhoneNumber', 'mobile', 'tel'), 'phone', phone,
    blankable=True)
EMAIL = Col(('Email', 'Thư điện tử', 'Địa chỉ email', 'Mail'), ('email', 'E-mail', 'EmailAddress'),
    'email', email, blankable=True)
ADDRESS = Col(('Địa chỉ', 'Địa chỉ thường trú', 'Nơi ở hiện tại', 'Địa chỉ liên hệ', 'Tạm trú',
    'Chỗ ở hiện nay', 'Đ/c', 'Địa chỉ nhà'), ('address', 'HomeAddress'), 'address', address,
    blankable=True)
# fmt: on
WARD = Col(("Phường", "Phường xã", "Phường/Xã"), ("ward",), None, ward)
DISTRICT = Col(("Quận", "Quận huyện", "Quận/Huyện"), ("district",), None, district)
NATIONALITY = Col(("Quốc tịch",), ("nationality",), None, pick("Việt Nam", "Việt Nam", "Hàn Quốc"))
# fmt: off
ETHNIC = Col(('Dân tộc', 'Mã dân tộc'), ('ethnicity',), 'ethnicity', pick('Kinh', 'Kinh', 'Kinh',
    'Hoa', 'Khmer', 'Chăm', 'Tày', 'Nùng'))
RELIGION = Col(('Tôn giáo',), ('religion',), 'religion', pick('Không', 'Không', 'Phật giáo',
    'Công giáo', 'Tin lành', 'Cao Đài', 'Hòa Hảo'))
BHXH = Col(('Mã số BHXH', 'Số sổ BHXH', 'Số BHXH'), ('social_insurance_no',
    'SocialInsuranceNumber'), 'social_insurance', social_insurance)
BHYT = Col(('Mã thẻ BHYT', 'Số thẻ BHYT', 'Thẻ BHYT'), ('health_insurance_card',
    'HealthInsuranceNo'), 'health_insurance', health_insurance, blankable=True)
PTAX = Col(('Mã số thuế', 'MST', 'Mã số thuế cá nhân', 'MST cá nhân'), ('tax_id',
    'PersonalTaxCode'), 'tax_code', personal_tax_code)
ETAX = Col(('Mã số DN', 'Mã số doanh nghiệp', 'MST', 'Mã số thuế'), ('enterprise_code',), None,
    enterprise_tax_code)
SELLER_TAX = Col(('MST người bán', 'Mã số thuế bên bán'), ('seller_tax_code',), None,
    enterprise_tax_code)
BANK = Col(('Số tài khoản', 'STK', 'Tài khoản ngân hàng', 'Số TK'), ('bank_account',
    'AccountNumber'), 'bank_account', bank_account)
BANK_NAME = Col(('Ngân hàng', 'Tên ngân hàng'), ('bank_name',), None, pick('Vietcombank', 'BIDV',
    'Agribank', 'Techcombank', 'ACB', 'Sacombank'))
PLATE = Col(('Biển số', 'Biển số xe', 'Biển kiểm soát', 'BKS'), ('plate_number', 'LicensePlate'),
    'licence_plate', licence_plate, blankable=True)
DIAGNOSIS = Col(('Chẩn đoán', 'Tình trạng sức khỏe', 'Tiền sử bệnh', 'Bệnh lý'), ('diagnosis',),
    'health', pick('Tăng huyết áp', 'Đái tháo đường type 2', 'Viêm phổi', 'Sốt xuất huyết',
    'Gãy xương cẳng tay', 'Suy thận mạn', 'Bình thường'))
# fmt: on
ICD = Col(("Mã bệnh", "Mã ICD"), ("icd_code",), "health", pick("I10", "E11", "J18.9", "A91", "N18"))
# fmt: off
CRIME = Col(('Tiền án', 'Tội danh', 'Hành vi vi phạm', 'Tiền sự'), ('offence', 'CriminalRecord'),
    'criminal', pick('Trộm cắp tài sản', 'Cố ý gây thương tích', 'Lừa đảo chiếm đoạt tài sản',
    'Không có', 'Vượt đèn đỏ', 'Nồng độ cồn vượt mức'))
LOCATION = Col(('Tọa độ', 'Vị trí', 'Tọa độ nơi ở'), ('gps', 'coordinates'), 'location',
    coordinates)
FINGER = Col(('Vân tay', 'Ảnh chân dung', 'Khuôn mặt'), ('fingerprint', 'face_photo'), 'biometric',
    lambda rng: rng.choice(('bio_', 'img_',
    '')) + ''.join(rng.choice('0123456789abcdef') for _ in range(32)))
ID_IMAGE = Col(('Ảnh CCCD', 'Ảnh căn cước', 'Hình CCCD mặt trước'), ('id_card_image',),
    'id_document_image', lambda rng: f'uploads/cccd/{_digits(rng, 8)}_mat_truoc.jpg')
IP = Col(('Địa chỉ IP', 'Lịch sử truy cập', 'Nhật ký đăng nhập'), ('ip_address', 'LoginHistory'),
    'online_activity',
    lambda rng: f'113.{rng.randint(160, 190)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}')
JOB = Col(('Chức vụ', 'Nghề nghiệp', 'Phòng ban'), ('position', 'department'), None,
    pick('Chuyên viên', 'Trưởng phòng', 'Kế toán', 'Nhân viên', 'Phó giám đốc', 'Công nhân'))
AMOUNT = Col(('Số tiền', 'Thành tiền', 'Lương', 'Vốn điều lệ', 'Số tiền phạt', 'Đơn giá'),
    ('amount', 'TotalAmount'), None, amount, blankable=True)
COUNT = Col(('Số lượng', 'Số người', 'Số hộ', 'Số học sinh'), ('count', 'Quantity'), None,
    integer(1, 5000), blankable=True)
ISSUE_DATE = Col(('Ngày cấp', 'Ngày ban hành', 'Ngày hiệu lực', 'Ngày vi phạm', 'Ngày tiếp nhận',
    'Ngày lập', 'Ngày đăng ký'), ('issue_date', 'CreatedDate'), None, recent_date, blankable=True)
PRODUCT = Col(('Mã sản phẩm', 'Mã hàng', 'Mã vạch'), ('product_code', 'Barcode'), None,
    lambda rng: rng.choice((code('SP', 5)(rng), f'MH-{rng.randint(2019, 2025)}-{_digits(rng, 4)}',
    ean13(rng))), blankable=True)
# fmt: on
INVOICE = Col(("Số hóa đơn", "Số chứng từ"), ("invoice_no",), None, invoice_number, blankable=True)
# fmt: off
DOCNO = Col(('Số ký hiệu', 'Số quyết định', 'Số văn bản'), ('document_no',), None, document_number,
    blankable=True)
# fmt: on
STREET = Col(("Tên đường", "Đường", "Tuyến đường"), ("street", "StreetName"), None, pick(*STREETS))
LENGTH = Col(("Chiều dài (m)", "Bề rộng"), ("length_m",), None, real(50, 5000, 1), blankable=True)
YEAR = Col(("Năm đặt tên", "Năm", "Năm thành lập"), ("year",), None, integer(1955, 2024))


def company_name(rng: random.Random) -> str:
    kind = rng.choice(("TNHH", "Cổ phần", "TNHH MTV"))
    trade = rng.choice(("Thương mại", "Dịch vụ", "Xây dựng", "Sản xuất", "Vận tải"))
    return f"Công ty {kind} {trade} {rng.choice(STREETS)}"


def facility_name(rng: random.Random) -> str:
    kind = rng.choice(("Trường THCS", "Trường Tiểu học", "Trạm y tế", "Bệnh viện", "Trạm dừng"))
    return f"{kind} {rng.choice(STREETS)}"


ENT_NAME = Col(("Tên doanh nghiệp", "Tên DN", "Tên công ty"), ("company_name",), None, company_name)
HQ = Col(("Địa chỉ trụ sở", "Trụ sở chính"), ("head_office",), None, address)
# fmt: off
REPRESENTATIVE = Col(('Người đại diện', 'Người đại diện theo pháp luật', 'Giám đốc'),
    ('legal_representative',), 'person_name', person_name)
FACILITY_NAME = Col(('Tên trường', 'Tên cơ sở', 'Tên bệnh viện', 'Tên trạm', 'Tên điểm'),
    ('facility_name', 'SchoolName'), None, facility_name)
# fmt: on
LAT = Col(("Vĩ độ",), ("latitude", "lat"), None, real(10.70, 10.88, 6))
LON = Col(("Kinh độ",), ("longitude", "lon"), None, real(106.60, 106.80, 6))
# fmt: off
STATUS = Col(('Trạng thái', 'Tình trạng xử lý', 'Lĩnh vực'), ('status', 'category'), None,
    pick('Đã xử lý', 'Đang xử lý', 'Chưa xử lý', 'Giao thông', 'Môi trường'))
FREE_PII = Col(('Nội dung phản ánh', 'Nội dung', 'Ghi chú', 'Ý kiến'), ('description', 'comment'),
    'free_text', lambda rng: feedback_text(rng, 0.35))
FREE_CLEAN = Col(('Nội dung phản ánh', 'Trích yếu', 'Ghi chú', 'Mô tả'), ('description', 'summary'),
    None, lambda rng: feedback_text(rng, 0.0))
# fmt: on

PERSON_CORE = (NAME, DOB, YOB, GENDER, CCCD, PHONE, ADDRESS, WARD, DISTRICT, EMAIL)
# fmt: off
TEMPLATES: dict[str, tuple[tuple[Col, float], ...]] = {'residents': ((NAME, 1), (DOB, 0.6), (YOB,
    0.2), (GENDER, 0.7), (CCCD, 0.6), (CMND, 0.2), (PHONE, 0.6), (ADDRESS, 0.7), (WARD, 0.5),
    (DISTRICT, 0.5), (ETHNIC, 0.3), (RELIGION, 0.3), (EMAIL, 0.3), (NATIONALITY, 0.3), (PASSPORT,
    0.1)), 'employees': ((NAME, 1), (CMND, 0.4), (CCCD, 0.4), (BHXH, 0.7), (BHYT, 0.4), (PTAX, 0.6),
    (BANK, 0.6), (BANK_NAME, 0.4), (AMOUNT, 0.7), (JOB, 0.6), (DOB, 0.5), (PHONE, 0.4)),
    'patients': ((Col(('Mã bệnh nhân', 'Mã BN'), ('patient_id',), None, code('BN2024', 6)), 0.7),
    (NAME, 1), (YOB, 0.6), (DOB, 0.3), (GENDER, 0.8), (BHYT, 0.7), (DIAGNOSIS, 0.9), (ICD, 0.4),
    (ADDRESS, 0.5), (PHONE, 0.5), (ISSUE_DATE, 0.5)), 'traffic': ((PLATE, 1), (NAME, 0.6), (CRIME,
    0.8), (ISSUE_DATE, 0.9), (AMOUNT, 0.8), (STREET, 0.5), (STATUS, 0.5)),
    'feedback': ((Col(('Mã phản ánh',), ('ticket_id',), None, code('PA', 7)), 0.8), (FREE_PII, 1),
    (ISSUE_DATE, 0.8), (STATUS, 0.8), (WARD, 0.5), (DISTRICT, 0.5)), 'feedback_clean': ((FREE_CLEAN,
    1), (ISSUE_DATE, 0.8), (STATUS, 0.8), (DISTRICT, 0.5)), 'enterprises': ((ETAX, 1), (ENT_NAME,
    1), (HQ, 0.8), (ISSUE_DATE, 0.8), (REPRESENTATIVE, 0.7), (AMOUNT, 0.7), (JOB, 0.0), (STATUS,
    0.4)), 'streets': ((STREET, 1), (WARD, 0.9), (DISTRICT, 0.9), (LENGTH, 0.7), (YEAR, 0.5),
    (FREE_CLEAN, 0.3)), 'documents': ((DOCNO, 1), (ISSUE_DATE, 1), (FREE_CLEAN, 0.8), (STATUS, 0.5),
    (Col(('Người ký',), ('signed_by',), 'person_name', person_name), 0.6)), 'invoices': ((INVOICE,
    1), (PRODUCT, 0.9), (SELLER_TAX, 0.6), (COUNT, 0.8), (AMOUNT, 1), (ISSUE_DATE, 0.8)),
    'facilities': ((FACILITY_NAME, 1), (Col(('Địa chỉ',), ('address',), None, address), 0.9),
    (Col(('Điện thoại',), ('phone',), None, landline), 0.6), (LAT, 0.6), (LON, 0.6), (COUNT, 0.5),
    (REPRESENTATIVE, 0.3)), 'households_gps': ((NAME, 1), (LOCATION, 1), (ADDRESS, 0.6), (COUNT,
    0.6), (PHONE, 0.3)), 'criminal': ((NAME, 1), (CCCD, 0.8), (CRIME, 1), (DOCNO, 0.6), (ISSUE_DATE,
    0.6), (YOB, 0.5)), 'staff': ((NAME, 1), (JOB, 0.9), (EMAIL, 0.8), (PHONE, 0.8), (DOB, 0.3)),
    'statistics': ((Col(('Dân tộc', 'Tôn giáo'), ('ethnic_group',), None, pick('Kinh', 'Hoa',
    'Khmer', 'Chăm', 'Phật giáo', 'Công giáo')), 1), (COUNT, 1), (Col(('Tỷ lệ (%)',), ('share_pct',
    ), None, real(0, 100)), 0.8), (DISTRICT, 0.5)), 'identity_files': ((NAME, 1), (CCCD, 0.8),
    (ID_IMAGE, 0.8), (FINGER, 0.8), (ISSUE_DATE, 0.5)), 'online_users': ((EMAIL, 1), (PHONE, 0.5),
    (IP, 1), (ISSUE_DATE, 0.6))}
TEMPLATE_WEIGHTS = {'residents': 4, 'employees': 3, 'patients': 2, 'traffic': 2, 'feedback': 2,
    'feedback_clean': 1, 'enterprises': 3, 'streets': 2, 'documents': 2, 'invoices': 2,
    'facilities': 2, 'households_gps': 1, 'criminal': 1, 'staff': 2, 'statistics': 1,
    'identity_files': 1, 'online_users': 1}
# fmt: on
BLANKABLE = tuple(c for cols in TEMPLATES.values() for c, _ in cols if c.blankable)


# ----------------------------------------------------------------------------- headers
def _words(phrase: str) -> list[str]:
    # fmt: off
    return [w for w in fold(phrase).replace('/', ' ').replace('(', ' ').replace(')',
        ' ').replace('%', ' ').replace('-', ' ').split() if w]
    # fmt: on


def render_header(rng: random.Random, col: Col) -> str:
    """Write a header the way one of the agencies would: snake, Pascal, UPPER, display, English."""
    style = rng.choices(("snake", "pascal", "upper", "display", "english"), (3, 3, 2, 3, 1.5))[0]
    if style == "english":
        phrase = rng.choice(col.en)
        return phrase if rng.random() < 0.5 else phrase.lower()
    phrase = rng.choice(col.vi)
    if style == "display":
        return phrase
    words = _words(phrase)
    if style == "snake":
        return "_".join(w.lower() for w in words)
    if style == "upper":
        return "_".join(w.upper() for w in words)
    return "".join(w if w.isupper() and len(w) > 1 else w.capitalize() for w in words)


def meaningless_header(rng: random.Random, index: int) -> str:
    # fmt: off
    return rng.choice((f'cot_{index}', f'Column{index}', f'Unnamed: {index}', f'field_{index}',
        f'C{index}', f'cot{index}'))
    # fmt: on


# ----------------------------------------------------------------------------- tables
def _degrade(rng: random.Random, col: Col) -> Callable[[str], str]:
    """Pick how an export damaged a column, as real files are damaged."""
    r = rng.random()
    if col.kind == "person_name" and r < 0.2:
        return str.upper
    if col.kind == "person_name" and r < 0.3:
        return fold  # written without diacritics by an old system
    if col.kind in ("citizen_id", "phone") and r < 0.1:
        return lambda v: v.lstrip("0") if v.isdigit() else v  # Excel number: leading 0 lost
    if col.kind == "phone" and r < 0.2:
        return lambda v: v if rng.random() < 0.7 else f"{v} - {mobile(rng)}"  # two numbers
    return lambda v: v


def _fill(rng: random.Random, cols: list[Col], n_rows: int) -> list[list[str]]:
    missing = [rng.choice((0.0, 0.0, 0.02, 0.08, 0.3)) for _ in cols]
    damage = [_degrade(rng, c) for c in cols]
    rows = []
    for _ in range(n_rows):
        row = []
        for c, p_missing, degrade in zip(cols, missing, damage, strict=True):
            row.append("" if rng.random() < p_missing else degrade(c.gen(rng)))
        rows.append(row)
    return rows


def make_table(rng: random.Random, index: int) -> LabelledTable:
    """Build one labelled table from a template (or a headerless export of mixed columns)."""
    n_rows = rng.randint(25, 250)
    if rng.random() < 0.15:
        cols = rng.sample(BLANKABLE, rng.randint(3, 6))
        header = [meaningless_header(rng, i + 1) for i in range(len(cols))]
        # fmt: off
        return LabelledTable(f't{index:04d}_headerless', header, _fill(rng, cols, n_rows),
            [c.kind for c in cols])
        # fmt: on
    name = rng.choices(list(TEMPLATE_WEIGHTS), list(TEMPLATE_WEIGHTS.values()))[0]
    cols = [c for c, p in TEMPLATES[name] if rng.random() < p]
    header: list[str] = []
    for i, c in enumerate(cols):
        h = render_header(rng, c)
        if c.blankable and rng.random() < 0.05:
            h = meaningless_header(rng, i + 1)
        while h in header:
            h = f"{h}_{i}"
        header.append(h)
    # fmt: off
    return LabelledTable(f't{index:04d}_{name}', header, _fill(rng, cols, n_rows),
        [c.kind for c in cols])
    # fmt: on


def generate_corpus(seed: int = 20260101, n_tables: int = 600) -> list[LabelledTable]:
    """Return ``n_tables`` labelled tables, the same for the same seed."""
    rng = random.Random(seed)
    return [make_table(rng, i) for i in range(n_tables)]
