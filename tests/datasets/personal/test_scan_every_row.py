"""The scan reads every row, counts shares over values that could hold data, and is never silent.

The large file goes through ``analyse_table``: the same normalization, validation and scan a
new upload gets (the scan counts rows in the validation pass).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from datasets.personal import TableScanner, redact_text, scan_columns
from datasets.personal.scanner import SAMPLE_SIZE
from datasets.table_analysis import analyse_table
from datasets.validation import validate_table

PLACEHOLDERS = ["không có", "-", "N/A", "", "Không", "chưa cập nhật"]


def _mobile(rnd: random.Random) -> str:
    return f"09{rnd.choice('0134678')}{rnd.randrange(10**7):07d}"


def _cccd(rnd: random.Random) -> str:
    return f"079{rnd.choice('01')}{rnd.randrange(40, 99)}{rnd.randrange(10**6):06d}"


def test_personal_values_only_after_row_100000_of_a_million_rows_are_found(tmp_path: Path):
    rnd = random.Random(16)
    path = tmp_path / "ho-tro.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["stt", "phuong", "so_tien", "thong_tin_them", "ma_giay_to"])
        for i in range(1, 1_000_001):
            late = i > 100_000 and i % 7 == 0
            writer.writerow(
                [
                    i,
                    "Phường Bến Nghé" if i % 2 else "Phường Đa Kao",
                    (i % 50) * 100_000,
                    _mobile(rnd) if late else "",
                    _cccd(rnd) if late else "-",
                ]
            )
    analysis = analyse_table(path, path.name, tmp_path)
    assert analysis is not None
    assert analysis.validation["row_count"] == 1_000_000
    found = {f.column: (f.kind, f.share) for f in analysis.findings}
    assert found == {"thong_tin_them": ("phone", 1.0), "ma_giay_to": ("citizen_id", 1.0)}


def test_rows_the_validation_pass_stops_before_are_scanned_too(tmp_path: Path):
    rnd = random.Random(3)
    path = tmp_path / "loi.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["so_luong", "ghi_chu"])
        for i in range(1, 8001):
            # Rows 1,001-4,000 break the inferred integer type: validation stops at its cap.
            amount = "nhiều" if 1000 < i <= 4000 else str(i)
            writer.writerow([amount, f"Liên hệ {_mobile(rnd)}" if i > 6000 else "đã nhận"])
    analysis = analyse_table(path, path.name, tmp_path)
    assert analysis is not None and analysis.validation["truncated"]
    assert analysis.validation["row_count"] < 6000
    assert [(f.column, f.kind) for f in analysis.findings] == [("ghi_chu", "free_text")]


def test_placeholders_do_not_dilute_a_column():
    rnd = random.Random(5)
    rows = []
    for i in range(300):
        phone = _mobile(rnd) if i % 3 == 0 else rnd.choice(PLACEHOLDERS)
        email = f"nguoi{i}@gmail.com" if i % 4 == 0 else rnd.choice(PLACEHOLDERS)
        rows.append([f"Hộ {i}", phone, email])
    found = {f.column: (f.kind, f.share) for f in scan_columns(["ho", "lien_he", "cot_3"], rows)}
    assert found == {"lien_he": ("phone", 1.0), "cot_3": ("email", 1.0)}


def test_a_few_matches_above_the_floor_make_a_finding_with_their_share():
    rnd = random.Random(9)
    # An office list where 1 value in 12 is a person's mobile among invoice numbers.
    values = [_mobile(rnd) if i % 12 == 0 else f"HD-{i:06d}" for i in range(240)]
    (finding,) = scan_columns(["ma"], [[v] for v in values])
    assert (finding.kind, finding.share) == ("phone", pytest.approx(20 / 240, abs=1e-3))
    assert finding.proposal == ""


def test_a_citizen_id_and_a_birth_date_inside_free_text_are_found_and_redacted():
    notes = ["Đã nhận đủ"] * 20 + [
        "Nhận thay, CCCD 079185004321",
        "Vợ sinh ngày 10/01/1985, khuyết tật",
    ]
    (finding,) = scan_columns(["ghi_chu_khac"], [[n] for n in notes])
    assert (finding.column, finding.kind) == ("ghi_chu_khac", "free_text")
    assert finding.share == pytest.approx(2 / 22, abs=1e-3)
    for text, gone in [
        ("Vợ sinh ngày 10/01/1985, khuyết tật", "10/01/1985"),
        ("Ông Trần Văn Hùng (SN 1978) đề nghị cấp lại sổ hồng.", "1978"),
        ("Bà Lê Thị Mai, năm sinh: 1962, khiếu nại", "1962"),
        ("Tôi sinh ngày 5 tháng 3 năm 1990 tại Huế", "1990"),
        ("Ngày sinh: 1985-01-10.", "1985"),
    ]:
        redacted = redact_text(text)
        assert gone not in redacted and "[ngày sinh]" in redacted, redacted
    # A date that is not announced as a birth date stays.
    assert redact_text("Quyết định số 12/QĐ-UBND ngày 12/05/2023") == (
        "Quyết định số 12/QĐ-UBND ngày 12/05/2023"
    )


def test_the_scanner_keeps_counters_and_a_bounded_sample():
    scanner = TableScanner(["ma", "ten"])
    for start in range(0, 200_000, 20_000):
        scanner.feed([[str(i), f"Tên {i}"] for i in range(start, start + 20_000)])
    assert scanner.rows == 200_000
    assert all(len(c.sample) == SAMPLE_SIZE for c in scanner.columns)
    # The sample spreads over the whole file, not its first rows.
    late = sum(1 for v in scanner.columns[0].sample if int(v) >= 100_000)
    assert 0.4 * SAMPLE_SIZE < late < 0.6 * SAMPLE_SIZE


def test_the_validation_pass_hands_its_columns_and_ragged_batches_are_counted_alike(
    tmp_path: Path,
):
    """The scan counts the same whether the validation pass hands it columns or not."""
    rnd = random.Random(20)
    path = tmp_path / "lien-he.csv"
    rows = []
    for i in range(1, 45_001):
        phone = _mobile(rnd) if i % 3 == 0 else rnd.choice(PLACEHOLDERS)
        row = [str(i), phone, f"ghi chú {i}, sinh ngày 10/01/1985" if i % 5 == 0 else "-"]
        if i == 30_000:
            row = [*row, "ô thừa"]  # one ragged row: that batch is handed over as rows only
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["stt", "dien_thoai", "ghi_chu"])
        writer.writerows(rows)
    handed: list[bool] = []
    scanner = TableScanner(["stt", "dien_thoai", "ghi_chu"])

    def observe(batch: list[list[str]], columns: Sequence[tuple[str, ...]] | None) -> None:
        handed.append(columns is not None)
        scanner.feed(batch, columns)

    schema = {"fields": [{"name": n, "type": "string"} for n in ("stt", "dien_thoai", "ghi_chu")]}
    validate_table(path, schema, observe=observe)
    assert handed == [True, False, True]  # 20,000-row batches: the second holds the ragged row
    alone = TableScanner(["stt", "dien_thoai", "ghi_chu"])
    alone.feed_all(rows)
    for by_pass, by_rows in zip(scanner.columns, alone.columns, strict=True):
        assert (by_pass.data, by_pass.cells, by_pass.inside, by_pass.text_cells) == (
            by_rows.data,
            by_rows.cells,
            by_rows.inside,
            by_rows.text_cells,
        )
    phones, notes = scanner.columns[1], scanner.columns[2]
    assert phones.data == 15_000  # every third row; the others hold placeholders
    assert phones.cells["phone"] == 15_000
    assert notes.data == 9_000 and notes.inside["date_of_birth"] == 9_000
