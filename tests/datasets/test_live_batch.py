"""Batches applied to a normalized table (issue 17): real files, real Frictionless."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from datasets.live_batch import MAX_TABLE_ROWS, Batch, BatchRefused, apply_batch, fresh_findings
from datasets.personal import Action, ColumnDecision

PARKING = (
    "bai_xe,khung_gio,cho_trong,ghi_chu\n"
    "BX01,2026-12-07T08:00:00,12,\n"
    "BX01,2026-12-07T09:00:00,4,\n"
    "BX02,2026-12-07T08:00:00,30,gần chợ\n"
)
SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "bai_xe", "type": "string", "constraints": {"pattern": "BX[0-9]+"}},
        {"name": "khung_gio", "type": "datetime"},
        {"name": "cho_trong", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "ghi_chu", "type": "string"},
    ],
    "primaryKey": ["bai_xe", "khung_gio"],
}


def _run(tmp_path: Path, batch: Batch, schema: dict[str, Any] = SCHEMA) -> list[list[str]]:
    src, dst = tmp_path / "table.csv", tmp_path / "out.csv"
    src.write_text(PARKING, encoding="utf-8")
    apply_batch(src, dst, schema, batch, tmp_path)
    with dst.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def _issues(tmp_path: Path, batch: Batch) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(BatchRefused) as caught:
        _run(tmp_path, batch)
    return [(i.code, i.row, i.field) for i in caught.value.issues]


def test_a_compound_key_finds_the_row_and_keeps_fields_not_given(tmp_path: Path) -> None:
    rows = _run(
        tmp_path,
        Batch(
            "upsert",
            [
                {"bai_xe": "BX01", "khung_gio": "2026-12-07T09:00:00", "cho_trong": 0},
                {"bai_xe": "BX02", "khung_gio": "2026-12-07T09:00:00", "cho_trong": 25},
            ],
        ),
    )
    assert rows == [
        ["BX01", "2026-12-07T08:00:00", "12", ""],
        ["BX01", "2026-12-07T09:00:00", "0", ""],
        ["BX02", "2026-12-07T08:00:00", "30", "gần chợ"],
        ["BX02", "2026-12-07T09:00:00", "25", ""],
    ]


def test_merged_rows_are_validated_and_refusals_name_the_record(tmp_path: Path) -> None:
    update = Batch(
        "update",
        [
            {"bai_xe": "BX02", "khung_gio": "2026-12-07T08:00:00", "cho_trong": 3},
            {"bai_xe": "BX01", "khung_gio": "2026-12-07T08:00:00", "cho_trong": -1},
        ],
    )
    assert _issues(tmp_path, update) == [("constraint-error", 1, "cho_trong")]
    bad_key = Batch("insert", [{"bai_xe": "bãi 3", "khung_gio": "hôm nay", "cho_trong": 1}])
    assert sorted(_issues(tmp_path, bad_key)) == [
        ("constraint-error", 0, "bai_xe"),
        ("type-error", 0, "khung_gio"),
    ]
    twice = {"bai_xe": "BX09", "khung_gio": "2026-12-07T08:00:00", "cho_trong": 1}
    assert _issues(tmp_path, Batch("upsert", [twice, twice])) == [("primary-key", 1, None)]


def test_delete_by_filters_with_lists_of_values(tmp_path: Path) -> None:
    rows = _run(tmp_path, Batch("delete", filters={"cho_trong": [12, 30]}))
    assert rows == [["BX01", "2026-12-07T09:00:00", "4", ""]]
    assert _issues(tmp_path, Batch("delete", filters={"tang": "B1"})) == [
        ("unknown-field", None, "tang")
    ]
    assert _run(tmp_path, Batch("delete", force=True)) == []


def test_only_findings_the_decisions_leave_in_the_open_are_fresh() -> None:
    header = ["bai_xe", "ghi_chu"]
    rows = [["BX01", f"gọi 09{n}8123456"] for n in range(10)]
    masked = [ColumnDecision("ghi_chu", "phone", Action.MASK)]
    assert fresh_findings(header, rows, [], masked) == []
    [found] = fresh_findings(header, rows, [], [])
    assert found.column == "ghi_chu"


def test_a_table_past_the_row_cap_takes_no_live_rows(tmp_path: Path) -> None:
    src, dst = tmp_path / "big.csv", tmp_path / "out.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        f.write("bai_xe,khung_gio,cho_trong,ghi_chu\n")
        f.writelines(f"BX{n},2026-12-07T08:00:00,1,\n" for n in range(MAX_TABLE_ROWS))
    record = {"bai_xe": "BX0", "khung_gio": "2026-12-07T09:00:00", "cho_trong": 2}
    with pytest.raises(BatchRefused) as caught:
        apply_batch(src, dst, SCHEMA, Batch("insert", [record]), tmp_path)
    assert [i.code for i in caught.value.issues] == ["table-too-large"]
    # deleting from a table at the cap is allowed
    deleted = apply_batch(src, dst, SCHEMA, Batch("delete", filters={"bai_xe": "BX1"}), tmp_path)
    assert (deleted.affected, deleted.row_count) == (1, MAX_TABLE_ROWS - 1)
