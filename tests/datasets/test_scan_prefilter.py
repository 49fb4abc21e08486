"""The shortcuts of the Arrow scan (issue 24) drop no finding: the one-call RE2 test of a
column, the white-space test of place columns and the runs of integer keys count exactly
what the value-by-value code counts, for every kind of personal value, wherever it sits."""

from __future__ import annotations

import random
import re
import sys

import pyarrow as pa
import pytest

from datasets.personal import TableScanner, findings_of
from datasets.personal.scanner import _ANY_KIND, _may_hold_kind
from datasets.place_columns import PlaceCollector, _padded, _space_bytes
from datasets.validation.arrow_engine import ArrowColumn
from datasets.validation.keys import KeyMemory

# Cells that hold no personal data, as a numeric, date, place or text column has them.
QUIET = [
    "1",
    "20457",
    "2023-05-17",
    "10.762622",
    "106.660172",
    "954321.12",
    "Quận 10",
    "Phường Bến Nghé",
    "Nguyễn Thị Minh Khai",
    "đường số 7",
    "giao thông",
    "-",
    "không có",
    "12/03/2020",
    "Hòa Thạnh",
    "Điện chiếu sáng",
    "3.5",
    "",
]
# One value of each kind the structure of a value proves, and personal values inside text,
# as Vietnamese data writes them (VIETNAMESE.md): spaces, dots, +84, diacritics.
PERSONAL = [
    "079123456789",  # citizen ID
    "079 123 456789",
    "079.123.456789",
    "79123456789",  # a citizen ID that lost its leading zero in a spreadsheet
    "0912345678",  # mobile
    "0912 345 678",
    "0912.345.678",
    "+84 912 345 678",
    "84912345678",
    "(028) 3829 1234",  # landline
    "028.3829.1234",
    "nguyen.van.an@gmail.com",
    "phong.qlđt@hochiminhcity.gov.vn",
    "HS4010123456789",  # health-insurance card
    "51F-123.45",  # licence plates
    "59X1-234.56",
    "ông Trần Văn Bình, SĐT 0912 345 678",
    "Bà Lê Thị Hồng, sinh ngày 10/01/1985, ở 12 Lý Tự Trọng",
    "SN 1978, thường trú Quận 3",
    "năm sinh: 1962",
    "NS 02/09/1990",
    "CCCD 079 123 456789 cấp ngày 01/02/2021",
    "liên hệ: le.hong@yahoo.com.vn",
]


def _counts(columns: list[list[str]], *, arrow: bool) -> TableScanner:
    scanner = TableScanner([f"c{i}" for i in range(len(columns))])
    rows = list(zip(*columns, strict=True))
    if arrow:
        scanner.feed(rows, [ArrowColumn(pa.array(c, type=pa.string())) for c in columns])
    else:
        scanner.feed(rows, columns)
    return scanner


@pytest.mark.parametrize("value", PERSONAL)
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_personal_value_in_a_quiet_column_is_counted(value: str, where: str) -> None:
    rnd = random.Random(len(value))
    numeric = [str(rnd.randrange(10**6)) for _ in range(400)]  # a column of numbers
    text = [rnd.choice(QUIET) for _ in range(400)]
    position = {"first": 0, "middle": 217, "last": 399}[where]
    numeric[position] = text[position] = value
    by_arrow = _counts([numeric, text], arrow=True)
    by_lists = _counts([numeric, text], arrow=False)
    assert by_arrow.columns == by_lists.columns
    assert findings_of(by_arrow) == findings_of(by_lists)
    for counts in by_arrow.columns:  # the value was found, whole or inside the text
        assert sum(counts.cells.values()) + sum(counts.inside.values()) >= 1, value


