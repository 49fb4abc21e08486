"""Content matchers: does one cell value look like a given kind of personal data?

Every matcher takes a value already stripped and in NFC. Bare digit runs are ambiguous
(amounts, codes, enterprise tax codes), so the structure of each identifier is checked:
province codes, carrier prefixes, check digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from datasets.personal.headers import fold
from datasets.personal.kinds import PROVINCE_CODES, PersonalDataKind

K = PersonalDataKind

# Mobile prefixes after the 2018 renumbering (Viettel, VinaPhone, MobiFone, Vietnamobile,
# Gmobile, iTel, and the MVNOs on 055/087).
MOBILE_PREFIXES = frozenset(
    {
        "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
        "081", "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078",
        "079", "089", "090", "093", "052", "055", "056", "058", "092", "059", "099", "087",
    }
)  # fmt: skip
# Common Vietnamese family names (Nguyễn alone is ~38%), compared with their tone marks so that
# "Quận", "Trường" and "Văn phòng" are not taken for Quan, Trương and Văn.
FAMILY_NAMES = frozenset(
    {
        "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi",
        "đỗ", "hồ", "ngô", "dương", "lý", "trương", "đinh", "lâm", "mai", "tô", "hà", "lương",
        "cao", "châu", "tạ", "quách", "kiều", "thái", "vương", "la", "triệu", "lưu", "đoàn",
        "trịnh", "diệp", "thạch", "danh", "kim", "tăng", "giang", "khưu", "lại", "lữ", "mạc",
        "tống", "phùng", "đào", "thiều", "nghiêm", "khổng", "âu", "ông", "bạch", "bành",
        "biện", "cù", "đàm", "đồng", "hứa", "kha", "khúc", "lạc", "liêu", "mạch", "mẫn", "nhan",
        "ninh", "quan", "tất", "thân", "tiêu", "tôn", "từ", "uông", "ứng", "viên", "hầu", "lục",
        "mã", "chu", "chung", "doãn", "giáp", "hàn", "hồng", "lò", "quản", "sầm", "trình", "vi",
    }
)  # fmt: skip
_FOLDED_FAMILY_NAMES = frozenset(fold(name) for name in FAMILY_NAMES)
_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HEALTH_CARD = re.compile(r"[A-Z]{2}[1-5]\d{12}")
_PLATE = re.compile(
    r"(?P<area>\d{2})(?:[A-Z]{1,2}[-\s]?|-?[A-Z][A-Z0-9][-\s]?)\d{3}\.?\d{1,2}|"
    r"(?P<area2>\d{2})(?:[A-Z]{1,2}|-?[A-Z][A-Z0-9])[-\s]?\d{4,5}"
)
_DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_DATE_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_YEAR = re.compile(r"(?:19|20)\d{2}")
# A house number, an optional alley ("hẻm 45"), then a capitalised street name.
_HOUSE_STREET = re.compile(
    r"(?:số\s+)?\d+[a-z]?(?:/\d+[a-z]?)*,?\s+(?:(?:hẻm|hxh|ngõ|ngách|kiệt)\s*\d+(?:/\d+)*,?\s+)?"
    r"(?:đường\s+|phố\s+)?(?=[^\W\d_]{2,})",
    re.IGNORECASE,
)
_WARD = re.compile(r"\b(?:phuong|xa|thi tran|p\.|x\.|tt\.)\s*[a-z0-9]")
_DISTRICT = re.compile(r"\b(?:quan|huyen|thi xa|thanh pho|tp\.?|q\.|h\.|tx\.)\s*[a-z0-9]")
_HAMLET = re.compile(r"\b(?:to|ap|khu pho|kp\.?|thon|xom|hem|ngo|kiet)\s*\d+")


def digits_only(value: str) -> str:
    """Return ``value`` without spaces, dots, dashes and parentheses."""
    return _SEPARATORS.sub("", value)


def canonical_phone(value: str) -> str | None:
    """Return the national form (0xxxxxxxxx) of a Vietnamese phone number, or None."""
    number = digits_only(value)
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    if not number.isdigit():
        return None
    if len(number) == 10 and number[:3] in MOBILE_PREFIXES:
        return number
    if len(number) == 11 and number.startswith("02"):  # landline: 02x area code, 11 digits
        return number
    return None


def canonical_citizen_id(value: str) -> str:
    """Return the 12-digit form of an ID number, restoring a leading 0 lost to a spreadsheet.

    Every CCCD starts with 0 (province codes 001-096); an 11-digit value is taken for a CCCD
    stored as a number, unless it ends in 000 like a rounded amount.
    """
    number = digits_only(value)
    if len(number) == 11 and number.isdigit() and not number.endswith("000"):
        return "0" + number
    return number


def is_citizen_id(value: str) -> bool:
    """Return True for a 12-digit CCCD with a province code and a plausible birth year."""
    number = canonical_citizen_id(value)
    if len(number) != 12 or not number.isdigit() or number[:3] not in PROVINCE_CODES:
        return False
    century, year = number[3], int(number[4:6])
    # 0/1: born in the 1900s; 2/3: born in the 2000s (so far at most the 2030s).
    return century in "01" or (century in "23" and year <= 40)


def tax_check_digit(first9: str) -> int:
    """Return the check digit of a tax code (weights 31,29,23,19,17,13,7,5,3; mod 11)."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    total = sum(w * int(d) for w, d in zip(weights, first9, strict=True))
    return (10 - total % 11) % 10


