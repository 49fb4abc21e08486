"""A table whose lines are its rows is stripped by lines when no column changes (issue 24):
the public file is byte for byte what the row-by-row strip writes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from datasets.ingest import NormalizedTable, detect_format, normalize_to_csv
from datasets.personal import Action, ColumnDecision, Finding, apply_actions

KEY = b"k" * 32
# Quotes, commas, spaces, empty cells, a lone quote, text in NFD (written back in NFC).
PLAIN = (
    "ma,ten,ghi_chu,so\n"
    '1,"Nguyễn, Văn An"," có ""ngoặc"" ",3\n'
    '2,,"",\n'
    "3," + unicodedata.normalize("NFD", "Phường Bến Nghé") + ',"""",-5\n'
    "4,Trần Thị Bích,  dư  ,1e3\n"
)


def _normalized(tmp_path: Path, text: str, name: str = "bang.csv") -> NormalizedTable:
    original = tmp_path / name
    original.write_bytes(text.encode("utf-8"))
    return normalize_to_csv(original, detect_format(original, name), tmp_path / f"n-{name}")


def _strip_both(tmp_path: Path, table: NormalizedTable, decisions, findings) -> tuple[bytes, bytes]:
    by_rows, by_lines = tmp_path / "rows.csv", tmp_path / "lines.csv"
    first = apply_actions(table.path, by_rows, decisions, findings, hash_key=KEY)
    second = apply_actions(
        table.path, by_lines, decisions, findings, hash_key=KEY, lines_are_rows=True
    )
    assert first == second
    return by_rows.read_bytes(), by_lines.read_bytes()


def test_unchanged_table_copied_by_lines_is_what_the_row_loop_writes(tmp_path: Path):
    table = _normalized(tmp_path, PLAIN)
    assert table.lines_are_rows
    by_rows, by_lines = _strip_both(tmp_path, table, [], [])
    assert by_lines == by_rows
    assert by_rows.count(b"\r\n") == 5 and "Phường Bến Nghé".encode() in by_rows


def test_kept_column_is_copied_by_lines_too(tmp_path: Path):
    table = _normalized(tmp_path, PLAIN)
    keep = [ColumnDecision("ten", "person_name", Action.KEEP, "tên cán bộ công khai")]
    findings = [Finding("ten", "person_name", 1.0, 1.0, False)]
    by_rows, by_lines = _strip_both(tmp_path, table, keep, findings)
    assert by_lines == by_rows and b"Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xadch" in by_rows


def test_a_changed_column_is_still_stripped_row_by_row(tmp_path: Path):
    table = _normalized(tmp_path, PLAIN)
    mask = [ColumnDecision("ten", "person_name", Action.MASK)]
    findings = [Finding("ten", "person_name", 1.0, 1.0, False)]
    by_rows, by_lines = _strip_both(tmp_path, table, mask, findings)
    assert by_lines == by_rows and "Nguyễn".encode() not in by_rows


@pytest.mark.parametrize(
    "text",
    [
        'ma,ghi_chu\n1,"hai\ndòng"\n2,x\n',  # a line break inside a cell
        "ma,ghi_chu\n1,x\n2\n",  # a short row (padded by the strip)
        "ma,ghi_chu\n1,x\n\n2,y\n",  # a blank line
        'ma,ghi_chu\n1,"a\rb"\n',  # a carriage return inside a cell
    ],
)
def test_tables_whose_lines_are_not_rows_say_so(tmp_path: Path, text: str):
    table = _normalized(tmp_path, text)
    assert not table.lines_are_rows
    # (Copied by lines, these would come out wrong: a row split in two, a row not padded.)
