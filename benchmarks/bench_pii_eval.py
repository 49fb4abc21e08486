"""Personal-data detection on the held-out evaluation set (benchmarks/pii_eval.py).

Every file goes through the real processing pipeline of a fresh portal (SQLite in a temporary
data dir): upload, normalization, validation, scan, the default policy, the public file. Then

- per kind, precision and recall over columns: a labelled column is found when the scan
  reports it with one of its acceptable kinds, and flagged when the scan reports it at all;
  a finding on a column without personal data is a false positive;
- over whole files: did any personal value reach the public file unchanged (a labelled cell
  in the same row and column, or a value planted inside free text still in that cell).

    .venv/bin/python benchmarks/bench_pii_eval.py [--seed N] [--per-shape N] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pii_eval import EvalFile, generate_eval


@dataclass
class Outcome:
    """What the pipeline did with one evaluation file."""

    file: EvalFile
    findings: dict[str, str]  # column -> kind
    shares: dict[str, float]
    public: list[dict[str, str]] | None  # None: no public file (undecided findings)
    leaked: dict[str, int] = field(default_factory=dict)  # column -> leaked cells


@dataclass
class Scores:
    """Column-level and file-level figures."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)  # labelled columns found with any kind
    files: int = 0
    personal_files: int = 0
    leaking_files: int = 0
    leaked_cells: Counter[str] = field(default_factory=Counter)  # by kind
    errors: list[str] = field(default_factory=list)

    def recall(self, kind: str) -> float:
        return _ratio(self.tp[kind], self.tp[kind] + self.fn[kind])

    def precision(self, kind: str) -> float:
        return _ratio(self.tp[kind], self.tp[kind] + self.fp[kind])

    def overall_recall(self) -> float:
        return _ratio(sum(self.tp.values()), sum(self.tp.values()) + sum(self.fn.values()))

    def overall_precision(self) -> float:
        return _ratio(sum(self.tp.values()), sum(self.tp.values()) + sum(self.fp.values()))

    def flag_recall(self) -> float:
        total = sum(self.tp.values()) + sum(self.fn.values())
        return _ratio(sum(self.flagged.values()), total)

    def file_safety(self) -> float:
        """Share of files with personal data whose public copy leaks nothing."""
        return _ratio(self.personal_files - self.leaking_files, self.personal_files)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _still_there(value: str, cell: str) -> bool:
    """Whether a value planted in a free-text cell is still readable in the public cell."""
    if value in cell:
        return True
    digits = _digits(value)
    return len(digits) >= 8 and digits in _digits(cell)


def leaks(file: EvalFile, public: list[dict[str, str]] | None) -> dict[str, int]:
    """Return, per labelled column, how many personal cells reached the public rows."""
    if public is None:
        return {}
    found: dict[str, int] = {}
    index = {name: k for k, name in enumerate(file.header)}
    for column, rows in file.personal.items():
        if not public or column not in public[0]:
            continue
        k = index[column]
        # A birth year alone is what the default policy publishes (it generalizes to the year).
        year_only = file.labels[column][0] == "date_of_birth"
        n = sum(
            1
            for i in rows
            if i < len(public)
            and public[i][column].strip() == file.rows[i][k].strip()
            and not (year_only and len(file.rows[i][k].strip()) == 4)
        )
        if n:
            found[column] = n
    for column, planted in file.planted.items():
        if not public or column not in public[0]:
            continue
        n = sum(
            1
            for i, values in planted.items()
            if i < len(public) and any(_still_there(v, public[i][column]) for v in values)
        )
        if n:
            found[column] = found.get(column, 0) + n
    return found


def score(outcomes: list[Outcome]) -> Scores:
    """Compare findings with labels, and public files with the personal values."""
    s = Scores()
    for outcome in outcomes:
        file = outcome.file
        s.files += 1
        for column in file.header:
            kinds = file.labels[column]
            got = outcome.findings.get(column)
            if kinds:
                if got is not None:
                    s.flagged[kinds[0]] += 1
                if got in kinds:
                    s.tp[kinds[0]] += 1
                    continue
                s.fn[kinds[0]] += 1
                if got is not None:
                    s.fp[got] += 1
                s.errors.append(f"{file.name}: {column!r} truth={kinds[0]} got={got}")
            elif got is not None:
                s.fp[got] += 1
                share = outcome.shares.get(column, 0.0)
                s.errors.append(f"{file.name}: {column!r} truth=None got={got} ({share:.2f})")
        if file.personal or file.planted:
            s.personal_files += 1
            outcome.leaked = leaks(file, outcome.public)
            if outcome.leaked:
                s.leaking_files += 1
                for column, n in outcome.leaked.items():
                    s.leaked_cells[file.labels[column][0]] += n
                    s.errors.append(f"{file.name}: LEAK {column!r} {n} cells")
    return s


