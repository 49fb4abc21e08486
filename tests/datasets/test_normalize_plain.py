"""Normalization of plain CSV files by bytes (issue 24) writes what the CSV reader and writer
write: the same bytes, the same row count, widths and first over-wide row, the same errors."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from datasets.ingest import IngestError, detect_format, normalize_to_csv
from datasets.ingest import normalize as normalize_module
from datasets.ingest import plain as plain_module

# Pieces of cells: plain text, Vietnamese in NFC and decomposed, and what makes a file not
# plain (quotes, carriage returns, NUL) or odd (empty cells, spaces, a second BOM).
PIECES = [
    "1",
    "Quận 1",
    "Bến Nghé",
    "Thu\u0309 Đức",
    "Ho\u0300a",
    "",
    " ",
    "a b",
    "2024-01-02",
    "0901234567",
    "x",
    "Đ",
    "ư\u0301",
    "\ufeff",
    "#",
    ";",
    "\t",
]
RARE = ['"', "\r", "\x00", "\x1f", "\u2028"]


def _file(rnd: random.Random, *, rare: bool) -> bytes:
    width = rnd.randint(1, 5)
    lines = []
    for _ in range(rnd.randint(1, 30)):
        cells = rnd.choice([width] * 8 + [width - 1, width + 1, width + 3, 0])
        row = []
        for _ in range(cells):
            piece = "".join(rnd.choices(PIECES, k=rnd.randint(0, 2)))
            if rare and rnd.random() < 0.05:
                piece += rnd.choice(RARE)
            row.append(piece)
        lines.append(",".join(row))
    text = "\n".join(lines) + rnd.choice(["\n", "", "\n\n"])
    data = text.encode("utf-8") or b"a\n"
    return (b"\xef\xbb\xbf" if rnd.random() < 0.2 else b"") + data


def _both(
    path: Path, out: Path, monkeypatch: pytest.MonkeyPatch, taken: list[bool]
) -> tuple[object, object]:
    detected = detect_format(path, "t.csv")
    if not detected.is_tabular or detected.format != "CSV":
        return None, None
    results = []

    def spy(*args: Path) -> object:
        copied = plain_module.copy_plain_csv(*args)  # type: ignore[arg-type]  # as passed
        taken.append(copied is not None)
        return copied

    for fast in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(normalize_module, "copy_plain_csv", spy if fast else lambda *a: None)
            try:
                table = normalize_to_csv(path, detected, out)
                counts = (table.row_count, table.extra_row, table.extra_cells)
                results.append((out.read_bytes(), table.header, counts, table.lines_are_rows))
            except IngestError as exc:
                results.append((exc.code, exc.params))
    return results[0], results[1]


@pytest.mark.parametrize("chunk", [5, 64, plain_module.CHUNK_BYTES])
@pytest.mark.parametrize("rare", [False, True])
def test_plain_copy_equals_the_csv_reader_and_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rare: bool, chunk: int
) -> None:
    monkeypatch.setattr(plain_module, "CHUNK_BYTES", chunk)  # lines cut across reads too
    rnd = random.Random(24 + rare + chunk)
    compared = 0
    taken: list[bool] = []
    for number in range(400):
        path = tmp_path / f"t{number}.csv"
        path.write_bytes(_file(rnd, rare=rare))
        fast, slow = _both(path, tmp_path / "out.csv", monkeypatch, taken)
        assert fast == slow, path.read_bytes()
        compared += fast is not None
    assert compared > 250
    assert sum(taken) > (150 if not rare else 30)  # the bytes way was taken that often


def test_a_plain_file_is_copied_by_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(b"\xef\xbb\xbfma,ten\n1,Thu\xcc\x89 \xc4\x90\xe1\xbb\xa9c\n2,x,y\n3\n")
    calls = []
    original = plain_module.copy_plain_csv

    def spy(*args: object) -> object:
        result = original(*args)  # type: ignore[arg-type]  # passed through as given
        calls.append(result)
        return result

    monkeypatch.setattr(normalize_module, "copy_plain_csv", spy)
    table = normalize_to_csv(path, detect_format(path, "plain.csv"), tmp_path / "out.csv")
    assert calls and calls[0] is not None  # the fast way was taken
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "ma,ten\n1,Thủ Đức\n2,x,y\n3\n"
    assert (table.header, table.row_count) == (("ma", "ten"), 3)
    assert (table.extra_row, table.extra_cells, table.lines_are_rows) == (3, 3, False)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"a,b\n1," + b"x" * 140_000 + b"\n", "bad-csv"),  # over the reader's field limit
        (b"a,b\n1,\xff\xfe\n", "undecodable"),
        (b"a\n" + b"," * 20_000 + b"\n", "too-many-columns"),
    ],
)
def test_errors_are_the_csv_readers(tmp_path: Path, content: bytes, code: str) -> None:
    limit = csv.field_size_limit(131_072)  # the default; another module may raise it
    try:
        _refused_as(tmp_path, content, code)
    finally:
        csv.field_size_limit(limit)


def _refused_as(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    detected = detect_format(path, "bad.csv")
    if code == "undecodable":
        detected = detect_format(tmp_path / "bad.csv", "bad.csv")
        assert detected.encoding is not None
        (tmp_path / "good.csv").write_bytes(b"a,b\n1,2\n")
        detected = detect_format(tmp_path / "good.csv", "good.csv")
    with pytest.raises(IngestError) as raised:
        normalize_to_csv(path, detected, tmp_path / "out.csv")
    assert raised.value.code == code
