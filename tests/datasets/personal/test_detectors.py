import random

import pytest

from datasets.personal import CURRENT_CATEGORIES, Finding, categories_on, scan_columns, scan_csv
from datasets.personal.kinds import PersonalDataKind
from datasets.personal.matchers import is_citizen_id, is_phone, is_tax_code

NAMES = [
    "Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Nam", "Phạm Minh Châu", "Huỳnh Thị Mai",
    "Võ Quốc Bảo", "Đặng Thu Hà", "Bùi Đức Thắng", "Hồ Ngọc Hân", "Ngô Thanh Vân",
]  # fmt: skip


def column(header, values):
    return scan_columns([header], [[v] for v in values])


def kinds(findings):
    return {f.column: f.kind for f in findings}


def proposals(findings):
    return {f.column: f.proposal for f in findings if f.proposal}


def test_finding_is_frozen_and_carries_no_values():
    (finding,) = column("so_cccd", ["079085012345", "001190123456"])
    assert finding == Finding("so_cccd", "citizen_id", 1.0, 1.0, False)
    with pytest.raises(AttributeError):
        finding.kind = "phone"
    assert "079085012345" not in repr(finding)


@pytest.mark.parametrize("header", ["ho_ten", "HoTen", "HO_TEN", "Họ và tên", "full_name"])
def test_name_column_found_in_every_header_style(header):
    (finding,) = column(header, NAMES)
    assert finding.kind == "person_name"
    assert finding.share == 1.0


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["079085012345", "001190123456", "048301004567", "092072345678"], "citizen_id"),
        (["0912 345 678", "+84 98 765 4321", "090.123.4567", "028 3822 1234"], "phone"),
        (["an.nguyen@gmail.com", "tranb@tphcm.gov.vn", "x_y@yahoo.com"], "email"),
        (["DN4797912345678", "HS4017901234567", "GD1797912345679"], "health_insurance"),
        (["51F-123.45", "59-X1 123.45", "30E-456.78", "51A-12345"], "licence_plate"),
        (["12 Lê Lợi, Phường Bến Nghé, Quận 1", "45/12 Nguyễn Trãi, P.2, Q.5"], "address"),
        (NAMES, "person_name"),
        (["12/05/1950", "01/01/1985", "30/06/2001", "1972-03-04", "5/9/1963"], "date_of_birth"),
    ],
)
def test_kind_found_by_content_under_a_meaningless_header(values, kind):
    (finding,) = column("cot_3", values)
    assert finding.kind == kind
    assert finding.share == 1.0


@pytest.mark.parametrize(
    ("header", "values", "kind"),
    [
        ("so_cmnd", ["025123456", "271234567"], "id_card"),
        ("ma_so_bhxh", ["7912345678", "7414123456"], "social_insurance"),
        ("so_tai_khoan", ["0071000123456", "19033456789012"], "bank_account"),
        ("ma_so_thue_ca_nhan", ["8012345673", "079085012345"], "tax_code"),
        ("so_ho_chieu", ["C1234567", "N7654321"], "passport"),
        ("Địa chỉ IP", ["113.161.1.2", "113.172.3.4"], "online_activity"),
        ("chan_doan", ["Tăng huyết áp", "Viêm phổi"], "health"),
        ("tien_an", ["Trộm cắp tài sản", "Không có"], "criminal"),
        ("van_tay", ["a3f9...", "b7c1..."], "biometric"),
    ],
)
def test_header_only_kinds_need_their_header(header, values, kind):
    assert kinds(column(header, values)) == {header: kind}
    assert column("cot_1", values) == () or kinds(column("cot_1", values))["cot_1"] != kind


def test_sensitive_flag_follows_the_categories_passed_in():
    rows = [["Nguyễn Văn An", "113.161.1.2"], ["Trần Thị Bích", "113.161.1.3"]]
    now = scan_columns(["ho_ten", "dia_chi_ip"], rows, categories=CURRENT_CATEGORIES)
    before = scan_columns(["ho_ten", "dia_chi_ip"], rows, categories=categories_on_2024())
    assert [f.sensitive for f in now] == [False, True]
    assert [f.sensitive for f in before] == [False, False]


