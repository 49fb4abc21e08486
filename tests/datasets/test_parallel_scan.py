"""A large table is scanned for personal data by a second process while it is validated
(issue 24): the same report and findings as the single pass, every row scanned, no process
left behind, and the single pass's result when that process fails."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import datasets.validation.engine as engine
import datasets.validation.single_pass as single_pass
from datasets.ingest import detect_format
from datasets.personal import TableScanner, findings_of
from datasets.place_columns import count_keys
from datasets.table_analysis import analyse_normalized
from datasets.validation import validate_and_scan
from datasets.validation.arrow_engine import ArrowColumn

HEADER = "ho_ten,so_cccd,dien_thoai,email,quan,phuong,so_tien,ghi_chu"


def _table(path: Path, rows: int, *, quoted: bool = False, short: int = 4001) -> Path:
    rnd = random.Random(11)
    lines = [HEADER]
    for i in range(rows):
        cells = [
            f"Nguyễn Văn {rnd.choice('ABCDEGH')}{i}",
            f"0{rnd.randrange(79, 96)}{rnd.randrange(10**9):09d}" if i % 50 == 0 else "",
            f"09{rnd.randrange(10**8):08d}" if i % 7 else "không có",
            f"a{i}@gmail.com" if i % 11 == 0 else "-",
            rnd.choice(["Quận 1", "Gò Vấp", "Quận 3"]),
            rnd.choice(["Bến Nghé", "Phường 7", " Đa Kao "]),
            str(rnd.randrange(10**6)),
            "ông Trần Văn Bình sinh năm 1980" if i == rows - 3 else "ghi chú",  # the last rows
        ]
        if quoted and i % 997 == 0:  # a few whole quoted records: still the Arrow way
            cells[7] = '"có, dấu phẩy"'
        lines.append(",".join(cells))
        if i % short == 0:
            lines.append("hàng,ngắn")  # a short row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": n, "type": "integer" if n == "so_tien" else "string"} for n in HEADER.split(",")
    ]
}


def _single(path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The single pass over the csv module's rows: the result before issue 24."""
    with monkeypatch.context() as patch:
        patch.setattr(single_pass, "PARALLEL_MIN_BYTES", 1 << 62)
        patch.setattr(engine, "arrow_batches_possible", lambda plan: False)
        report, findings = validate_and_scan(path, SCHEMA)
    return report.to_json(), findings


@pytest.mark.parametrize(("quoted", "short"), [(False, 4001), (True, 4001), (True, 150)])
def test_the_scan_process_finds_what_the_single_pass_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quoted: bool, short: int
) -> None:
    path = _table(tmp_path / "people.csv", 45_000, quoted=quoted, short=short)
    monkeypatch.setattr(single_pass, "PARALLEL_MIN_BYTES", 0)
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    report, findings = validate_and_scan(path, SCHEMA)
    assert forks, "no scan process was started"
    assert (report.to_json(), findings) == _single(path, monkeypatch)
    kinds = {f.kind for f in findings}
    assert {"phone", "email", "citizen_id"} <= kinds  # rows past the first batches too
    assert report.places and {p.column for p in report.places} >= {"quan"}
    for pid in forks:  # reaped: no zombie left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_failed_scan_process_leaves_the_scan_to_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _table(tmp_path / "people.csv", 30_000)
    expected = _single(path, monkeypatch)
    monkeypatch.setattr(single_pass, "PARALLEL_MIN_BYTES", 0)
    parent = os.getpid()
    real = single_pass._scan_everything

    def failing(*args: Any) -> Any:
        if os.getpid() != parent:
            raise MemoryError("the scan process dies")
        return real(*args)

    monkeypatch.setattr(single_pass, "_scan_everything", failing)
    report, findings = validate_and_scan(path, SCHEMA)
    assert (report.to_json(), findings) == expected


def test_the_analysis_starts_the_scan_before_inferring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _table(tmp_path / "people.csv", 30_000)
    monkeypatch.setattr(single_pass, "PARALLEL_MIN_BYTES", 0)
    analysis = analyse_normalized(path, detect_format(path, "people.csv"), None)
    monkeypatch.setattr(single_pass, "PARALLEL_MIN_BYTES", 1 << 62)
    alone = analyse_normalized(path, detect_format(path, "people.csv"), None)
    assert analysis == alone and analysis.findings


def test_place_keys_counted_by_arrow_come_in_counter_order() -> None:
    rnd = random.Random(3)
    for size in (1, 10, 1000, 30_000):
        values = [
            rnd.choice(["Bến Nghé", "", "Đa Kao", "P. 7"]) + str(rnd.randrange(40))
            for _ in range(size)
        ]
        districts = [rnd.choice(["Quận 1", "", "Gò Vấp"]) for _ in range(size)]
        parts: list[Any] = [ArrowColumn(pa.array(values)), ArrowColumn(pa.array(districts))]
        counted = count_keys([*parts, [""] * size])
        expected = Counter(zip(values, districts, [""] * size, strict=True))
        assert list(counted.items()) == list(expected.items())  # the same order too


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="Linux only")
def test_the_scan_process_ends_with_the_process_that_started_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _table(tmp_path / "people.csv", 2_000)
    monkeypatch.setattr(single_pass, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(single_pass, "_scan_everything", lambda *args: time.sleep(60))
    read_end, write_end = os.pipe()
    starter = os.fork()
    if starter == 0:  # a job's process: starts the scan, then dies without waiting for it
        try:
            helper = single_pass.start_scan(path)
            os.write(write_end, str(helper._pid if helper else 0).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    scan = int(os.read(read_end, 32) or b"0")
    os.close(read_end)
    os.waitpid(starter, 0)
    assert scan
    deadline = time.monotonic() + 20
    while not _gone(scan) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(scan)


CELLS = [
    "",
    "-",
    "không có",
    "N/A",
    "0",
    "x",
    "Quận 1",
    "ưu tiên",
    "0901234567",
    "0901 234 567",
    "(028) 3823 4567",
    "+84 90 123 4567",
    "079203001234",
    "a.b@gmail.com",
    "hộp thư @ sở",
    "SN 1980",
    "sinh năm 1975",
    "NS: 02/03/1990",
    "Sinh ngày 1 tháng 2 năm 1985",
    "AB12",
    "12AB",
    "51F-123.45",
    "DN4010123456789",
    "HS4790112345678",
    "12345678901",
    "1234.567.890",
    "ông Nguyễn Văn An",
    "2024-01-02",
    "106.7",
    "NSNN",
    "sinh hoạt",
]


def test_the_scan_counts_arrow_columns_as_it_counts_lists() -> None:
    rnd = random.Random(5)
    header = ["a", "b", "c", "d"]
    by_lists, by_arrow = TableScanner(header), TableScanner(header)
    for _ in range(12):
        size = rnd.randrange(1, 900)
        columns = [[rnd.choice(CELLS[:7]) for _ in range(size)]]  # nothing to find
        columns += [[rnd.choice(CELLS) for _ in range(size)] for _ in range(3)]
        rows = list(zip(*columns, strict=True))
        by_lists.feed(rows, columns)
        by_arrow.feed(rows, [ArrowColumn(pa.array(c, type=pa.string())) for c in columns])
    assert by_arrow.columns == by_lists.columns
    assert findings_of(by_arrow) == findings_of(by_lists)
    assert sum(sum(c.cells.values()) for c in by_lists.columns) > 0  # kinds were found
