"""Column-header normalisation and the lexicon of Vietnamese and English header tokens.

Agencies write the same header four ways (``ho_ten``, ``HoTen``, ``HO_TEN``, ``Họ và tên``) plus
English; every header is normalised to folded snake case before lookup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from datasets.personal.kinds import PersonalDataKind

K = PersonalDataKind


def fold(text: str) -> str:
    """Return ``text`` in NFC without tone marks, with đ/Đ mapped to d/D.

    NFKD does not decompose đ (U+0111), hence the explicit mapping.
    """
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_CAMEL_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CAMEL_ACRONYM_END = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_header(header: str) -> str:
    """Return the folded snake-case form of a header: ``HoTen`` and ``Họ Tên`` → ``ho_ten``."""
    text = fold(header.strip())
    text = _CAMEL_ACRONYM_END.sub("_", _CAMEL_LOWER_UPPER.sub("_", text))
    return _NON_ALNUM.sub("_", text.lower()).strip("_")


class HeaderRole(StrEnum):
    """What a header says when it names no personal-data kind."""

    PUBLIC = "public"  # a public identifier or place: suppresses detection in the column
    ORG_NAME = "org_name"  # the table describes organisations or facilities
    OTHER_DATE = "other_date"  # a date that is not a birth date
    PERSON_ENTITY = "person_entity"  # the table describes people (gender, patient id, ...)
    MEANINGLESS = "meaningless"  # ``cot_3``, ``Column7``, blank: only content can tell


@dataclass(frozen=True)
class HeaderInfo:
    """What the header of one column says: a kind with a strength in 0..1, and/or a role."""

    normalized: str
    kind: PersonalDataKind | None
    strength: float
    role: HeaderRole | None
    person_entity: bool
    org_qualified: bool


Target = PersonalDataKind | HeaderRole
_STRONG, _WEAK = 1.0, 0.5

_LEXICON: dict[Target, tuple[str, ...]] = {
    K.PERSON_NAME: (
        "ho_ten", "ho_va_ten", "ho_ten_day_du", "ho_dem", "ten_nguoi", "ten_nhan_vien",
        "ten_benh_nhan", "ten_khach_hang", "ten_chu_xe", "chu_xe", "chu_ho", "ten_chu_ho",
        "ten_hoc_sinh", "ten_can_bo", "ten_cong_dan", "nguoi_dang_ky", "nguoi_nop",
        "nguoi_lien_he", "nguoi_phan_anh", "nguoi_khai", "chu_so_huu", "ten_chu_so_huu",
        "full_name", "person_name", "first_name", "last_name", "surname", "given_name",
        "customer_name", "employee_name", "patient_name", "owner_name", "contact_person",
        "applicant", "applicant_name", "nguoi_dai_dien", "dai_dien_phap_luat", "nguoi_ky",
        "giam_doc", "hieu_truong", "legal_representative", "representative", "signed_by",
        "signer", "director",
    ),
    K.DATE_OF_BIRTH: (
        "ngay_sinh", "nam_sinh", "ngay_thang_nam_sinh", "sinh_ngay", "thang_nam_sinh",
        "date_of_birth", "dob", "birth_date", "birthdate", "birthday", "birth_year",
        "year_of_birth", "tuoi", "do_tuoi", "age",
    ),
    K.CITIZEN_ID: (
        "so_cccd", "cccd", "so_can_cuoc", "can_cuoc", "can_cuoc_cong_dan", "so_dinh_danh",
        "so_dinh_danh_ca_nhan", "ma_dinh_danh", "citizen_id", "national_id", "id_number",
        "personal_id", "so_cmnd_cccd", "cmnd_cccd",
    ),
    K.ID_CARD: (
        "so_cmnd", "cmnd", "chung_minh_nhan_dan", "so_chung_minh", "so_chung_minh_nhan_dan",
        "id_card", "id_card_number", "id_card_no",
    ),
    K.PASSPORT: ("so_ho_chieu", "ho_chieu", "passport", "passport_no", "passport_number"),
    K.PHONE: (
        "so_dien_thoai", "dien_thoai", "sdt", "so_dt", "di_dong", "so_di_dong",
        "dien_thoai_lien_he", "dien_thoai_di_dong", "phone", "phone_number", "mobile", "tel",
        "telephone", "cell_phone",
    ),
    K.EMAIL: (
        "email", "e_mail", "thu_dien_tu", "dia_chi_email", "dia_chi_thu_dien_tu",
        "email_address",
    ),
    K.ADDRESS: (
        "dia_chi", "dia_chi_thuong_tru", "noi_thuong_tru", "thuong_tru", "tam_tru",
        "dia_chi_tam_tru", "noi_o", "noi_o_hien_tai", "cho_o", "cho_o_hien_nay", "que_quan",
        "dia_chi_lien_he", "noi_cu_tru", "noi_sinh", "address", "home_address", "street_address",
        "residence",
    ),
    K.TAX_CODE: (
        "ma_so_thue", "mst", "ma_so_thue_ca_nhan", "mst_ca_nhan", "tax_code", "tax_id",
        "personal_tax_code",
    ),
    K.SOCIAL_INSURANCE: (
        "so_bhxh", "ma_so_bhxh", "ma_bhxh", "so_so_bhxh", "bhxh", "so_bao_hiem_xa_hoi",
        "social_insurance", "social_insurance_no", "social_insurance_number",
    ),
    K.HEALTH_INSURANCE: (
        "ma_the_bhyt", "so_the_bhyt", "the_bhyt", "bhyt", "ma_bhyt", "so_the_bao_hiem_y_te",
        "health_insurance", "health_insurance_card", "health_insurance_no",
    ),
    K.BANK_ACCOUNT: (
        "so_tai_khoan", "stk", "tai_khoan_ngan_hang", "so_tk", "so_the_ngan_hang",
        "so_the_atm", "bank_account", "account_number", "account_no", "iban", "card_number",
    ),
    K.LICENCE_PLATE: (
        "bien_so", "bien_so_xe", "bien_kiem_soat", "bks", "plate_number", "licence_plate",
        "license_plate", "plate",
    ),
    K.ETHNICITY: ("dan_toc", "ma_dan_toc", "ma_dantoc", "ethnicity", "ethnic", "chung_toc", "race"),
    K.RELIGION: ("ton_giao", "tin_nguong", "religion"),
    K.HEALTH: (
        "tinh_trang_suc_khoe", "suc_khoe", "chan_doan", "ma_benh", "benh_an", "tien_su_benh",
        "benh_ly", "benh", "ma_icd", "icd", "icd_code", "trieu_chung", "khuyet_tat",
        "ket_qua_xet_nghiem", "diagnosis", "medical_history", "health_status", "disease",
    ),
    K.CRIMINAL: (
        "tien_an", "tien_su", "hanh_vi_vi_pham", "toi_danh", "an_tich", "ly_lich_tu_phap",
        "loi_vi_pham", "criminal_record", "offence", "offense", "crime",
    ),
    K.BIOMETRIC: (
        "van_tay", "anh_chan_dung", "khuon_mat", "mong_mat", "sinh_trac_hoc", "fingerprint",
        "face_photo", "face", "biometric", "iris", "portrait",
    ),
    K.LOCATION: (
        "vi_tri", "toa_do", "kinh_do", "vi_do", "dinh_vi", "gps", "coordinates", "latitude",
        "longitude", "lat", "lon", "lng", "location",
    ),
    K.ONLINE_ACTIVITY: (
        "dia_chi_ip", "ip", "ip_address", "lich_su_truy_cap", "nhat_ky_truy_cap",
        "nhat_ky_dang_nhap", "lich_su_dang_nhap", "login_history", "ten_dang_nhap", "username",
        "user_name", "access_log", "user_agent",
        "device_id",
    ),
    K.ID_DOCUMENT_IMAGE: (
        "anh_cccd", "anh_can_cuoc", "hinh_cccd", "anh_cmnd", "hinh_cmnd", "scan_cccd",
        "id_card_image", "id_image", "id_document_image",
    ),
    K.FREE_TEXT: (
        "ghi_chu", "noi_dung", "mo_ta", "y_kien", "phan_anh", "trich_yeu", "comment",
        "comments", "description", "note", "notes", "remarks", "message", "feedback",
    ),
    HeaderRole.PUBLIC: (
        "ma_so_dn", "ma_so_doanh_nghiep", "ma_doanh_nghiep", "ma_so_thue_doanh_nghiep",
        "mst_doanh_nghiep", "mst_dn", "enterprise_code", "company_code", "business_code",
        "so_giay_phep", "so_quyet_dinh", "so_van_ban", "so_ky_hieu", "ma_ho_so", "so_hieu",
        "so_hoa_don", "so_chung_tu", "invoice_no", "invoice_number", "ma_san_pham", "ma_hang",
        "ma_vach", "barcode", "product_code", "ten_duong", "duong", "tuyen_duong", "street",
        "street_name", "phuong", "phuong_xa", "xa", "ward", "quan", "quan_huyen", "huyen",
        "district", "tinh", "tinh_thanh", "province", "city", "nhom_mau", "blood_type",
        "ngan_hang", "ten_ngan_hang", "bank_name", "benh_vien", "co_so_y_te",
    ),
    HeaderRole.ORG_NAME: (
        "ten_dn", "ten_doanh_nghiep", "ten_cong_ty", "ten_truong", "ten_co_so", "ten_benh_vien",
        "ten_tram", "ten_diem", "ten_to_chuc", "ten_cua_hang", "tru_so", "dia_chi_tru_so",
        "tru_so_chinh", "head_office", "company_name", "facility_name", "school_name",
        "hospital_name", "station_name", "organization", "organisation",
    ),
    HeaderRole.PERSON_ENTITY: (
        "gioi_tinh", "phai", "gender", "sex", "ma_benh_nhan", "ma_bn", "patient_id",
        "ma_nhan_vien", "employee_id", "ma_hoc_sinh", "student_id", "quan_he_chu_ho",
    ),
}  # fmt: skip

# Bare words that name a kind only when they are the whole header ("Tên" alone is a name,
# "tên đường" is not; "ĐT" is a phone number but "dt" is also "diện tích", area).
_EXACT_ONLY: dict[str, tuple[PersonalDataKind, float]] = {
    "ten": (K.PERSON_NAME, _WEAK),
    "name": (K.PERSON_NAME, _WEAK),
    "ho": (K.PERSON_NAME, _WEAK),
    "dt": (K.PHONE, _WEAK),
}

# Role names (a company's representative, a document's signer) are personal names but do not
# make the table a table about people.
_ROLE_NAMES = frozenset(
    {
        "nguoi_dai_dien", "dai_dien_phap_luat", "nguoi_ky", "giam_doc", "hieu_truong",
        "legal_representative", "representative", "signed_by", "signer", "director",
    }
)  # fmt: skip
_PERSON_ENTITY_KINDS = frozenset(
    {K.PERSON_NAME, K.DATE_OF_BIRTH, K.CITIZEN_ID, K.ID_CARD, K.PASSPORT, K.SOCIAL_INSURANCE}
)
# Words that make a contact or identifier column belong to an organisation ("MST người bán",
# "điện thoại doanh nghiệp").
_ORG_QUALIFIERS = frozenset(
    {"dn", "doanh_nghiep", "cong_ty", "tru_so", "nguoi_ban", "ben_ban", "seller", "company",
     "co_so", "cua_hang", "to_chuc", "enterprise", "business"}
)  # fmt: skip
_PERSONAL_QUALIFIERS = frozenset({"ca_nhan", "personal", "nguoi_nop_thue", "individual"})
_DATE_WORDS = frozenset({"ngay", "date", "nam", "year", "thang", "thoi_gian", "created", "time"})
_MEANINGLESS = re.compile(r"(?:cot|column|col|field|unnamed|c|f|truong|var)_?\d*")

_ENTRIES: tuple[tuple[tuple[str, ...], Target], ...] = tuple(
    (tuple(token.split("_")), target) for target, tokens in _LEXICON.items() for token in tokens
)
_COMPACT: dict[str, Target] = {"".join(words): target for words, target in _ENTRIES}


def _contains_words(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


def _find_match(words: list[str]) -> tuple[int, tuple[str, ...], Target] | None:
    """Pick the token that starts first, then the longest.

    Vietnamese is head-first ("địa chỉ người đại diện" is an address), so the earliest token
    names the column's content; longer tokens beat their prefixes ("dia_chi_email").
    """
    best: tuple[int, int, tuple[str, ...], Target] | None = None
    for phrase, target in _ENTRIES:
        n = len(phrase)
        for start in range(len(words) - n + 1):
            if tuple(words[start : start + n]) == phrase:
                key = (start, -len("".join(phrase)))
                if best is None or key < best[:2]:
                    best = (start, -len("".join(phrase)), phrase, target)
                break
    return None if best is None else (best[0], best[2], best[3])


def _match_compact(compact: str) -> tuple[int, tuple[str, ...], Target] | None:
    """Match headers written without separators ("hovaten", "sodienthoai")."""
    if compact in _COMPACT:
        return 0, (compact,), _COMPACT[compact]
    candidates = [
        (token, target)
        for token, target in _COMPACT.items()
        if len(token) >= 6 and compact.startswith(token)
    ]
    if not candidates:
        return None
    token, target = max(candidates, key=lambda item: len(item[0]))
    return 0, (token,), target


def classify_header(header: str) -> HeaderInfo:
    """Return what a column header says about the column's content."""
    normalized = normalize_header(header)
    if not normalized or _MEANINGLESS.fullmatch(normalized):
        return HeaderInfo(normalized, None, 0.0, HeaderRole.MEANINGLESS, False, False)
    words = normalized.split("_")
    org_qualified = any(_contains_words(words, tuple(q.split("_"))) for q in _ORG_QUALIFIERS)
    personal = any(_contains_words(words, tuple(q.split("_"))) for q in _PERSONAL_QUALIFIERS)
    if normalized in _EXACT_ONLY:
        kind, strength = _EXACT_ONLY[normalized]
        return HeaderInfo(normalized, kind, strength, None, False, False)
    match = _find_match(words) or _match_compact(normalized.replace("_", ""))
    dated = words[0] in _DATE_WORDS or "date" in normalized
    if match is None and len(words) > 1 and (words[0] == "ten" or words[-1] == "name"):
        # "Tên tuyến", "station_name": the rows are things, not people (person-name headers
        # such as "ten_nguoi_*" or "full_name" are in the lexicon and matched above).
        return HeaderInfo(normalized, None, 0.0, HeaderRole.ORG_NAME, False, org_qualified)
    if match is None or (dated and match[0] > 0):
        # "ngay_cap_cccd" is the issue date of an ID card, not an ID number
        role = HeaderRole.OTHER_DATE if dated or _DATE_WORDS & set(words) else None
        return HeaderInfo(normalized, None, 0.0, role, False, org_qualified and not personal)
    start, phrase, target = match
    if target in (HeaderRole.PUBLIC, HeaderRole.ORG_NAME) and (
        start > 0 or (len(phrase) == 1 and len(words) > 1)
    ):
        # Only a header that is, or starts with, a multi-word public name is public: "quan" is
        # a district but "nguoi_quan_ly" (manager) is not, nor "tinh_trang" (status).
        return HeaderInfo(normalized, None, 0.0, None, False, org_qualified and not personal)
    if isinstance(target, HeaderRole):
        return HeaderInfo(
            normalized, None, 0.0, target, target is HeaderRole.PERSON_ENTITY, org_qualified
        )
    entity = target in _PERSON_ENTITY_KINDS and "_".join(phrase) not in _ROLE_NAMES
    return HeaderInfo(normalized, target, _STRONG, None, entity, org_qualified and not personal)
