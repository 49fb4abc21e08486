"""Format and encoding detection, and normalization to UTF-8 NFC CSV, on real files."""

from __future__ import annotations

import csv
import json
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from datasets.ingest import (
    DetectedFormat,
    EmptyFile,
    IngestError,
    NotTabular,
    UndecodableText,
    UnknownSheet,
    XlsxBomb,
    detect_format,
    normalize_to_csv,
)

# Every tone mark on every vowel, đ/Đ, ư, ơ, and place names as agencies write them.
VOWELS = "aăâeêioôơuưy"
TONES = "\u0300\u0301\u0309\u0303\u0323"
ALL_LETTERS = "".join(
    unicodedata.normalize("NFC", v + t) for v in VOWELS + VOWELS.upper() for t in ("", *TONES)
)
ROWS = [
    ["ma", "ten", "dia_chi"],
    ["1", "Phường Bến Nghé, Quận 1", "Đường Nguyễn Thị Minh Khai"],
    ["2", "Hòa Bình", "Thủy Lợi, Củ Chi"],
    ["3", ALL_LETTERS + "đĐ", 'Ưu tiên; ơn "trích"'],
]
WESTERN = [["id", "name"], ["1", "Café Münster"], ["2", "Zürich, Señor Ñandú"], ["3", "Æsir ÿ"]]


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    lines = []
    for row in rows:
        cells = [
            f'"{c.replace(chr(34), chr(34) * 2)}"' if (delimiter in c or '"' in c) else c
            for c in row
        ]
        lines.append(delimiter.join(cells))
    return "\r\n".join(lines) + "\r\n"


def _to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 files are: tone marks as combining characters."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            marks = "".join(c for c in parts if c in TONES)
            out += (base + marks).encode("cp1258")
    return bytes(out)


def _normalized(tmp_path: Path, source: Path, name: str, **options: str) -> list[list[str]]:
    detected = detect_format(source, name)
    out = tmp_path / "out.csv"
    table = normalize_to_csv(source, detected, out, **options)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw.replace(b'"\r', b"")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert table.header == tuple(rows[0]) and table.row_count == len(rows) - 1
    return rows


