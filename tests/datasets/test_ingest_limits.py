"""Ingest stays bounded: JSON is streamed, records and sniffing have limits (real files)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import datasets.ingest.json_records
from datasets.ingest import IngestError, detect_format, normalize_to_csv

MEASURE = """
import sys
from pathlib import Path
from datasets.ingest import detect_format, normalize_to_csv


def peak_kib():  # VmHWM is this process's own peak (ru_maxrss keeps the parent's over exec)
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


source = Path(sys.argv[1])
base = peak_kib()
table = normalize_to_csv(source, detect_format(source, "data.json"), Path(sys.argv[2]))
print(table.row_count, (peak_kib() - base) // 1024)
"""


def test_json_is_streamed_with_memory_flat_in_file_size(tmp_path: Path) -> None:
    records = [
        {"ma": i, "ten": f"Phường Bến Nghé số {i}", "vi_do": 10.77 + i / 1e6, "the": {"a": [i]}}
        for i in range(200_000)
    ]
    source = tmp_path / "data.json"
    source.write_text(json.dumps({"meta": {"n": 1}, "data": records}, ensure_ascii=False), "utf-8")
    assert source.stat().st_size > 20_000_000
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(source), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    rows, grown_mib = int(out[0]), int(out[1])
    # json.load of this file alone grows the process by about 180 MiB.
    assert rows == 200_000 and grown_mib < 40, grown_mib
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert (
        lines[0] == "ma,ten,vi_do,the"
        and lines[2] == f'1,Phường Bến Nghé số 1,{10.77 + 1 / 1e6},"{{""a"": [1]}}"'
    )


def test_a_json_record_over_the_limit_fails_before_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasets.ingest.json_records, "MAX_RECORD_BYTES", 1024 * 1024)
    source = tmp_path / "big.json"
    big = {"ten": "x", "so": list(range(600_000))}  # about 4 MB in one record
    source.write_text(json.dumps([{"ten": "a"}, big, {"ten": "b"}]), encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        normalize_to_csv(source, detect_format(source, "big.json"), tmp_path / "out.csv")
    assert (caught.value.code, caught.value.params) == (
        "bad-json",
        {"reason": "record-too-large", "record": 2, "limit": 1024 * 1024},
    )


def test_sniffing_a_long_first_line_takes_well_under_a_second(tmp_path: Path) -> None:
    source = tmp_path / "wide.csv"
    source.write_bytes(b'"a;b",c\t' * 400_000 + b"\n1\n")
    started = time.monotonic()
    detected = detect_format(source, "wide.csv")
    # Was 10 s: the delimiter sniffer's regular expressions ran over 64 KiB of one line.
    assert time.monotonic() - started < 3 and detected.format in ("CSV", "TSV")
