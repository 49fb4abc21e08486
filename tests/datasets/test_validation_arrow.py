"""Plain CSV files validated through Arrow (issue 24) give exactly Frictionless' findings."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import frictionless
import pytest
from frictionless import Resource, Schema

import datasets.validation.arrow_engine as arrow_engine
import datasets.validation.engine as engine
from datasets.validation import validate_and_scan, validate_table

DISTRICTS = ["Quận 1", "Gò Vấp"]
FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "ngay", "type": "date", "constraints": {"required": True}},
    {"name": "quan", "type": "string", "constraints": {"required": True, "enum": DISTRICTS}},
    {"name": "loai", "type": "string", "constraints": {"enum": ["y tế", "an ninh"]}},
    {"name": "so_luong", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
    {"name": "gia_tri", "type": "number", "constraints": {"minimum": 0}},
    {"name": "vi_do", "type": "number", "constraints": {"minimum": 8, "maximum": 24}},
    # A unique field with a failing cell constraint is left out: Frictionless orders that
    # row's errors by when its checks read the cells, which neither engine replays.
    {"name": "ma", "type": "string", "constraints": {"unique": True}},
    {"name": "ky_hieu", "type": "string", "constraints": {"minLength": 2}},
    {"name": "ghi_chu", "type": "string", "constraints": {"maxLength": 12}},
    {"name": "dung", "type": "boolean"},  # no Arrow checker: the Python one
]
GOOD = ["1", "2024-02-29", "Quận 1", "y tế", "5", "1.5", "10.5", "m1", "kh", "Thủy Hòa", "true"]
NOISE = [
    "",
    " ",
    "0",
    "-0",
    "007",
    "+5",
    " 5",
    "1_0",
    "1.0",
    "1e3",
    "NaN",
    "inf",
    "-1",
    "100",
    "101",
    "8",
    "8.0",
    "7.9999999999999",
    "8.0000000000001",
    "24",
    "24.000000000001",
    "23.99",
    "1.",
    ".5",
    "2023-02-29",
    "2024-02-30",
    "1900-02-29",
    "2000-02-29",
    "0000-01-01",
    "2024-00-10",
    "2024-1-02",
    "20240102",
    "Quận 99",
    "quận 1",
    "Ơ",
    "ư" * 13,
    "ư" * 12,
    "x",
    "m1",
    "١٢",
    "99999999999999999999",
    "-9223372036854775809",
    "true",
    "có",
    "NA",
    "\ufeff1",
    "a;b",
    '"Quận 1"',
    '"1,5"',
    '"a""b"',
    'b"c',
    '"x"y',
    '""',
]


def _frictionless(path: Path, schema: dict[str, Any], cap: int) -> list[tuple[Any, ...]]:
    resource = Resource(path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema))
    report = frictionless.validate(resource, limit_errors=cap)
    errors = list(report.errors) + [e for task in report.tasks for e in task.errors]
    return [
        (e.type, getattr(e, "row_number", None), getattr(e, "field_number", None)) for e in errors
    ]


def _ours(path: Path, schema: dict[str, Any], cap: int) -> list[tuple[Any, ...]]:
    report = validate_table(path, schema, limit_errors=cap)
    return [(i.code, i.row, i.field_number) for i in report.errors]


@pytest.fixture
def arrow_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the files read the Arrow way."""
    runs: list[int] = []
    original = arrow_engine.run_arrow

    def counted(*args: Any) -> Any:
        runs.append(1)
        return original(*args)

    monkeypatch.setattr(engine, "run_arrow", counted)
    return runs


@pytest.mark.parametrize("missing", [None, ["", "NA"]])
def test_random_plain_files_match_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrow_runs: list[int], missing: Any
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 13)
    schema: dict[str, Any] = {"fields": FIELDS, "primaryKey": ["id"]}
    if missing:
        schema["missingValues"] = missing
    rnd = random.Random(24 if missing else 25)
    for round_number in range(30):
        rows = [
            [str(rnd.randrange(1, 80)), *GOOD[1:7], f"m{rnd.randrange(400)}", *GOOD[8:]]
            for _ in range(rnd.randrange(1, 70))
        ]
        for _ in range(rnd.randrange(0, 20)):
            row = rnd.choice(rows)
            kind = rnd.random()
            if kind < 0.75 and row:
                row[rnd.randrange(len(row))] = rnd.choice(NOISE)
            elif kind < 0.83:
                del row[rnd.randrange(len(row) + 1) :]
            elif kind < 0.9:
                row.extend(["thêm"] * rnd.randrange(1, 3))
            else:
                row[:] = [""] * len(FIELDS)
        lines = [",".join(f["name"] for f in FIELDS), *(",".join(row) for row in rows)]
        path = tmp_path / f"plain-{round_number}.csv"
        path.write_text("\n".join(lines) + rnd.choice(["\n", ""]), encoding="utf-8")
        cap = rnd.choice([1000, 1000, 3, 10])
        assert _ours(path, schema, cap) == _frictionless(path, schema, cap), path.read_text()
    assert len(arrow_runs) == 30  # every file went the Arrow way


def test_a_quoted_line_break_keeps_the_csv_module(tmp_path: Path, arrow_runs: list[int]) -> None:
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]}
    path = tmp_path / "quoted.csv"
    path.write_text('a,b\n1,"x, y"\n2,x"y\n', encoding="utf-8")  # whole records: Arrow
    assert _ours(path, schema, 1000) == _frictionless(path, schema, 1000) == []
    assert arrow_runs == [1]
    path.write_text('a,b\n1,"x\ny"\nz,2\n', encoding="utf-8")  # a quoted line break
    assert _ours(path, schema, 1000) == _frictionless(path, schema, 1000) != []
    assert arrow_runs == [1]


def test_the_scan_sees_the_same_rows_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["ho_ten,dien_thoai,email,quan,phuong"]
    rnd = random.Random(7)
    for i in range(3000):
        phone = f"09{rnd.randrange(10**8):08d}" if i % 3 else ""
        lines.append(f"Nguyễn Văn {i},{phone},a{i}@gmail.com,Quận 1,Bến Nghé")
        if i % 997 == 0:
            lines.append("lẻ,hàng")  # a short row
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": n, "type": "string"} for n in lines[0].split(",")]}
    monkeypatch.setattr(engine, "BATCH_ROWS", 500)
    fast = validate_and_scan(path, schema)
    monkeypatch.setattr(engine, "arrow_batches_possible", lambda plan: False)
    slow = validate_and_scan(path, schema)
    assert fast[0].to_json() == slow[0].to_json()
    assert fast[1] == slow[1] and {f.kind for f in fast[1]} >= {"phone", "email"}