def _nfc(rows: list[list[str]]) -> list[list[str]]:
    return [[unicodedata.normalize("NFC", c) for c in row] for row in rows]


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", _csv_text(ROWS).encode("utf-8")),
        ("utf-8-sig", _csv_text(ROWS).encode("utf-8-sig")),
        ("utf-16", _csv_text(ROWS).encode("utf-16")),
        ("utf-16-le", _csv_text(ROWS).encode("utf-16-le")),
        ("utf-16-be", _csv_text(ROWS).encode("utf-16-be")),
        ("cp1258", _to_cp1258(_csv_text(ROWS))),
    ],
)
def test_vietnamese_csv_round_trips_every_character(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    source = tmp_path / "data.csv"
    source.write_bytes(data)
    detected = detect_format(source, "data.csv")
    assert (detected.format, detected.encoding, detected.delimiter) == ("CSV", encoding, ",")
    assert _normalized(tmp_path, source, "data.csv") == _nfc(ROWS)


def test_cp1252_western_text_is_not_taken_for_vietnamese(tmp_path: Path) -> None:
    source = tmp_path / "western.csv"
    source.write_bytes(_csv_text(WESTERN).encode("cp1252"))
    assert detect_format(source, "western.csv").encoding == "cp1252"
    assert _normalized(tmp_path, source, "western.csv") == WESTERN


def test_encoding_override_corrects_a_wrong_guess(tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_bytes(_to_cp1258(_csv_text(ROWS)))
    rows = _normalized(tmp_path, source, "data.csv", encoding="cp1252")
    assert rows != _nfc(ROWS)
    assert _normalized(tmp_path, source, "data.csv", encoding="cp1258") == _nfc(ROWS)


def test_nfd_input_becomes_nfc(tmp_path: Path) -> None:
    source = tmp_path / "nfd.csv"
    source.write_text(unicodedata.normalize("NFD", _csv_text(ROWS)), encoding="utf-8")
    rows = _normalized(tmp_path, source, "nfd.csv")
    assert rows == _nfc(ROWS)
    assert all(unicodedata.is_normalized("NFC", c) for row in rows for c in row)


def test_tsv_is_detected_and_written_with_commas(tmp_path: Path) -> None:
    source = tmp_path / "data.txt"
    source.write_text(_csv_text(ROWS, "\t"), encoding="utf-8")
    detected = detect_format(source, "data.txt")
    assert (detected.format, detected.delimiter) == ("TSV", "\t")
    assert _normalized(tmp_path, source, "data.txt") == _nfc(ROWS)


def test_undecodable_bytes_give_their_offset(tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    prefix = _csv_text(ROWS).encode("utf-8")
    source.write_bytes(prefix + b"4,x\x81y,z\n")
    detected = DetectedFormat("CSV", "text/csv", True, "utf-8", 1.0, ",")
    with pytest.raises(UndecodableText) as caught:
        normalize_to_csv(source, detected, tmp_path / "out.csv")
    assert caught.value.code == "undecodable"
    assert caught.value.params["offset"] == len(prefix) + 3


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFile) as caught:
        detect_format(empty, "empty.csv")
    assert caught.value.code == "empty-file"
    header_only = tmp_path / "header.csv"
    header_only.write_text("mã,tên\n", encoding="utf-8")
    table = normalize_to_csv(header_only, detect_format(header_only, "h.csv"), tmp_path / "o.csv")
    assert (table.header, table.row_count) == (("mã", "tên"), 0)


def _workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dữ liệu"
    for row in ROWS:
        sheet.append(row)
    sheet.append(["4", datetime(2024, 3, 5), date(2023, 12, 31)])
    sheet.append(["5", "=1+1", '=HYPERLINK("http://x","y")'])
    other = book.create_sheet("Ghi chú")
    other.append(["cột"])
    other.append(["Thủy"])
    book.save(path)


def test_xlsx_reads_dates_as_iso_and_never_evaluates_formulas(tmp_path: Path) -> None:
    source = tmp_path / "book.csv"  # the extension lies: it is a workbook
    _workbook(source)
    detected = detect_format(source, "book.csv")
    assert (detected.format, detected.is_tabular) == ("XLSX", True)
    assert detected.sheet_names == ("Dữ liệu", "Ghi chú")
    rows = _normalized(tmp_path, source, "book.csv")
    assert rows[:4] == _nfc(ROWS)
    assert rows[4] == ["4", "2024-03-05", "2023-12-31"]
    # openpyxl writes no cached values: formulas come out empty, never computed or as text
    assert rows[5] == ["5"]
    assert _normalized(tmp_path, source, "book.csv", sheet="Ghi chú") == [["cột"], ["Thủy"]]
    with pytest.raises(UnknownSheet):
        normalize_to_csv(source, detected, tmp_path / "o.csv", sheet="Không có")


def test_xlsx_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (20 * 1024 * 1024))
    with pytest.raises(XlsxBomb) as caught:
        detect_format(bomb, "bomb.xlsx")
    assert caught.value.code == "xlsx-bomb" and caught.value.params["ratio"] > 200


def test_json_records_and_nested_values(tmp_path: Path) -> None:
    source = tmp_path / "data.json"
    records = [{"ten": "Hòa Bình", "so": 1, "the": {"a": ["Thủy"]}}, {"ten": "Đa Kao", "x": None}]
    source.write_text(json.dumps({"data": records}, ensure_ascii=False), encoding="utf-8")
    assert detect_format(source, "data.json").format == "JSON"
    assert _normalized(tmp_path, source, "data.json") == [
        ["ten", "so", "the", "x"],
        ["Hòa Bình", "1", '{"a": ["Thủy"]}', ""],
        ["Đa Kao", "", "", ""],
    ]


def test_bad_json_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text('[{"a": 1},', encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        normalize_to_csv(source, detect_format(source, "bad.json"), tmp_path / "o.csv")
    assert caught.value.code == "bad-json"


def test_geojson_points_and_shapes(tmp_path: Path) -> None:
    points = tmp_path / "points.geojson"
    feature = {
        "type": "Feature",
        "properties": {"ten": "Bến Thành"},
        "geometry": {"type": "Point", "coordinates": [106.698, 10.772]},
    }
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    assert detect_format(points, "points.json").format == "GEOJSON"
    assert _normalized(tmp_path, points, "p.json") == [
        ["ten", "longitude", "latitude"],
        ["Bến Thành", "106.698", "10.772"],
    ]
    shapes = tmp_path / "shapes.geojson"
    line = {
        "type": "Feature",
        "properties": {"ten": "Tuyến 1"},
        "geometry": {"type": "LineString", "coordinates": [[106.7, 10.7], [106.8, 10.8]]},
    }
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": [line]}), "utf-8")
    assert _normalized(tmp_path, shapes, "s.geojson")[1] == [
        "Tuyến 1",
        "LINESTRING (106.7 10.7, 106.8 10.8)",
    ]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.7\n...", "data.csv", "PDF"),
        (b"PK\x05\x06" + b"\x00" * 18, "data.xlsx", "ZIP"),
        (b"\x00\x01\x02\x03binary", "data.csv", "BIN"),
    ],
)
def test_extension_lies_are_detected(
    tmp_path: Path, content: bytes, name: str, expected: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    detected = detect_format(source, name)
    assert (detected.format, detected.is_tabular) == (expected, False)
    with pytest.raises(NotTabular):
        normalize_to_csv(source, detected, tmp_path / "o.csv")


def test_csv_named_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    source = tmp_path / "data.xlsx"
    source.write_text(_csv_text(ROWS), encoding="utf-8")
    assert detect_format(source, "data.xlsx").format == "CSV"
    assert _normalized(tmp_path, source, "data.xlsx") == _nfc(ROWS)


def test_ragged_rows_lose_nothing(tmp_path: Path) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text('a,b\n1\n2,3,4\n\n5,"dòng\nmới"\n', encoding="utf-8")
    assert _normalized(tmp_path, source, "ragged.csv") == [
        ["a", "b"],
        ["1"],
        ["2", "3", "4"],
        [],
        ["5", "dòng\nmới"],
    ]
