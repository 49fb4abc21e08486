import csv
import hashlib
import hmac

import pytest

from datasets.personal import (
    Action,
    ColumnDecision,
    Finding,
    InvalidDecision,
    MalformedTable,
    UnresolvedFinding,
    apply_actions,
    generalize_value,
    mask_value,
    scan_csv,
)

KEY = b"k" * 32
HEADER = ["ho_ten", "so_cccd", "so_dien_thoai", "email", "ngay_sinh", "dia_chi", "toa_do",
          "noi_dung", "so_luong"]  # fmt: skip
ROWS = [
    ["Nguyễn Văn An", "079085012345", "0912 345 678", "an.nguyen@gmail.com", "12/05/1985",
     "12 Lê Lợi, Phường Bến Nghé, Quận 1", "10.776912, 106.700981",
     "Liên hệ 0912345678 giúp tôi.", "3"],
    ["Trần Thị Bích", "001190123456", "+84 98 765 4321", "bich.tran@yahoo.com", "1990",
     "45/12 Nguyễn Trãi, P.2, Q.5", "10.75, 106.66", "Đèn đường hỏng.", "5"],
    ["", "", "", "", "", "", "", "", ""],
]  # fmt: skip


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def decision(column, kind, action, justification=""):
    return ColumnDecision(column, kind, Action(action), justification)


def finding(column, kind):
    return Finding(column, kind, 1.0, 1.0, False)


def strip(write_csv, tmp_path, decisions, findings=()):
    src = write_csv([HEADER, *ROWS])
    dst = tmp_path / "public.csv"
    result = apply_actions(src, dst, decisions, list(findings), hash_key=KEY)
    return result, read_csv(dst)


def column_of(table, name):
    index = table[0].index(name)
    return [row[index] for row in table[1:]]


def test_drop_removes_the_column_and_adjusts_the_header(write_csv, tmp_path):
    result, table = strip(write_csv, tmp_path, [decision("ho_ten", "person_name", "drop")])
    assert table[0] == HEADER[1:]
    assert result.header == tuple(HEADER[1:])
    assert result.dropped == ("ho_ten",)
    assert result.rows == 3
    assert not any("Nguyễn Văn An" in cell for row in table for cell in row)


def test_mask_keeps_the_last_three_digits_the_email_domain_and_initials(write_csv, tmp_path):
    decisions = [
        decision("so_cccd", "citizen_id", "mask"),
        decision("so_dien_thoai", "phone", "mask"),
        decision("email", "email", "mask"),
        decision("ho_ten", "person_name", "mask"),
    ]
    _, table = strip(write_csv, tmp_path, decisions)
    assert column_of(table, "so_cccd") == ["*********345", "*********456", ""]
    assert column_of(table, "so_dien_thoai") == ["**** *** 678", "+** ** *** *321", ""]
    assert column_of(table, "email") == ["***@gmail.com", "***@yahoo.com", ""]
    assert column_of(table, "ho_ten") == ["N. V. A.", "T. T. B.", ""]


def test_hash_is_keyed_stable_and_canonical(write_csv, tmp_path):
    decisions = [
        decision("so_dien_thoai", "phone", "hash"),
        decision("so_cccd", "citizen_id", "hash"),
    ]
    _, table = strip(write_csv, tmp_path, decisions)
    expected = hmac.new(KEY, b"0912345678", hashlib.sha256).hexdigest()
    phones = column_of(table, "so_dien_thoai")
    assert phones[0] == expected  # "0912 345 678" hashed in its national form
    assert phones[1] == hmac.new(KEY, b"0987654321", hashlib.sha256).hexdigest()
    assert phones[2] == ""
    assert column_of(table, "so_cccd")[0] == hmac.new(KEY, b"079085012345", "sha256").hexdigest()
    assert "079085012345" not in (tmp_path / "public.csv").read_text(encoding="utf-8")


def test_hash_with_another_key_differs(write_csv, tmp_path):
    src = write_csv([HEADER, *ROWS])
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    decisions = [decision("so_cccd", "citizen_id", "hash")]
    apply_actions(src, one, decisions, [], hash_key=KEY)
    apply_actions(src, two, decisions, [], hash_key=b"other key")
    assert column_of(read_csv(one), "so_cccd")[0] != column_of(read_csv(two), "so_cccd")[0]


