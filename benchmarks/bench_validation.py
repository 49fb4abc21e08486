"""Benchmark: the portal's validate_table against the `frictionless validate` command (SPEC §8).

Generates (fixed seed) a CSV shaped like BENCHMARKS.md's: id, date, district and ward names with
Vietnamese diacritics, category, integer, float, latitude, longitude, free Vietnamese text; a
Table Schema with a primary key and constraints; a clean file and one with planted errors of
several kinds. Each validation runs in its own process so wall time and peak RSS are its own;
the portal runs twice, alone and with the personal-data scan counting every row in the same
pass (as an upload's processing does).

    .venv/bin/python benchmarks/bench_validation.py            # 1,000,000 rows
    .venv/bin/python benchmarks/bench_validation.py --rows 100000
    .venv/bin/python benchmarks/bench_validation.py --repeat 3   # best of 3 (a busy machine)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FRICTIONLESS = Path(sys.executable).with_name("frictionless")

DISTRICTS = [
    "Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10",
    "Quận 11", "Quận 12", "Bình Thạnh", "Gò Vấp", "Phú Nhuận", "Tân Bình", "Tân Phú",
    "Bình Tân", "Thủ Đức", "Củ Chi", "Hóc Môn", "Nhà Bè", "Cần Giờ",
]  # fmt: skip
WARDS = [
    "Bến Nghé", "Bến Thành", "Đa Kao", "Tân Định", "Cầu Ông Lãnh", "Nguyễn Thái Bình",
    "Phạm Ngũ Lão", "Võ Thị Sáu", "Hòa Thạnh", "Thảo Điền", "An Khánh", "Linh Trung",
    "Hiệp Bình Chánh", "Phước Long",
]  # fmt: skip
CATEGORIES = ["giao thông", "y tế", "giáo dục", "môi trường", "văn hóa", "an ninh"]
WORDS = [
    "dữ", "liệu", "đường", "phố", "người", "dân", "thành", "hồ", "chí", "minh", "nước", "sạch",
    "điện", "chiếu", "sáng", "cây", "xanh", "trường", "học", "bệnh", "viện", "chợ", "công",
    "viên", "xe", "buýt", "trạm", "thủy", "hòa", "bình", "Nguyễn", "Thị", "ưu", "tiên",
]  # fmt: skip
HEADER = [
    "id", "ngay", "quan", "phuong", "loai", "so_luong", "gia_tri", "vi_do", "kinh_do", "ghi_chu",
]  # fmt: skip

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "ngay", "type": "date", "constraints": {"required": True}},
        {"name": "quan", "type": "string", "constraints": {"required": True, "enum": DISTRICTS}},
        {"name": "phuong", "type": "string", "constraints": {"required": True}},
        {"name": "loai", "type": "string", "constraints": {"enum": CATEGORIES}},
        {"name": "so_luong", "type": "integer", "constraints": {"minimum": 0, "maximum": 10000}},
        {"name": "gia_tri", "type": "number", "constraints": {"minimum": 0}},
        {"name": "vi_do", "type": "number", "constraints": {"minimum": 8, "maximum": 24}},
        {"name": "kinh_do", "type": "number", "constraints": {"minimum": 102, "maximum": 110}},
        {"name": "ghi_chu", "type": "string", "constraints": {"maxLength": 120}},
    ],
    "primaryKey": ["id"],
}


def _row(rnd: random.Random, i: int) -> list[str]:
    day = date(2015, 1, 1) + timedelta(days=rnd.randrange(3650))
    return [
        str(i), day.isoformat(), rnd.choice(DISTRICTS), rnd.choice(WARDS),
        rnd.choice(CATEGORIES), str(rnd.randrange(0, 5000)), f"{rnd.uniform(0, 1e6):.2f}",
        f"{rnd.uniform(10.35, 11.16):.6f}", f"{rnd.uniform(106.36, 107.03):.6f}",
        " ".join(rnd.choices(WORDS, k=rnd.randrange(3, 12))),
    ]  # fmt: skip


def _corrupt(row: list[str], kind: int) -> list[str]:
    """Plant one error of kind ``kind`` (type, constraint, structure, key) in ``row``."""
    edits = {
        0: lambda r: r.__setitem__(5, "mười"),  # type-error integer
        1: lambda r: r.__setitem__(1, "2023-02-30"),  # type-error date
        2: lambda r: r.__setitem__(2, "Quận 99"),  # constraint-error enum
        3: lambda r: r.__setitem__(5, "-5"),  # constraint-error minimum
        4: lambda r: r.__setitem__(0, "7"),  # primary-key duplicate
        5: lambda r: r.pop(),  # missing-cell
        6: lambda r: r.append("thừa"),  # extra-cell
        7: lambda r: r.__setitem__(3, ""),  # constraint-error required
        8: lambda r: r.__setitem__(7, "95.5"),  # constraint-error maximum
        9: lambda r: r.__setitem__(9, "dài " * 40),  # constraint-error maxLength
        10: lambda r: r.__setitem__(6, "1,5"),  # type-error number
        11: lambda r: r.__setitem__(slice(None), [""] * len(r)),  # blank-row
    }
    edits[kind % len(edits)](row)
    return row


def generate(path: Path, rows: int, *, every: int = 0) -> None:
    """Write ``rows`` data rows (seed 42); plant an error every ``every`` rows when > 0."""
    rnd = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(1, rows + 1):
            row = _row(rnd, i)
            if every and i % every == 0:
                row = _corrupt(row, i // every)
            writer.writerow(row)


CPU: dict[str, float] = {}  # CPU seconds of the last run of each kind (portal, scan, command)


def _run(argv: list[str], cwd: Path, kind: str) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MB of that process, stdout).

    Its CPU seconds (with those of the processes it waited for: the scan process) go to
    ``CPU[kind]``."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        CPU[kind] = usage.ru_utime + usage.ru_stime
        process.returncode = 0
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode()


PORTAL_SCRIPT = """
import json, sys
from pathlib import Path
from datasets.validation import validate_table
schema = json.loads(Path(sys.argv[2]).read_text())
print(json.dumps(validate_table(Path(sys.argv[1]), schema).to_json()))
"""
# Validation with the personal-data scan counting every row in the same pass, as uploads do.
SCAN_SCRIPT = """
import json, sys
from pathlib import Path
from datasets.validation import validate_and_scan
schema = json.loads(Path(sys.argv[2]).read_text())
report, findings = validate_and_scan(Path(sys.argv[1]), schema)
print(json.dumps(report.to_json()))
"""


def _portal(
    csv_path: Path, schema_path: Path, *, scan: bool = False
) -> tuple[float, float, list[tuple[Any, ...]]]:
    script = SCAN_SCRIPT if scan else PORTAL_SCRIPT
    argv = [sys.executable, "-c", script, str(csv_path), str(schema_path)]
    wall, rss, out = _run(argv, REPO, "scan" if scan else "portal")
    report = json.loads(out)
    return wall, rss, [(e["code"], e["row"], e["field_number"]) for e in report["errors"]]


def _command(csv_path: Path, schema_path: Path) -> tuple[float, float, list[tuple[Any, ...]]]:
    argv = [str(FRICTIONLESS), "validate", csv_path.name, "--schema", schema_path.name, "--json"]
    wall, rss, out = _run(argv, csv_path.parent, "command")
    report = json.loads(out)
    found = [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber"))
        for task in report["tasks"]
        for e in task["errors"]
    ]
    return wall, rss, found


def main() -> None:
    """Generate the files, run both validators on each, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the portal alone and with the scan this many times, alternately; best of each",
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    schema_path = args.workdir / "validation-schema.json"
    schema_path.write_text(json.dumps(SCHEMA, ensure_ascii=False), encoding="utf-8")
    small = max(1, args.rows // 10)
    files = {
        f"clean-{args.rows}": (args.rows, 0),
        f"dirty-{args.rows}": (args.rows, 5000),
        f"clean-{small}": (small, 0),
    }
    print(f"frictionless command: {FRICTIONLESS.name} validate --schema --json (5.21.0)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    memory: dict[str, float] = {}
    for name, (rows, every) in files.items():
        path = args.workdir / f"validation-{name}.csv"
        generate(path, rows, every=every)
        size = path.stat().st_size / 1e6
        plain, scanned_runs = [], []
        cpu: dict[str, list[float]] = {"portal": [], "scan": []}
        for _ in range(max(1, args.repeat)):  # alternately: a change in load hits both alike
            plain.append(_portal(path, schema_path))
            cpu["portal"].append(CPU["portal"])
            scanned_runs.append(_portal(path, schema_path, scan=True))
            cpu["scan"].append(CPU["scan"])
        p_wall, p_rss, p_found = min(plain, key=lambda run: run[0])
        s_wall, s_rss, s_found = min(scanned_runs, key=lambda run: run[0])
        memory[name] = p_rss
        p_cpu, s_cpu = min(cpu["portal"]), min(cpu["scan"])
        scanned = (
            f"portal + personal-data scan {s_wall:.2f} s ({s_wall / p_wall - 1:+.0%}), "
            f"{s_cpu:.2f} s CPU, {s_rss:.0f} MB peak"
        )
        if name.startswith("clean-") and rows != args.rows:
            print(
                f"{name}: {rows} rows, {size:.0f} MB: portal {p_wall:.2f} s, {p_cpu:.2f} s CPU, "
                f"{p_rss:.0f} MB | "
                f"{scanned}"
            )
            continue
        c_wall, c_rss, c_found = _command(path, schema_path)
        same = p_found == c_found == s_found
        print(
            f"{name}: {rows} rows, {size:.0f} MB, {len(c_found)} errors | "
            f"portal {p_wall:.2f} s, {p_cpu:.2f} s CPU, {p_rss:.0f} MB peak | {scanned} | "
            f"frictionless {c_wall:.2f} s, {CPU['command']:.2f} s CPU, {c_rss:.0f} MB peak | "
            f"{c_wall / p_wall:.1f}x faster, with the scan {c_wall / s_wall:.1f}x (CPU "
            f"{CPU['command'] / p_cpu:.1f}x, {CPU['command'] / s_cpu:.1f}x) | "
            f"identical findings: {same}"
        )
    big, little = memory[f"clean-{args.rows}"], memory[f"clean-{small}"]
    print(f"portal peak RSS: {little:.0f} MB at {small} rows, {big:.0f} MB at {args.rows} rows")
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