def categories_on_2024():
    from datetime import date

    return categories_on(date(2024, 6, 1))


def test_enterprise_tax_codes_are_public():
    codes = ["0314409058", "0100233488", "0312687878", "0314409058-002"]
    assert all(is_tax_code(c) for c in codes)
    assert column("ma_so_dn", codes) == ()
    assert column("MaSoDN", codes) == ()
    assert column("Mã số doanh nghiệp", codes) == ()


def test_mst_is_public_in_a_list_of_companies_and_personal_in_a_list_of_people():
    companies = scan_columns(
        ["mst", "ten_doanh_nghiep"],
        [["0314409058", "Công ty TNHH Lê Lợi"], ["0100233488", "Công ty Cổ phần Sao Mai"]],
    )
    people = scan_columns(
        ["mst", "ho_ten"], [["8012345673", "Nguyễn Văn An"], ["0314409058", "Trần Thị Bích"]]
    )
    # Found in both (never silence); only the enterprise list's codes are proposed "keep".
    assert proposals(companies) == {"mst": "keep"}
    assert kinds(people)["mst"] == "tax_code"
    assert proposals(people) == {}


def test_seller_tax_code_on_an_invoice_is_public():
    assert proposals(column("MST người bán", ["0314409058", "0100233488"])) == {
        "MST người bán": "keep"
    }


def test_streets_wards_and_districts_named_after_people_are_not_names():
    streets = ["Lê Lợi", "Nguyễn Thị Minh Khai", "Trần Hưng Đạo", "Nguyễn Huệ"]
    wards = ["Phường Nguyễn Thái Bình", "Phường Bến Nghé", "Phường 12", "Xã Tân Nhựt"]
    districts = ["Quận 1", "Quận Bình Thạnh", "Huyện Bình Chánh", "Quận Gò Vấp"]
    table = scan_columns(
        ["ten_duong", "phuong", "quan"], zip(streets, wards, districts, strict=True)
    )
    assert table == ()
    assert column("cot_1", wards) == ()
    assert column("cot_2", districts) == ()


def test_dates_that_are_not_birth_dates_are_not_found():
    dates = ["12/05/2015", "01/01/2018", "30/06/2021", "2019-03-04", "5/9/2023"]
    assert column("ngay_cap", dates) == ()
    assert column("NgayBanHanh", dates) == ()
    assert column("cot_4", dates) == ()  # recent dates spanning a few years: events


@pytest.mark.parametrize(
    "values",
    [
        ["1250000", "1.250.000", "125000000", "2,500,000"],  # amounts
        ["SP00123", "MH-2024-0012", "8934563123456"],  # product codes and barcodes
        ["0001234", "HD00123456", "0012345678"],  # invoice numbers
        ["123/QĐ-UBND", "45/TB-UBND"],  # document numbers
        ["Công ty TNHH Lê Lợi", "Trường THCS Nguyễn Du", "Bệnh viện Chợ Rẫy"],
    ],
)
def test_hard_negatives_under_meaningless_headers(values):
    assert column("cot_2", values) == ()


def test_contact_details_of_facilities_are_public_but_staff_contacts_are_not():
    facilities = scan_columns(
        ["ten_truong", "dia_chi", "dien_thoai"],
        [["Trường THCS Lê Lợi", "12 Lê Lợi, Phường Bến Nghé, Quận 1", "028 3822 1234"]] * 3,
    )
    staff = scan_columns(
        ["ho_ten", "dien_thoai"], [["Nguyễn Văn An", "0912345678"], ["Lê Thị Hoa", "0987654321"]]
    )
    assert proposals(facilities) == {"dia_chi": "keep", "dien_thoai": "keep"}
    assert kinds(staff) == {"ho_ten": "person_name", "dien_thoai": "phone"}
    assert proposals(staff) == {}


