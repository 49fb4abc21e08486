import pytest

from datasets.personal import normalize_header
from datasets.personal.headers import HeaderRole, classify_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ho_ten", "ho_ten"),
        ("HoTen", "ho_ten"),
        ("HO_TEN", "ho_ten"),
        ("Họ và tên", "ho_va_ten"),
        ("  Số CCCD ", "so_cccd"),
        ("MaSoDN", "ma_so_dn"),
        ("Đường", "duong"),
        ("MaTheBHYT", "ma_the_bhyt"),
        ("Ngày sinh (dd/mm/yyyy)", "ngay_sinh_dd_mm_yyyy"),
        ("Ho\u0300a", "hoa"),  # decomposed tone mark (NFD input)
    ],
)
def test_normalize_header_folds_all_four_styles(header, expected):
    assert normalize_header(header) == expected


@pytest.mark.parametrize(
    "header", ["ho_ten", "HoTen", "HO_TEN", "Họ và tên", "hovaten", "Full Name"]
)
def test_name_headers_in_every_style(header):
    assert classify_header(header).kind == "person_name"


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("so_dien_thoai", "phone"),
        ("SĐT", "phone"),
        ("Địa chỉ email", "email"),
        ("Địa chỉ thường trú", "address"),
        ("Số điện thoại người lao động", "phone"),
        ("Địa chỉ người đại diện", "address"),
        ("ma_so_thue_ca_nhan", "tax_code"),
        ("SoBHXH", "social_insurance"),
        ("Ảnh CCCD", "id_document_image"),
        ("Tôn giáo", "religion"),
        ("date_of_birth", "date_of_birth"),
    ],
)
def test_header_kinds(header, kind):
    assert classify_header(header).kind == kind


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("ma_so_dn", HeaderRole.PUBLIC),
        ("MaSoDN", HeaderRole.PUBLIC),
        ("Mã số doanh nghiệp", HeaderRole.PUBLIC),
        ("Tên đường", HeaderRole.PUBLIC),
        ("Địa chỉ trụ sở", HeaderRole.ORG_NAME),
        ("ngay_cap", HeaderRole.OTHER_DATE),
        ("ngay_cap_cccd", HeaderRole.OTHER_DATE),
        ("NgayBanHanh", HeaderRole.OTHER_DATE),
        ("cot_3", HeaderRole.MEANINGLESS),
        ("Unnamed: 4", HeaderRole.MEANINGLESS),
        ("", HeaderRole.MEANINGLESS),
    ],
)
def test_header_roles(header, role):
    info = classify_header(header)
    assert info.kind is None
    assert info.role is role


def test_bare_ten_is_a_weak_name_header_but_ten_dn_is_not_a_name():
    assert classify_header("Tên").strength == 0.5
    assert classify_header("TenDN").kind is None
    assert classify_header("ten_san_pham").kind is None


def test_seller_tax_code_is_qualified_as_an_organisation():
    assert classify_header("MST người bán").org_qualified
    assert not classify_header("MST cá nhân").org_qualified