def run_pipeline(services: Any, files: list[EvalFile]) -> list[Outcome]:
    """Upload every file to a fresh dataset of ``services`` and read what processing made."""
    from sqlalchemy import select

    from datasets.model import ResourceVersion
    from publishers import Role
    from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org, title="Đánh giá dữ liệu cá nhân")
    outcomes = []
    for k, file in enumerate(files):
        resource_id = upload_bytes(
            services, publisher, dataset.name, file.to_csv_bytes(bom=k % 4 == 0), f"{file.name}.csv"
        )
        with services.sessions() as session:
            version = session.scalars(
                select(ResourceVersion)
                .where(ResourceVersion.resource_id == resource_id)
                .order_by(ResourceVersion.created.desc())
            ).first()
            assert version is not None
            findings = {f["column"]: f["kind"] for f in version.findings or []}
            shares = {f["column"]: float(f["share"]) for f in version.findings or []}
            public_key = version.public_sha256
        public = None
        if public_key:
            path = services.public_store.local_path(public_key)
            with open(path, encoding="utf-8-sig", newline="") as handle:
                public = list(csv.DictReader(handle))
        outcomes.append(Outcome(file, findings, shares, public))
    return outcomes


def report(s: Scores) -> list[str]:
    lines = [
        f"{'kind':<18}{'columns':>8}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>10}{'recall':>8}{'flagged':>9}"
    ]
    for kind in sorted(set(s.tp) | set(s.fp) | set(s.fn)):
        n = s.tp[kind] + s.fn[kind]
        lines.append(
            f"{kind:<18}{n:>8}{s.tp[kind]:>5}{s.fp[kind]:>5}{s.fn[kind]:>5}"
            f"{s.precision(kind):>10.3f}{s.recall(kind):>8.3f}{_ratio(s.flagged[kind], n):>9.3f}"
        )
    lines.append(
        f"{'overall (micro)':<18}{sum(s.tp.values()) + sum(s.fn.values()):>8}"
        f"{sum(s.tp.values()):>5}"
        f"{sum(s.fp.values()):>5}{sum(s.fn.values()):>5}{s.overall_precision():>10.3f}"
        f"{s.overall_recall():>8.3f}{s.flag_recall():>9.3f}"
    )
    lines.append(
        f"whole files: {s.personal_files} with personal data, {s.leaking_files} leaked something "
        f"into the public file (safe share {s.file_safety():.3f}); leaked cells by kind: "
        f"{dict(s.leaked_cells) or 'none'}"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16_2026)
    parser.add_argument("--per-shape", type=int, default=6)
    parser.add_argument("--errors", action="store_true", help="list misclassified columns")
    args = parser.parse_args()

    from app.config import Settings
    from app.database import upgrade_database
    from app.keys import ensure_key_files
    from app.services import build_services

    files = generate_eval(seed=args.seed, per_shape=args.per_shape)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "instance"
        data_dir.mkdir()
        ensure_key_files(data_dir)
        settings = Settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{tmp}/portal.db",
            jobs_immediate=True,
            testing=True,
            max_upload_mb=50,
        )
        upgrade_database(settings.database_url)
        services = build_services(settings)
        started = time.perf_counter()
        outcomes = run_pipeline(services, files)
        elapsed = time.perf_counter() - started
        services.engine.dispose()
    s = score(outcomes)
    n_columns = sum(len(f.header) for f in files)
    print(f"evaluation set: {len(files)} files, {n_columns} columns, seed {args.seed}")
    print("\n".join(report(s)))
    print(f"pipeline time: {elapsed:.1f} s")
    if args.errors:
        print("\n".join(s.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