def test_ethnicity_counts_are_statistics_but_a_residents_ethnicity_is_sensitive():
    stats = scan_columns(["dan_toc", "so_nguoi"], [["Kinh", "1200"], ["Hoa", "300"]])
    residents = scan_columns(["ho_ten", "dan_toc"], [["Nguyễn Văn An", "Kinh"], ["Lý Mỹ", "Hoa"]])
    assert stats == ()
    assert kinds(residents)["dan_toc"] == "ethnicity"
    assert [f.sensitive for f in residents] == [False, True]


def test_free_text_with_personal_values_inside():
    texts = [
        "Đề nghị sửa đèn đường Lê Lợi. Liên hệ: 0912345678.",
        "Rác thải tập kết sai nơi quy định, gửi từ an.nguyen@gmail.com",
        "Xe tải đậu lấn chiếm lòng đường Nguyễn Huệ vào giờ cao điểm.",
    ]
    (finding,) = column("noi_dung", texts)
    assert finding.kind == "free_text"
    assert finding.share == pytest.approx(2 / 3, abs=1e-3)
    assert column("noi_dung", [texts[2]] * 5) == ()


def test_phone_and_citizen_id_values_are_checked_structurally():
    assert is_phone("0912345678") and is_phone("+84912345678") and is_phone("02838221234")
    assert not is_phone("0314409058")  # enterprise tax code: 031 is no carrier prefix
    assert not is_phone("0012345678")
    assert is_citizen_id("079085012345")
    assert is_citizen_id("79085012345")  # stored as a number: leading 0 lost
    assert not is_citizen_id("003085012345")  # 003 is no province code
    assert not is_citizen_id("079985012345")  # century digit 9


def test_scan_csv_reads_every_row_and_placeholders_do_not_dilute(write_csv):
    rng = random.Random(7)
    rows = [["so_dien_thoai", "ghi_chu"]]
    rows += [["không có", "x"] for _ in range(6000)]
    rows += [[f"091{rng.randint(1000000, 9999999)}", "x"] for _ in range(50)]
    rows += [["-", "x"] for _ in range(500)]
    (found,) = scan_csv(write_csv(rows))
    assert (found.kind, found.share) == ("phone", 1.0)


def test_scan_csv_of_an_empty_file_or_a_header_only_file(write_csv, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert scan_csv(empty) == ()
    assert scan_csv(write_csv([["ho_ten", "so_cccd"]])) == ()


def test_scan_csv_accepts_a_utf8_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffHọ và tên\nNguyễn Văn An\nTrần Thị Bích\n", encoding="utf-8")
    assert kinds(scan_csv(path)) == {"Họ và tên": "person_name"}


def test_kind_values_are_personal_data_kinds():
    (finding,) = column("email", ["a@b.vn", "c@d.vn"])
    assert PersonalDataKind(finding.kind) is PersonalDataKind.EMAIL


def test_a_table_about_bus_routes_has_no_personal_data():
    header = ["MaTuyen", "TenTuyen", "GianCachChuyen", "DonViDamNhan", "SoDienThoai"]
    row = [
        "01",
        "Bến Thành - Chợ Lớn",
        "10 phút",
        "Công ty Cổ phần Xe khách Sài Gòn",
        "02838214444",
    ]
    # The operator's office line: found, and proposed "keep" (a rule would still win).
    assert proposals(scan_columns(header, [row] * 20)) == {"SoDienThoai": "keep"}


def test_a_staff_list_keeps_its_contacts_personal_despite_an_agency_column():
    header = ["don_vi", "ho_ten", "dien_thoai"]
    rows = [["Sở Giao thông Vận tải", name, f"09{i}1234567"] for i, name in enumerate(NAMES)]
    assert kinds(scan_columns(header, rows)) == {"ho_ten": "person_name", "dien_thoai": "phone"}


def test_a_repeated_short_list_is_a_category_not_names():
    assert column("quoc_tich", ["Việt Nam"] * 8 + ["Hàn Quốc"] * 12) == ()
