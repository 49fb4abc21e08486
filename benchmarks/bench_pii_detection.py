"""Measure personal-data detection on the labelled synthetic corpus.

Generates ``benchmarks/pii_corpus.py`` tables with a fixed seed, writes each as a UTF-8 CSV,
runs ``datasets.personal.scan_csv`` and prints precision and recall per kind (per column) and
overall. Target: recall >= 0.95 and precision >= 0.90 for every kind.

    .venv/bin/python benchmarks/bench_pii_detection.py [--seed N] [--tables N] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pii_corpus import generate_corpus

from datasets.personal import scan_csv

RECALL_TARGET, PRECISION_TARGET = 0.95, 0.90


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--tables", type=int, default=1200)
    parser.add_argument("--errors", action="store_true", help="list misclassified columns")
    args = parser.parse_args()

    corpus = generate_corpus(seed=args.seed, n_tables=args.tables)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[str] = []
    n_columns = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for table in corpus:
            path = Path(tmp) / f"{table.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(table.header)
                writer.writerows(table.rows)
            # A finding the scan proposes to keep (an organisation's public details) is what
            # this corpus labels as not personal; a rule would still override the proposal.
            found = {f.column: f.kind for f in scan_csv(path) if f.proposal != "keep"}
            for column, truth in zip(table.header, table.labels, strict=True):
                n_columns += 1
                got = found.get(column)
                if got == truth:
                    if truth is not None:
                        tp[truth] += 1
                    continue
                if truth is not None:
                    fn[truth] += 1
                if got is not None:
                    fp[got] += 1
                errors.append(f"{table.name}: {column!r} truth={truth} got={got}")
    elapsed = time.perf_counter() - started

    kinds = sorted(set(tp) | set(fp) | set(fn))
    print(f"corpus: {len(corpus)} tables, {n_columns} columns, seed {args.seed}")
    print(f"{'kind':<20}{'columns':>8}{'TP':>6}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}")
    failing = []
    for kind in kinds:
        precision = _ratio(tp[kind], tp[kind] + fp[kind])
        recall = _ratio(tp[kind], tp[kind] + fn[kind])
        if precision < PRECISION_TARGET or recall < RECALL_TARGET:
            failing.append(kind)
        print(
            f"{kind:<20}{tp[kind] + fn[kind]:>8}{tp[kind]:>6}{fp[kind]:>5}{fn[kind]:>5}"
            f"{precision:>11.3f}{recall:>8.3f}"
        )
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(
        f"{'overall (micro)':<20}{all_tp + all_fn:>8}{all_tp:>6}{all_fp:>5}{all_fn:>5}"
        f"{_ratio(all_tp, all_tp + all_fp):>11.3f}{_ratio(all_tp, all_tp + all_fn):>8.3f}"
    )
    print(f"scan time: {elapsed:.2f} s ({1000 * elapsed / len(corpus):.1f} ms per table)")
    print("targets met" if not failing else f"below target: {', '.join(failing)}")
    if args.errors:
        print("\n".join(errors))
    return 0 if not failing else 1


if __name__ == "__main__":
    raise SystemExit(main())