def test_columns_of_personal_values_make_the_same_findings() -> None:
    rnd = random.Random(3)
    columns = [[rnd.choice(PERSONAL) for _ in range(500)] for _ in range(3)]
    columns.append([rnd.choice(PERSONAL[:4]) for _ in range(500)])  # citizen IDs only
    columns.append([rnd.choice(PERSONAL[4:11]) for _ in range(500)])  # phones only
    by_arrow, by_lists = _counts(columns, arrow=True), _counts(columns, arrow=False)
    assert by_arrow.columns == by_lists.columns
    found = findings_of(by_arrow)
    assert found == findings_of(by_lists)
    assert {f.column: f.kind for f in found}.get("c3") == "citizen_id"
    assert {f.column: f.kind for f in found}.get("c4") == "phone"


def test_every_white_space_is_a_suspect_at_either_end() -> None:
    # str.strip removes what str.isspace calls white space: its first byte and its last
    # byte must be suspects, or a padded value would pass as a clean one.
    space_first, space_last = _space_bytes()
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        if char.isspace():
            encoded = char.encode()
            assert space_first[encoded[0]] and space_last[encoded[-1]], hex(point)


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u2009", "\u3000", "\u202f", "\x1f"])
def test_a_padded_place_is_stripped_as_the_list_path_strips_it(space: str) -> None:
    values = ["Bến Nghé", "Hòa Thạnh", "Đa Kao", "Phường 7", "Thảo Điền"] * 40
    assert not _padded(pa.array(values, type=pa.string()))
    for at, padded in ((3, space + "Đa Kao"), (150, "Bến Nghé" + space)):
        changed = [*values[:at], padded, *values[at + 1 :]]
        assert _padded(pa.array(changed, type=pa.string()))
        assert _padded(pa.array(["", *changed], type=pa.string()).slice(1))
        by_arrow, by_lists = PlaceCollector(["phuong"]), PlaceCollector(["phuong"])
        by_arrow.feed([[v] for v in changed], [ArrowColumn(pa.array(changed, type=pa.string()))])
        by_lists.feed([[v] for v in changed], [changed])
        assert by_arrow._columns == by_lists._columns


def _reference(batches: list[tuple[list[int], list[int]]]) -> dict[int, int]:
    last: dict[int, int] = {}
    for keys, numbers in batches:
        last.update(zip(keys, numbers, strict=True))
    return last


@pytest.mark.parametrize("max_runs", [2, 5, 10_000])
def test_integer_keys_with_gaps_are_remembered_at_their_last_row(max_runs: int) -> None:
    rnd = random.Random(max_runs)
    memory = KeyMemory(max_runs=max_runs)
    batches = []
    key, row = 1, 2
    for _ in range(6):
        keys, numbers = [], []
        for _ in range(300):
            if rnd.random() < 0.02:
                key += rnd.randrange(2, 5)  # a key left out (a conflict, a gap)
            if rnd.random() < 0.02:
                row += rnd.randrange(2, 4)  # a row left out
            keys.append(key)
            numbers.append(row)
            key, row = key + 1, row + 1
        batches.append((keys, numbers))
    batches.append(([5, 7, 9], [row, row + 1, row + 2]))  # old keys again: the store
    for keys, numbers in batches:
        memory.record(keys, numbers)
    expected = _reference(batches)
    wanted = list(range(-2, key + 10))  # the keys left out too
    assert memory.find(wanted) == expected


def test_a_column_ruled_out_by_its_bytes_holds_no_value_the_pattern_finds() -> None:
    rnd = random.Random(21)
    alphabet = "0123456789 .-()+/:,AZSNXsinhé@ăĐ"
    for _ in range(4000):
        values = ["".join(rnd.choices(alphabet, k=rnd.randrange(0, 16))) for _ in range(3)]
        values += [str(rnd.randrange(10**12)), "2023-05-17", "106.660172"]
        array = pa.array(values, type=pa.string())
        if any(re.search(_ANY_KIND, value) for value in values):
            assert _may_hold_kind(array), values
            assert _may_hold_kind(pa.array(["x", *values], type=pa.string()).slice(1)), values
    numbers = pa.array(["12", "2023-05-17", "106.660172", "954321.12", "-", ""] * 50)
    assert not _may_hold_kind(numbers)  # what the shortcut is for
