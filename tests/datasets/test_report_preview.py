"""Rows around validation errors, with the bad cells marked."""

from __future__ import annotations

from pathlib import Path

from datasets.report_preview import rows_around_errors
from datasets.validation_report import ValidationIssue


def test_rows_around_errors_mark_the_cells(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    lines = ["ma,so,ten"] + [f"M{n},{n},Tên {n}" for n in range(1, 40)]
    lines[10] = "M10,mười,Tên 10"  # row 11 (header is row 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues = [
        ValidationIssue("type-error", 11, 2, "so", ""),
        ValidationIssue("primary-key", 30, None, None, ""),
        ValidationIssue("duplicate-label", None, 3, "ten", ""),
    ]
    preview = rows_around_errors(path, issues)
    assert preview.header == ("ma", "so", "ten")
    assert [r.number for r in preview.rows] == [10, 11, 12, 29, 30, 31]
    bad = next(r for r in preview.rows if r.number == 11)
    assert bad.cells == ("M10", "mười", "Tên 10") and bad.marked == {2} and not bad.whole_row
    assert next(r for r in preview.rows if r.number == 30).whole_row
    assert preview.marked_header == {3}


def test_preview_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n" + "".join(f"{n}\n" for n in range(1000)), encoding="utf-8")
    issues = [ValidationIssue("type-error", r, 1, "a", "") for r in range(2, 1000)]
    assert len(rows_around_errors(path, issues, max_rows=50).rows) == 50
