"""Benchmark: what recognizing place columns adds to an upload's single pass (issue 22).

Generates (fixed seed) rows with an old district, a ward of either generation (accents or
not, type word or abbreviation), a province and two other columns, and feeds them in the
validation pass's batches to the personal-data scan (``TableScanner``, which every upload
already runs) and to the place collector (``PlaceCollector.feed`` then ``places``: the
catalogue lookups of the distinct values), in the same run. Prints both times, their ratio
and the load average.

    .venv/bin/python benchmarks/bench_place_columns.py              # 1,000,000 rows
    .venv/bin/python benchmarks/bench_place_columns.py --rows 200000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets.personal import TableScanner
from datasets.place_columns import PlaceCollector
from datasets.places import place_catalogue

HEADER = ["stt", "quan_huyen", "phuong_xa", "tinh", "so_ho"]
OLD = [u for u in place_catalogue().old_units() if u.level in ("ward", "commune")]
CURRENT = list(place_catalogue().current_units())
DISTRICTS = {u.code: u.name for u in place_catalogue().old_units() if u.level == "district"}


def _rows(count: int, rnd: random.Random) -> list[list[str]]:
    rows = []
    for n in range(count):
        if n % 3:
            unit = rnd.choice(OLD)
            district = DISTRICTS.get(unit.district_code or "", "")
            ward = unit.name if n % 2 else unit.name.replace("Phường ", "P. ")
        else:
            unit, district = rnd.choice(CURRENT), ""
            ward = unit.short_name
        rows.append([str(n), district, ward, "TP.HCM", str(rnd.randint(10, 900))])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    rows = _rows(args.rows, random.Random(22))
    batches = [rows[i : i + 20_000] for i in range(0, len(rows), 20_000)]
    start = time.perf_counter()
    scanner = TableScanner(HEADER)
    for batch in batches:
        scanner.feed(batch)
    scan = time.perf_counter() - start
    start = time.perf_counter()
    collector = PlaceCollector(HEADER)
    for batch in batches:
        collector.feed(batch)
    fed = time.perf_counter() - start
    places = collector.places(place_catalogue())
    total = time.perf_counter() - start
    for column in places:
        print(
            f"  {column.column}: {column.cells} cells, current {column.current}, "
            f"obsolete {column.obsolete}, unknown {column.unknown}, complete {column.complete}"
        )
    print(f"rows: {args.rows:,}")
    print(f"personal-data scan (reference, already in every upload): {scan:.2f} s")
    print(f"place columns: {total:.2f} s (feeding {fed:.2f} s, lookups {total - fed:.2f} s)")
    print(f"ratio place columns / scan: {total / scan:.2f}")
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