def is_tax_code(value: str) -> bool:
    """Return True for a 10-digit tax code with a valid check digit, its 10-3 branch form,
    or a 12-digit personal ID number (the personal tax code since 1 Jul 2025)."""
    text = value.replace(" ", "")
    main, _, branch = text.partition("-")
    if branch and not (len(branch) == 3 and branch.isdigit()):
        return False
    if len(main) == 10 and main.isdigit():
        return tax_check_digit(main[:9]) == int(main[9])
    return not branch and is_citizen_id(main)


def is_id_card(value: str) -> bool:
    """Return True for an old ID card number: 9 digits, or 12 digits (2012-2016 issue)."""
    number = digits_only(value)
    return number.isdigit() and len(number) in (9, 12)


def is_social_insurance(value: str) -> bool:
    """Return True for a 10-digit social-insurance number."""
    number = digits_only(value)
    return len(number) == 10 and number.isdigit()


def is_health_insurance(value: str) -> bool:
    """Return True for a health-insurance card code: 2 letters, benefit level 1-5, 12 digits."""
    return _HEALTH_CARD.fullmatch(value.replace(" ", "").upper()) is not None


def is_bank_account(value: str) -> bool:
    """Return True for 6 to 19 digits (no national format: lengths vary by bank)."""
    number = digits_only(value)
    return number.isdigit() and 6 <= len(number) <= 19


def is_passport(value: str) -> bool:
    """Return True for a passport number: one letter and 7 or 8 digits."""
    return re.fullmatch(r"[A-Z]\d{7,8}", value.upper()) is not None


def is_phone(value: str) -> bool:
    """Return True for a Vietnamese mobile or landline number in any common writing."""
    return canonical_phone(value) is not None


def is_email(value: str) -> bool:
    """Return True for an e-mail address."""
    return _EMAIL.fullmatch(value) is not None


def is_licence_plate(value: str) -> bool:
    """Return True for a car or motorbike plate (province code 11-99)."""
    match = _PLATE.fullmatch(value.upper())
    if match is None:
        return False
    area = match.group("area") or match.group("area2")
    return 11 <= int(area) <= 99


def parse_date(value: str) -> date | None:
    """Return the date in ``dd/mm/yyyy``, ``d-m-yyyy``, ``dd.mm.yyyy`` or ISO form, or None."""
    match = _DATE_DMY.fullmatch(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _DATE_YMD.fullmatch(value)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups()[:3])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def birth_year_of(value: str) -> int | None:
    """Return the year of a birth date or a bare year (1900-2099), or None."""
    if _YEAR.fullmatch(value):
        return int(value)
    parsed = parse_date(value)
    return parsed.year if parsed else None


def is_age(value: str) -> bool:
    """Return True for an age in years (0-130)."""
    return value.isdigit() and int(value) <= 130


def is_address(value: str) -> bool:
    """Return True for a street address: a house number and street, or a hamlet in a ward.

    A ward or district alone ("Phường Bến Nghé", "Quận 1") is not a street address.
    """
    street = _HOUSE_STREET.match(value)
    if street and value[street.end()].isupper():
        return True
    text = fold(value).lower()
    has_area = _WARD.search(text) is not None or _DISTRICT.search(text) is not None
    return has_area and _HAMLET.search(text) is not None


def name_words(value: str) -> list[str] | None:
    """Return the words of a person's name written Vietnamese-style, or None."""
    words = value.split()
    if not 2 <= len(words) <= 6:
        return None
    for word in words:
        if not word.isalpha() or not word[0].isupper():
            return None
        if not (word.isupper() or word[1:].islower()):
            return None
    family = words[0].lower()
    if family in FAMILY_NAMES:
        return words
    # Names typed without diacritics by older systems ("NGUYEN VAN AN").
    ascii_only = fold(value) == value
    return words if ascii_only and family in _FOLDED_FAMILY_NAMES else None


def is_person_name(value: str) -> bool:
    """Return True for a full name that starts with a Vietnamese family name."""
    return name_words(value) is not None


VALUE_MATCHERS: dict[PersonalDataKind, Callable[[str], bool]] = {
    K.CITIZEN_ID: is_citizen_id,
    K.ID_CARD: is_id_card,
    K.PASSPORT: is_passport,
    K.PHONE: is_phone,
    K.EMAIL: is_email,
    K.TAX_CODE: is_tax_code,
    K.SOCIAL_INSURANCE: is_social_insurance,
    K.HEALTH_INSURANCE: is_health_insurance,
    K.BANK_ACCOUNT: is_bank_account,
    K.LICENCE_PLATE: is_licence_plate,
    K.ADDRESS: is_address,
    K.PERSON_NAME: is_person_name,
    K.DATE_OF_BIRTH: lambda v: birth_year_of(v) is not None or is_age(v),
}
# Kinds a column can be found to hold from its values alone, without a telling header.
CONTENT_KINDS: tuple[PersonalDataKind, ...] = (
    K.CITIZEN_ID, K.PHONE, K.EMAIL, K.HEALTH_INSURANCE, K.LICENCE_PLATE, K.ADDRESS,
    K.PERSON_NAME,
)  # fmt: skip
