"""Column statistics computed at publish time: summaries, histograms, top values, bounds."""

from __future__ import annotations

from pathlib import Path

from datasets.statistics import DISTINCT_EXACT, TOP_KEEP, column_statistics

SCHEMA = {
    "fields": [
        {"name": "ten", "type": "string"},
        {"name": "so_cho", "type": "integer"},
        {"name": "ngay", "type": "date"},
        {"name": "ty_le", "type": "number"},
    ]
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _column(stats: dict, name: str) -> dict:
    return next(c for c in stats["columns"] if c["name"] == name)


def test_summaries_of_text_numbers_and_dates(tmp_path: Path) -> None:
    csv_text = (
        "ten,so_cho,ngay,ty_le\n"
        "Bến Thành,40,2024-01-01,0.5\n"
        "Chợ Lớn,30,2024-01-03,1.5\n"
        "Bến Thành,,2024-01-02,abc\n"
        "Thảo Điền,20,,2.5\n"
    )
    stats = column_statistics(_write(tmp_path, csv_text), SCHEMA)
    assert stats["rows"] == 4
    ten = _column(stats, "ten")
    assert ten["top"][0] == {"value": "Bến Thành", "count": 2}
    assert (ten["count"], ten["distinct"], ten["distinct_exact"]) == (4, 3, True)
    so_cho = _column(stats, "so_cho")
    assert (so_cho["min"], so_cho["max"], so_cho["mean"], so_cho["nulls"]) == (20, 40, 30, 1)
    assert sum(so_cho["histogram"]["counts"]) == 3
    ngay = _column(stats, "ngay")
    assert (ngay["min"], ngay["max"], ngay["mean"]) == ("2024-01-01", "2024-01-03", "2024-01-02")
    assert ngay["histogram"]["counts"] == [1, 1, 1]  # one bin per day for short ranges
    ty_le = _column(stats, "ty_le")
    assert ty_le["invalid"] == 1 and ty_le["max"] == 2.5
    assert len(ty_le["histogram"]["edges"]) == len(ty_le["histogram"]["counts"]) + 1


def test_histogram_has_the_requested_bins_and_counts_every_value(tmp_path: Path) -> None:
    rows = "\n".join(f"x,{i},2024-01-01,{i / 7}" for i in range(1000))
    stats = column_statistics(_write(tmp_path, "ten,so_cho,ngay,ty_le\n" + rows + "\n"), SCHEMA)
    histogram = _column(stats, "ty_le")["histogram"]
    assert len(histogram["counts"]) == 10
    assert sum(histogram["counts"]) == 1000
    assert histogram["counts"] == [100] * 10


def test_memory_stays_bounded_on_many_distinct_values(tmp_path: Path) -> None:
    n = 30_000
    rows = "\n".join(f"name-{i},{i},2024-01-01,1" for i in range(n))
    stats = column_statistics(_write(tmp_path, "ten,so_cho,ngay,ty_le\n" + rows + "\n"), SCHEMA)
    ten = _column(stats, "ten")
    assert not ten["distinct_exact"] and n > DISTINCT_EXACT
    assert abs(ten["distinct"] - n) / n < 0.1  # a k-minimum-values estimate
    assert not ten["top_exact"] and len(ten["top"]) <= 8 and n > TOP_KEEP


def test_short_rows_count_as_nulls_and_empty_table_has_no_histogram(tmp_path: Path) -> None:
    stats = column_statistics(_write(tmp_path, "ten,so_cho,ngay,ty_le\nA\n"), SCHEMA)
    assert _column(stats, "so_cho")["nulls"] == 1
    assert "histogram" not in _column(stats, "so_cho")
    assert column_statistics(_write(tmp_path, "ten,so_cho,ngay,ty_le\n"), SCHEMA)["rows"] == 0