def test_generalize_dates_addresses_and_coordinates(write_csv, tmp_path):
    decisions = [
        decision("ngay_sinh", "date_of_birth", "generalize"),
        decision("dia_chi", "address", "generalize"),
        decision("toa_do", "location", "generalize"),
    ]
    _, table = strip(write_csv, tmp_path, decisions)
    assert column_of(table, "ngay_sinh") == ["1985", "1990", ""]
    # the current wards these old ones became (issue 22), with the city
    assert column_of(table, "dia_chi") == [
        "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "Phường Chợ Quán, Thành phố Hồ Chí Minh",
        "",
    ]
    assert column_of(table, "toa_do") == ["10.78, 106.70", "10.75, 106.66", ""]


def test_generalize_ages_into_ten_year_bands():
    assert generalize_value("37", "date_of_birth") == "30-39"
    assert generalize_value("5", "date_of_birth") == "0-9"
    assert generalize_value("1985-05-12", "date_of_birth") == "1985"
    sai_gon = "Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert generalize_value("12 Lê Lợi P.Bến Nghé Q.1", "address") == sai_gon
    # a ward the catalogue does not know: the parts naming units, as written
    assert generalize_value("12 Lê Lợi P.Vô Danh Q.1", "address") == "P.Vô Danh Q.1"
    assert generalize_value("12 Lê Lợi", "address") == ""


def test_generalize_is_refused_for_kinds_without_a_coarser_form(write_csv, tmp_path):
    with pytest.raises(InvalidDecision, match="so_cccd"):
        strip(write_csv, tmp_path, [decision("so_cccd", "citizen_id", "generalize")])


def test_redact_free_text(write_csv, tmp_path):
    _, table = strip(write_csv, tmp_path, [decision("noi_dung", "free_text", "redact")])
    assert column_of(table, "noi_dung") == [
        "Liên hệ [số điện thoại] giúp tôi.",
        "Đèn đường hỏng.",
        "",
    ]


def test_keep_needs_a_justification(write_csv, tmp_path):
    with pytest.raises(InvalidDecision, match="justification"):
        strip(write_csv, tmp_path, [decision("ho_ten", "person_name", "keep", "  ")])
    assert not (tmp_path / "public.csv").exists()
    _, table = strip(
        write_csv,
        tmp_path,
        [decision("ho_ten", "person_name", "keep", "Officials' names are public")],
    )
    assert column_of(table, "ho_ten") == ["Nguyễn Văn An", "Trần Thị Bích", ""]


def test_unresolved_findings_raise_and_list_the_columns(write_csv, tmp_path):
    findings = [finding("ho_ten", "person_name"), finding("so_cccd", "citizen_id"),
                finding("email", "email")]  # fmt: skip
    with pytest.raises(UnresolvedFinding) as caught:
        strip(write_csv, tmp_path, [decision("ho_ten", "person_name", "drop")], findings)
    assert caught.value.columns == ("so_cccd", "email")
    assert not (tmp_path / "public.csv").exists()


def test_decision_for_an_unknown_column_is_invalid(write_csv, tmp_path):
    with pytest.raises(InvalidDecision, match="nope"):
        strip(write_csv, tmp_path, [decision("nope", "phone", "drop")])


def test_rows_longer_than_the_header_are_refused(write_csv, tmp_path):
    src = write_csv([["ho_ten"], ["Nguyễn Văn An", "079085012345"]])
    with pytest.raises(MalformedTable, match="row 2"):
        apply_actions(src, tmp_path / "out.csv", [], [], hash_key=KEY)
    assert not (tmp_path / "out.csv").exists()


def test_scan_then_strip_leaves_no_planted_citizen_id(write_csv, tmp_path):
    src = write_csv([HEADER, *ROWS])
    findings = scan_csv(src)
    decisions = [decision(f.column, f.kind, "drop") for f in findings]
    dst = tmp_path / "public.csv"
    apply_actions(src, dst, decisions, findings, hash_key=KEY)
    text = dst.read_text(encoding="utf-8")
    assert "079085012345" not in text and "0912345678" not in text
    assert read_csv(dst)[0] == ["so_luong"]


def test_mask_short_values_entirely():
    assert mask_value("1234") == "****"
    assert mask_value("51F-123.45") == "***-**3.45"
