"""Datastore load benchmark (issue 24): the portal's load against the sqlite3 CLI and psql.

Generates the fixed-seed city table of ``bench_datastore.py`` and, in one run, alternately:

- ``load``: ``SqliteDatastore.load`` of ``--rows`` rows (typed casting, the B-tree indexes,
  FTS5, ANALYZE, the swap) against the ``sqlite3`` CLI: ``.import`` into a pre-typed table,
  the same 9 indexes, the same FTS5 table filled by the same statement, ANALYZE with the
  same ``analysis_limit``;
- ``pg`` (with ``--pg-url`` or ``TEST_DATABASE_URL``): ``PostgresDatastore.load`` against
  ``psql`` ``\\copy`` into the same table (its generated full-text column included) and the
  same indexes and ANALYZE.

Prints wall and CPU seconds of each (best of ``--repeat``), the ratios and the load average
(the machine is shared: ratios measured in one run are what count).

    .venv/bin/python benchmarks/bench_load.py [--rows 1000000] [--repeat 1]
        [--only load,pg] [--pg-url URL] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_datastore import SCHEMA, generate_csv

from datasets.datastore import PostgresDatastore, SqliteDatastore
from datasets.datastore.postgres_setup import FOLD_FROM, FOLD_TO

INDEXED = ("id", "ngay", "quan", "phuong", "loai", "so_luong", "gia_tri", "lat", "lon")
TEXT = ("quan", "phuong", "loai", "mo_ta")
TYPES = {"integer": "INTEGER", "number": "REAL", "date": "TEXT", "string": "TEXT"}
PG_TYPES = {"integer": "bigint", "number": "double precision", "date": "date"}


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run`` (this process, its threads and its children)."""

    def cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    wall, started = time.perf_counter(), cpu()
    run()
    return time.perf_counter() - wall, cpu() - started


def cli_script(csv_path: Path, indexes: tuple[str, ...], fts: bool) -> str:
    cols = ", ".join(f"{f['name']} {TYPES[f['type']]}" for f in SCHEMA["fields"])
    lines = [
        f"CREATE TABLE t ({cols});",  # its rowid is the portal's _id
        ".mode csv",
        f".import --skip 1 '{csv_path}' t",
        *(f"CREATE INDEX i_{c} ON t({c});" for c in indexes),
    ]
    if fts:
        slots = ", ".join(f"c{i}" for i in range(len(TEXT)))
        folded = ", ".join(f"replace(replace({c}, 'đ', 'd'), 'Đ', 'd')" for c in TEXT)
        lines += [
            f"CREATE VIRTUAL TABLE f USING fts5({slots}, content='', detail=none, "
            "columnsize=0, tokenize='unicode61 remove_diacritics 2');",
            f"INSERT INTO f (rowid, {slots}) SELECT rowid, {folded} FROM t;",
            "PRAGMA analysis_limit = 1000;",
            "ANALYZE t;",
        ]
    return "\n".join(lines) + "\n"


def run_cli(work: Path, csv_path: Path, indexes: tuple[str, ...], fts: bool) -> None:
    db = work / "cli.db"
    db.unlink(missing_ok=True)
    script = cli_script(csv_path, indexes, fts)
    subprocess.run(
        ["sqlite3", str(db)], input=script.encode(), check=True, stdout=subprocess.DEVNULL
    )
    db.unlink()


def run_portal(work: Path, csv_path: Path, parallel: int) -> None:
    path = work / "portal.sqlite3"
    store = SqliteDatastore(path, parallel_min_bytes=parallel)
    info = store.load("bench-load", csv_path, SCHEMA)
    store.close()
    assert info.row_count > 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def pg_reference(url: str, csv_path: Path) -> None:
    text_type = 'text COLLATE "C"'
    cols = ", ".join(f"{f['name']} {PG_TYPES.get(f['type'], text_type)}" for f in SCHEMA["fields"])
    translate = (FOLD_FROM, FOLD_TO)
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in TEXT)
    script = "\n".join(
        [
            "DROP TABLE IF EXISTS bench_ref;",
            f"CREATE TABLE bench_ref (_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {cols},"
            f" _full_text tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate({joined},"
            f" '{translate[0]}', '{translate[1]}'))) STORED);",
            f"\\copy bench_ref ({', '.join(f['name'] for f in SCHEMA['fields'])}) FROM "
            f"'{csv_path}' WITH (FORMAT csv, HEADER true)",
            *(f"CREATE INDEX ON bench_ref ({c} NULLS FIRST, _id);" for c in INDEXED),
            "CREATE INDEX ON bench_ref USING gin (_full_text);",
            "ANALYZE bench_ref;",
            "DROP TABLE bench_ref;",
        ]
    )
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=script.encode(), check=True)


def report(name: str, mine: tuple[float, float], theirs: tuple[float, float], ref: str) -> None:
    print(
        f"{name}: portal {mine[0]:.1f} s wall ({mine[1]:.1f} s CPU), {ref} {theirs[0]:.1f} s "
        f"({theirs[1]:.1f} s CPU): ratio {mine[0] / theirs[0]:.2f}x wall, "
        f"{mine[1] / theirs[1]:.2f}x CPU; {load_text()}",
        flush=True,
    )


def best(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(pairs)


def bench_load(work: Path, csv_path: Path, repeat: int) -> None:
    child: list[tuple[float, float]] = []
    inline: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(repeat):
        theirs.append(timed(lambda: run_cli(work, csv_path, INDEXED, True)))
        child.append(timed(lambda: run_portal(work, csv_path, 0)))
        inline.append(timed(lambda: run_portal(work, csv_path, 1 << 62)))
    reference = "sqlite3 CLI + same indexes + FTS5"
    report("load into SQLite (default: child reader)", best(child), best(theirs), reference)
    report("load into SQLite (cast in process)", best(inline), best(theirs), reference)


def bench_pg(url: str, csv_path: Path, repeat: int) -> None:
    import psycopg
    from psycopg import sql

    schema = f"bench_load_{os.getpid()}"
    store = PostgresDatastore(url, schema=schema)
    mine, theirs = [], []
    try:
        for _ in range(repeat):
            theirs.append(timed(lambda: pg_reference(url, csv_path)))
            mine.append(timed(lambda: store.load("bench-load", csv_path, SCHEMA)))
    finally:
        store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            conn.execute(
                sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(schema + "_reader"))
            )
    report("load into PostgreSQL", best(mine), best(theirs), "psql \\copy + same indexes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="load,pg")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    only = set(args.only.split(","))
    if shutil.which("sqlite3") is None:
        sys.exit("the sqlite3 CLI is needed (the reference)")
    print(f"start: {load_text()}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        csv_path = work / "data.csv"
        if only & {"load", "pg"}:
            generate_csv(csv_path, args.rows)
            print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB)")
        if "load" in only:
            bench_load(work, csv_path, args.repeat)
        if "pg" in only and args.pg_url:
            bench_pg(args.pg_url, csv_path, args.repeat)
        elif "pg" in only:
            print("pg: skipped (no --pg-url / TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
