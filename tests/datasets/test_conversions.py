"""Streamed exports read back with the format's own reader equal the input."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest

from datasets.conversions import (
    MEDIA_TYPES,
    ConversionError,
    convert_csv,
    escape_formula,
    export_rows,
)
from datasets.datastore import DatastoreField

FIELDS = (
    DatastoreField("ma", "integer"),
    DatastoreField("ten", "text"),
    DatastoreField("gia_tri", "number"),
    DatastoreField("ngay", "date"),
    DatastoreField("cap_nhat", "datetime"),
    DatastoreField("hoat_dong", "boolean"),
)
ROWS: list[tuple[Any, ...]] = [
    (1, "Bệnh viện Chợ Rẫy", 1234.5, "2024-01-02", "2024-01-02T08:30:00", True),
    (2, "Trường Tiểu học Đống Đa, Quận Bình Thạnh", -7.25, "2024-02-29", None, False),
    (-3, None, None, None, "2024-12-31T23:59:59", None),
    (4, 'Chợ "Bến Thành"\nxuống dòng', 0.0, "2023-06-15", "2023-06-15T00:00:00", True),
]
DANGEROUS = ['=HYPERLINK("http://x","bấm")', "+84 90 123 4567", "-5", "@SUM(A1)", "\tTab", "\rCR"]


def _export(fmt: str, rows: Any = ROWS, fields: Any = FIELDS) -> bytes:
    out = io.BytesIO()
    export_rows(fields, rows, fmt, out)
    return out.getvalue()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_round_trips_vietnamese_text() -> None:
    rows = _csv_rows(_export("csv"))
    assert rows[0] == [f.name for f in FIELDS]
    assert rows[1] == [
        "1",
        "Bệnh viện Chợ Rẫy",
        "1234.5",
        "2024-01-02",
        "2024-01-02T08:30:00",
        "true",
    ]
    assert rows[3] == ["-3", "", "", "", "2024-12-31T23:59:59", ""]
    assert rows[4][1] == 'Chợ "Bến Thành"\nxuống dòng'


def test_json_is_an_array_of_objects() -> None:
    records = json.loads(_export("json"))
    assert records == [dict(zip([f.name for f in FIELDS], row, strict=True)) for row in ROWS]
    assert json.loads(_export("json", rows=[])) == []


def test_xlsx_cells_are_typed_values() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_export("xlsx"))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(f.name for f in FIELDS)
    assert values[1] == (
        1, "Bệnh viện Chợ Rẫy", 1234.5, datetime(2024, 1, 2), datetime(2024, 1, 2, 8, 30), True
    )  # fmt: skip
    assert values[2][:3] == (2, "Trường Tiểu học Đống Đa, Quận Bình Thạnh", -7.25)
    assert values[3][:3] == (-3, None, None)
    assert sheet.cell(row=3, column=3).data_type == "n"  # a negative number stays a number


def test_parquet_round_trips_typed_columns() -> None:
    table = pq.read_table(io.BytesIO(_export("parquet")))
    assert [str(t) for t in table.schema.types] == [
        "int64", "string", "double", "date32[day]", "timestamp[us]", "bool",
    ]  # fmt: skip
    assert table.column("ten").to_pylist() == [r[1] for r in ROWS]
    assert table.column("ngay").to_pylist()[1] == date(2024, 2, 29)
    assert table.column("cap_nhat").to_pylist()[0] == datetime(2024, 1, 2, 8, 30)
    assert table.column("gia_tri").to_pylist() == [1234.5, -7.25, None, 0.0]


def test_parquet_writes_row_groups_for_long_input() -> None:
    rows = ((i, f"Phường {i}", i / 2, None, None, i % 2 == 0) for i in range(70_000))
    parquet = pq.ParquetFile(io.BytesIO(_export("parquet", rows=rows)))
    assert parquet.metadata.num_rows == 70_000 and parquet.metadata.num_row_groups == 2


def test_mappings_are_accepted_as_rows() -> None:
    mappings = [dict(zip([f.name for f in FIELDS], row, strict=True)) for row in ROWS]
    assert _export("csv", rows=mappings) == _export("csv")


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_escapes_text_that_a_spreadsheet_would_run(text: str) -> None:
    rows = _csv_rows(_export("csv", rows=[(-1, text, -2.5, None, None, None)]))
    assert rows[1] == ["-1", "'" + text, "-2.5", "", "", ""]


def test_xlsx_text_starting_with_equals_is_a_string_cell_never_a_formula() -> None:
    rows = [(-1, text, -2.5, None, None, None) for text in DANGEROUS]
    sheet = openpyxl.load_workbook(io.BytesIO(_export("xlsx", rows=rows))).active
    assert sheet is not None
    for i, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=i, column=2)
        # XML parsers read a carriage return back as a line feed
        assert cell.data_type == "s" and cell.value == "'" + text.replace("\r", "\n")
        assert sheet.cell(row=i, column=1).value == -1  # numbers are not escaped
        assert sheet.cell(row=i, column=3).data_type == "n"


def test_json_and_parquet_keep_text_unchanged() -> None:
    rows = [(1, text, None, None, None, None) for text in DANGEROUS]
    assert [r["ten"] for r in json.loads(_export("json", rows=rows))] == DANGEROUS
    table = pq.read_table(io.BytesIO(_export("parquet", rows=rows)))
    assert table.column("ten").to_pylist() == DANGEROUS


def test_escape_formula_leaves_ordinary_text_alone() -> None:
    assert escape_formula("Quận 1") == "Quận 1"
    assert escape_formula("=1+1") == "'=1+1"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ConversionError):
        _export("docx")
    assert set(MEDIA_TYPES) == {"csv", "json", "xlsx", "parquet"}


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "json", "csv"])
def test_convert_csv_casts_by_table_schema(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "data.csv"
    src.write_text(
        "ten,so_luong,ngay\nPhường Bến Nghé,12,2024-05-01\n=cmd|' /C calc'!A0,-3,\n",
        encoding="utf-8",
    )
    schema = {
        "fields": [
            {"name": "ten", "type": "string"},
            {"name": "so_luong", "type": "integer"},
            {"name": "ngay", "type": "date"},
        ]
    }
    out = io.BytesIO()
    assert convert_csv(src, schema, fmt, out) == 2
    data = out.getvalue()
    if fmt == "json":
        assert json.loads(data) == [
            {"ten": "Phường Bến Nghé", "so_luong": 12, "ngay": "2024-05-01"},
            {"ten": "=cmd|' /C calc'!A0", "so_luong": -3, "ngay": None},
        ]
    elif fmt == "parquet":
        table = pq.read_table(io.BytesIO(data))
        assert table.to_pylist()[1] == {"ten": "=cmd|' /C calc'!A0", "so_luong": -3, "ngay": None}
    elif fmt == "csv":
        assert _csv_rows(data)[2] == ["'=cmd|' /C calc'!A0", "-3", ""]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        assert list(sheet.iter_rows(values_only=True))[1:] == [
            ("Phường Bến Nghé", 12, datetime(2024, 5, 1)),
            ("'=cmd|' /C calc'!A0", -3, None),
        ]


def test_convert_csv_reports_a_ragged_file(tmp_path: Path) -> None:
    src = tmp_path / "data.csv"
    src.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}]}
    with pytest.raises(ConversionError, match="line 3"):
        convert_csv(src, schema, "json", io.BytesIO())
