"""Helpers for the personal-data tests: write and read small UTF-8 CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

WriteCsv = Callable[[Sequence[Sequence[str]]], Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Return a function writing rows (header first) to a new CSV file under tmp_path."""
    counter = iter(range(1000))

    def write(rows: Sequence[Sequence[str]]) -> Path:
        path = tmp_path / f"table_{next(counter)}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return path

    return write
