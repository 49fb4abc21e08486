"""validate_table reports exactly what Frictionless reports: conformance, planted, random."""

from __future__ import annotations

import csv
import json
import os
import random
from datetime import UTC
from pathlib import Path
from typing import Any

import frictionless
import pytest
from frictionless import Resource, Schema

import datasets.validation.engine as engine
import datasets.validation.table as validation
from datasets.validation import ValidationReport, infer_schema, validate_table

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance" / "frictionless"

Found = list[tuple[str, int | None, int | None]]


def _frictionless(path: Path, schema: dict[str, Any], limit_errors: int = 1000) -> Found:
    """Run Frictionless as the command does from the file's folder (same findings)."""
    resource = Resource(path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema))
    report = frictionless.validate(resource, limit_errors=limit_errors)
    errors = list(report.errors) + [e for task in report.tasks for e in task.errors]
    return [
        (e.type, getattr(e, "row_number", None), getattr(e, "field_number", None)) for e in errors
    ]


def _ours(path: Path, schema: dict[str, Any], limit_errors: int = 1000) -> Found:
    report = validate_table(path, schema, limit_errors=limit_errors)
    return [(i.code, i.row, i.field_number) for i in report.errors]


@pytest.fixture
def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the engine hands a supported file to Frictionless."""

    def refuse(*args: object) -> ValidationReport:
        raise AssertionError("fell back to frictionless")

    monkeypatch.setattr(validation, "_validate_with_frictionless", refuse)


def _conformance_cases() -> list[Any]:
    if not CONFORMANCE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"conformance material missing at {CONFORMANCE}")
        return [pytest.param(None, marks=pytest.mark.skip(reason="no ../shared/conformance"))]
    cases = json.loads((CONFORMANCE / "expected-errors.json").read_text())["cases"]
    chosen = []
    for case in cases:
        options = case["options"]
        if (case["source"].endswith((".csv", ".tsv")) and options in ("",)) or options.startswith(
            "--schema"
        ):
            chosen.append(pytest.param(case, id=f"{case['source']} {options}".strip()))
    return chosen


@pytest.mark.parametrize("case", _conformance_cases())
def test_conformance_cases_match_frictionless(case: dict[str, Any]) -> None:
    source = CONFORMANCE / "data" / case["source"]
    options = case["options"].split()
    if options:
        schema = json.loads((CONFORMANCE / "data" / options[1]).read_text())
    elif source.stat().st_size:
        schema = infer_schema(source, sample_rows=100)
    else:
        schema = {"fields": []}
    expected = [(e["type"], e["rowNumber"], e["fieldNumber"]) for e in case["errors"]]
    assert _ours(source, schema) == expected == _frictionless(source, schema)


HEADER = ["ma", "ngay", "quan", "so_luong", "gia_tri", "dung", "nam", "email", "ghi_chu"]
SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "ma", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "ngay", "type": "date"},
        {"name": "quan", "type": "string", "constraints": {"enum": ["Quận 1", "Bình Thạnh"]}},
        {"name": "so_luong", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "gia_tri", "type": "number", "constraints": {"minimum": 0}},
        {"name": "dung", "type": "boolean"},
        {"name": "nam", "type": "year"},
        {"name": "email", "type": "string", "format": "email"},
        {"name": "ghi_chu", "type": "string",
         "constraints": {"maxLength": 12, "minLength": 2, "pattern": "[^0-9]*"}},
    ],
    "primaryKey": ["ma"],
}  # fmt: skip
GOOD = ["1", "2024-02-29", "Quận 1", "5", "1.5", "true", "2024", "a@b.vn", "Thủy Hòa"]
CORRUPTIONS: list[tuple[int, str]] = [
    (0, "mười"), (0, "1.0"), (0, ""), (0, "1"), (1, "2023-02-30"), (1, "2024-2-3"),
    (1, "20240203"), (2, "Quận 99"), (2, ""), (3, "-1"), (3, "101"), (3, " 7 "), (3, "1_0"),
    (4, "-0.5"), (4, "1,5"), (4, "NaN"), (4, "1e3"), (5, "có"), (5, "1"), (6, "24"),
    (6, "-999"), (7, "không-phải-email"), (8, "x"), (8, "Đường Nguyễn Thị Minh Khai"),
    (8, "số 1"), (8, ""),
]  # fmt: skip


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(i: int) -> list[str]:
    return [str(i), *GOOD[1:]]


def test_planted_errors_of_every_kind_match_frictionless(tmp_path: Path, fast_only: None) -> None:
    rows = [_row(i) for i in range(1, 200)]
    for n, (column, value) in enumerate(CORRUPTIONS):
        rows[5 * n + 3][column] = value
    rows[150] = [""] * len(HEADER)  # blank-row
    rows[160] = rows[160][:4]  # missing-cell
    rows[170] = [*rows[170], "thừa", ""]  # extra-cell
    rows[180][0] = rows[181][0]  # unique-error and primary-key
    path = _write(tmp_path / "planted.csv", rows)
    found = _ours(path, SCHEMA)
    assert found == _frictionless(path, SCHEMA)
    codes = {code for code, _, _ in found}
    assert codes >= {"type-error", "constraint-error", "blank-row", "missing-cell",
                     "extra-cell", "unique-error", "primary-key"}  # fmt: skip


def test_header_errors_match_frictionless(tmp_path: Path, fast_only: None) -> None:
    header = ["ma", "", "quan", "ma", "Số lượng", "gia_tri", "dung", "nam", "email", "ghi_chu", "x"]
    path = _write(tmp_path / "labels.csv", [[*_row(1), "a", "b"]], header)
    assert _ours(path, SCHEMA) == _frictionless(path, SCHEMA)
    assert _ours(path, {"fields": SCHEMA["fields"][:3]}) == _frictionless(
        path, {"fields": SCHEMA["fields"][:3]}
    )


def test_duplicates_across_batches_and_error_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_only: None
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 7)
    rows = [_row(i % 23 + 1) for i in range(100)]
    path = _write(tmp_path / "dups.csv", rows)
    assert _ours(path, SCHEMA) == _frictionless(path, SCHEMA)
    for cap in (1, 5, 50):
        assert _ours(path, SCHEMA, cap) == _frictionless(path, SCHEMA, cap)
    report = validate_table(path, SCHEMA, limit_errors=5)
    assert report.truncated and len(report.errors) == 5 and not report.valid


def test_random_corruptions_match_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 16)
    rnd = random.Random(20240229)
    noise = ["", " ", "0", "-0", "1.0", "١٢", "2024-13-01", "true", "FALSE", "Ơ", "ư" * 20,
             "1" * 30, "NaN", "inf", "2024", "a@b", "Đ", '"', "\ufeff1"]  # fmt: skip
    for round_number in range(25):
        rows = [_row(rnd.randrange(1, 60)) for _ in range(rnd.randrange(1, 60))]
        for _ in range(rnd.randrange(0, 12)):
            row = rnd.choice(rows)
            kind = rnd.random()
            if kind < 0.7:
                row[rnd.randrange(len(HEADER))] = rnd.choice(noise + [v for _, v in CORRUPTIONS])
            elif kind < 0.8:
                del row[rnd.randrange(len(row)) :]
            elif kind < 0.9:
                row.extend(["thêm"] * rnd.randrange(1, 3))
            else:
                row[:] = [""] * len(HEADER)
        path = _write(tmp_path / f"random-{round_number}.csv", rows)
        cap = rnd.choice([1000, 3, 10])
        assert _ours(path, SCHEMA, cap) == _frictionless(path, SCHEMA, cap), round_number


def test_other_types_and_missing_values_match_frictionless(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "luc", "type": "datetime"},
            {"name": "gio", "type": "time"},
            {"name": "diem", "type": "geopoint"},
            {"name": "ma", "type": "string", "format": "uuid"},
            {"name": "web", "type": "string", "format": "uri"},
            {"name": "so", "type": "number", "groupChar": ","},
        ],
        "missingValues": ["", "NA"],
    }
    rows = [
        ["2024-01-02T03:04:05Z", "03:04:05", "106.7, 10.7", "0f8fad5b-d9cb-469f-a165-70867728950e",
         "https://data.hcm.vn", "1,000.5"],
        ["2024-01-02", "3:4", "200, 10", "khác", "không", "NA"],
        ["NA", "NA", "NA", "NA", "NA", "NA"],
    ]  # fmt: skip
    path = _write(tmp_path / "types.csv", rows, ["luc", "gio", "diem", "ma", "web", "so"])
    assert _ours(path, schema) == _frictionless(path, schema)


def test_report_round_trips_and_infers_vietnamese_schema(tmp_path: Path) -> None:
    path = _write(tmp_path / "vi.csv", [_row(1), _row(2), ["x", *GOOD[1:]]])
    schema = infer_schema(path)
    assert [f["name"] for f in schema["fields"]] == HEADER
    report = validate_table(path, SCHEMA)
    assert ValidationReport.from_json(report.to_json()) == report
    first = report.to_json()["errors"][0]
    assert (first["code"], first["row"], first["field_number"], first["field_name"]) == (
        "type-error", 4, 1, "ma",
    )  # fmt: skip
    seen: list[int] = []
    validate_table(path, SCHEMA, progress=seen.append)
    assert seen == [3]


def test_invalid_schema_is_reported_as_frictionless_does(tmp_path: Path) -> None:
    path = _write(tmp_path / "v2.csv", [_row(1)])
    schema = {"fields": [{"name": "ma", "type": "integer", "constraints": {"exclusiveMinimum": 0}}]}
    report = validate_table(path, schema)
    assert not report.valid and [i.code for i in report.errors] == ["field-error"]


KEYED_SCHEMA = {
    "fields": [
        {"name": "ma", "type": "integer"},
        {"name": "so", "type": "number", "constraints": {"unique": True}},
        {"name": "ngay", "type": "date", "constraints": {"unique": True}},
        {"name": "luc", "type": "datetime", "constraints": {"unique": True}},
        {"name": "ten", "type": "string", "constraints": {"unique": True}},
        {"name": "dung", "type": "boolean"},
    ],
    "primaryKey": ["ma", "dung"],
}  # fmt: skip


def _keyed_rows(rnd: random.Random, count: int) -> list[list[str]]:
    numbers = ["1", "1.0", "1.00", "-0", "0", "0.0", "2.50", "2.5", "1e3", "1000", "NaN", "inf",
               "-1", "-1.0", "-inf"]  # fmt: skip
    moments = ["2024-01-02T03:04:05Z", "2024-01-02T10:04:05+07:00", "2024-01-02T03:04:05",
               "2024-01-02T03:04:05.000Z", "2025-06-01T00:00:00-05:00"]  # fmt: skip
    names = ["Thủy Hòa", "Thủy Hòa", "Thuy Hoa", "a\x1fb", "a\\ub", "", "Đường"]
    rows = []
    for i in range(count):
        rows.append([
            str(rnd.randrange(1, count)) if rnd.random() < 0.3 else str(i),
            rnd.choice(numbers) if rnd.random() < 0.2 else f"{i}.{rnd.randrange(100)}",
            "" if rnd.random() < 0.1 else f"20{i % 90 + 10:02d}-0{rnd.randrange(1, 10)}-1{i % 9}",
            rnd.choice(moments) if rnd.random() < 0.2 else f"2020-01-01T00:00:{i % 60:02d}Z",
            rnd.choice(names) if rnd.random() < 0.2 else f"tên {i}",
            rnd.choice(["true", "false", ""]),
        ])  # fmt: skip
    return rows


def test_keys_spilled_to_disk_give_frictionless_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_only: None
) -> None:
    """Past SPILL_KEYS the unique and primary-key memory lives in SQLite: same findings."""
    import datasets.validation.keys as keys

    spilled: list[int] = []
    spill = keys._KeyStore._spill

    def counting_spill(self: keys._KeyStore) -> None:
        spill(self)
        spilled.append(self.on_disk)

    monkeypatch.setattr(keys, "SPILL_KEYS", 10)
    monkeypatch.setattr(keys._KeyStore, "_spill", counting_spill)
    monkeypatch.setattr(engine, "BATCH_ROWS", 13)
    rnd = random.Random(2026)
    header = [f["name"] for f in KEYED_SCHEMA["fields"]]
    for round_number in range(6):
        path = _write(tmp_path / f"keys-{round_number}.csv", _keyed_rows(rnd, 150), header)
        ours = validate_table(path, KEYED_SCHEMA, limit_errors=0).errors
        resource = Resource(
            path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(KEYED_SCHEMA)
        )
        theirs = frictionless.validate(resource, limit_errors=0).tasks[0].errors
        # The messages name the row of the earlier occurrence: compare them too.
        assert [(i.code, i.row, i.field_number, i.message) for i in ours] == [
            (e.type, e.row_number, getattr(e, "field_number", None), e.message) for e in theirs
        ], round_number
        assert {"unique-error", "primary-key"} <= {i.code for i in ours}
    assert spilled and all(spilled)  # every key memory of every round moved to disk


def test_canonical_key_equal_exactly_when_python_says_equal() -> None:
    from datetime import date, datetime, time, timedelta, timezone
    from decimal import Decimal

    from datasets.validation.keys import KeyMemory, canonical_key

    plus7 = timezone(timedelta(hours=7))
    values: list[Any] = [
        0, 1, -1, 10, 100, 2**70, True, False, 1.0, 0.5, -0.0, 0.1, 1e300,
        Decimal("1"), Decimal("1.00"), Decimal("-0"), Decimal("0.000"), Decimal("100E-2"),
        Decimal("0.1"), Decimal("1E+2"), Decimal("0.5"), Decimal("Infinity"), float("inf"),
        "1", "", "Đ", "s", "n1e0", date(2024, 1, 2), datetime(2024, 1, 2),
        datetime(2024, 1, 2, 3, tzinfo=UTC), datetime(2024, 1, 2, 10, tzinfo=plus7),
        time(3, 4), (1, None), (1, "a"), (Decimal("1.0"), "a"), (None, None), ("a\x1fb",),
        ("a", "b"), ((1, 2),),
    ]  # fmt: skip
    for left in values:
        for right in values:
            assert (canonical_key(left) == canonical_key(right)) == (left == right), (left, right)
    assert canonical_key(Decimal("NaN")) is None and canonical_key(float("nan")) is None

    memory = KeyMemory(spill_at=2)
    memory.record([Decimal("1.0"), "a", date(2024, 1, 2), (1, None)], [2, 3, 4, 5])
    assert memory.on_disk and len(memory) == 4
    memory.record([1], [9])
    assert memory.find([1, "a", "b", (Decimal("1"), None), float("nan")]) == {
        1: 9, "a": 3, (Decimal("1"), None): 5,
    }  # fmt: skip
    memory.close()


@pytest.mark.parametrize("seed", range(8))
def test_key_memory_answers_as_a_dict_would(seed: int) -> None:
    """Random keys, runs of ids, repeats and mixed types: the same answers as a plain dict."""
    from decimal import Decimal

    from datasets.validation.keys import KeyMemory

    rnd = random.Random(seed)
    spill_at = rnd.choice([5, 50, 10_000])
    memory = KeyMemory(spill_at=spill_at, max_runs=rnd.choice([3, 50]))
    reference: dict[Any, int] = {}
    row, next_id = 2, 1
    for _ in range(60):
        keys: list[Any] = []
        for _ in range(rnd.randrange(1, 40)):
            shape = rnd.random()
            if shape < 0.5:
                keys.append(next_id)  # an id column, now and then with a gap
                next_id += 1 if rnd.random() < 0.9 else rnd.randrange(2, 9)
            elif shape < 0.75:
                keys.append(rnd.randrange(1, next_id + 5))  # a repeat, or a later id early
            elif shape < 0.85:
                keys.append(f"mã {rnd.randrange(30)}")
            elif shape < 0.95:
                keys.append(Decimal(rnd.randrange(1, 40)) / rnd.choice([1, 2, 10]))
            else:
                keys.append((rnd.randrange(3), "x"))
        unique = list(dict.fromkeys(keys))  # the engine records each key once per call
        # Rows ascend; rows with a conflict are recorded apart, so gaps occur.
        span = len(unique) * rnd.choice([1, 1, 2])
        numbers = sorted(rnd.sample(range(row, row + span), len(unique)))
        row += span + rnd.choice([0, 0, 1, 3])
        probe = unique + [rnd.randrange(-5, next_id + 20) for _ in range(10)]
        assert memory.find(probe) == {k: reference[k] for k in probe if k in reference}
        memory.record(unique, numbers)
        reference.update(zip(unique, numbers, strict=True))
    # Small limits: the integers out of order and the other keys were both written away.
    assert memory.on_disk == (spill_at < 10_000)
    assert memory._ints.on_disk == (spill_at < 10_000)
    memory.close()


def test_an_id_column_takes_no_memory_per_key() -> None:
    from datasets.validation.keys import KeyMemory

    memory = KeyMemory(spill_at=10)
    for start in range(1, 100_001, 20_000):
        memory.record(range(start, start + 20_000), range(start + 1, start + 20_001))
    assert not memory.on_disk and len(memory) == 100_000
    assert memory.find([0, 1, 55_555, 100_000, 100_001]) == {1: 2, 55_555: 55_556, 100_000: 100_001}
    memory.record(range(100_001, 100_011), range(200_000, 200_010))  # ids go on, rows jump
    assert memory.find([100_000, 100_001, 100_010]) == {
        100_000: 100_001, 100_001: 200_000, 100_010: 200_009,
    }  # fmt: skip
    memory.record([55_555], [100_002])  # a repeated id: remembered at its new row
    assert memory.find([55_555, 55_556]) == {55_555: 100_002, 55_556: 55_557}
