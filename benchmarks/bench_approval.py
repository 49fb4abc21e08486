"""Approval benchmark (issue 24): from a steward's approval until ``datastore_search`` answers.

Generates the fixed-seed city table of ``bench_datastore.py`` (``--rows``, 400,000 by
default) and publishes it through the real path, over HTTP against a real ``opendata serve
--no-jobs`` and a real ``opendata worker`` on a fresh data dir (SQLite database, the default
SQLite job queue; ``--redis-url`` for Redis): the publisher creates the dataset, uploads the
CSV and, once it is processed, submits it; the steward approves it ``--review-seconds``
later (30: the job process has gone idle meanwhile, as it has when a steward approves).
The clock runs from the approval request until CKAN's ``datastore_search`` on the resource
answers with every row (polled every 20 ms). In the same run, the reference: the ``sqlite3``
CLI's ``.import`` of the same file into a pre-typed table and 2 indexes. Prints both, the
ratio and the load average.

    .venv/bin/python benchmarks/bench_approval.py [--rows 400000] [--ports 8600-8699]
        [--review-seconds 30] [--redis-url URL] [--workdir DIR] [--worker-log FILE]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_datastore import SCHEMA, generate_csv
from ports import PortRange

OPENDATA = str(Path(sys.executable).parent / "opendata")
PASSWORD = "bench-password-2026"
TYPES = {"integer": "INTEGER", "number": "REAL", "date": "TEXT", "string": "TEXT"}


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def reference(csv_path: Path, work: Path) -> float:
    """Seconds of the sqlite3 CLI: .import into a typed table, then 2 indexes."""
    db = work / "cli.db"
    cols = ", ".join(f"{f['name']} {TYPES[f['type']]}" for f in SCHEMA["fields"])
    script = (
        f"CREATE TABLE t ({cols});\n.mode csv\n.import --skip 1 '{csv_path}' t\n"
        "CREATE INDEX i_quan ON t(quan);\nCREATE INDEX i_ngay ON t(ngay);\n"
    )
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(db)], input=script.encode(), check=True)
    took = time.perf_counter() - started
    db.unlink()
    return took


def opendata(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([OPENDATA, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def wait_until(check: Callable[[], object], timeout: float, pause: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(pause)
    raise RuntimeError("timed out")


def publish(
    url: str, pub: str, stw: str, csv_path: Path, rows: int, review: float
) -> tuple[float, float]:
    """Create, upload, submit, approve; return (approval request seconds, until searchable)."""
    api = f"{url}/api/v1"
    as_pub = requests.Session()
    as_pub.headers["Authorization"] = f"Bearer {pub}"
    as_stw = requests.Session()
    as_stw.headers["Authorization"] = f"Bearer {stw}"
    created = as_pub.post(
        f"{api}/datasets", json={"organization": "so-bench", "title": "Đo phê duyệt"}, timeout=60
    )
    created.raise_for_status()
    name = created.json()["name"]
    with csv_path.open("rb") as handle:
        added = as_pub.post(
            f"{api}/datasets/{name}/resources",
            files={"file": ("diem.csv", handle, "text/csv")},
            data={"name": "Điểm"},
            timeout=3600,
        )
    added.raise_for_status()
    resource_id = added.json()["id"]

    def processed() -> str | None:
        shape = as_pub.get(f"{api}/datasets/{name}", timeout=60).json()
        status = next(r for r in shape["resources"] if r["id"] == resource_id)["status"]
        return None if status == "processing" else str(status)

    started = time.perf_counter()
    status = wait_until(processed, 3600, 0.5)
    print(f"processed ({status}) in {time.perf_counter() - started:.1f} s; {load_text()}")
    as_pub.post(f"{api}/datasets/{name}/submit", timeout=60).raise_for_status()
    time.sleep(review)  # the steward reads the submission; the job process goes idle
    search = f"{url}/api/3/action/datastore_search"

    def answered() -> bool:
        got = requests.get(search, params={"resource_id": resource_id, "limit": 1}, timeout=60)
        return got.ok and got.json()["result"]["total"] == rows

    assert not answered()
    started = time.perf_counter()
    as_stw.post(f"{api}/datasets/{name}/approve", timeout=600).raise_for_status()
    approved = time.perf_counter() - started
    print(f"approval sent at {time.time() - approved:.3f} (epoch)")
    wait_until(answered, 3600, 0.02)
    return approved, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--ports", default="", help="port range for the server, e.g. 8600-8699")
    parser.add_argument("--redis-url", default="", help="job queue on Redis (default: SQLite)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--review-seconds", type=float, default=30, help="pause between submission and approval"
    )
    parser.add_argument("--worker-log", type=Path, default=None, help="the worker's INFO log")
    args = parser.parse_args()
    print(f"start: {load_text()}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        csv_path = work / "diem.csv"
        generate_csv(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB)")
        port = PortRange(args.ports).take()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "OPENDATA_DATA_DIR": str(work / "instance"),
            "OPENDATA_SITE_URL": url,
            "OPENDATA_LOG_LEVEL": "WARNING",
            "OPENDATA_MAX_UPLOAD_MB": "4096",
            "OPENDATA_RATE_LIMIT_ANON": "0",
            "OPENDATA_RATE_LIMIT_TOKEN": "0",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        opendata(env, "db", "upgrade")
        opendata(env, "org", "create", "so-bench", "--title", "Sở Đo lường")
        tokens = []
        for user, role in (("bench-pub", "publisher"), ("bench-stw", "steward")):
            opendata(env, "user", "create", user, "--email", f"{user}@example.org",
                     "--password", PASSWORD, "--org", "so-bench", "--role", role)  # fmt: skip
            tokens.append(opendata(env, "token", "create", user).splitlines()[-1])
        server = subprocess.Popen(
            [OPENDATA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-jobs"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        log = args.worker_log.open("w") if args.worker_log else subprocess.DEVNULL
        worker = subprocess.Popen(
            [OPENDATA, "worker"],
            env={**env, "OPENDATA_LOG_LEVEL": "INFO"} if args.worker_log else env,
            stdout=log,
            stderr=log,
        )
        try:
            wait_until(lambda: _healthy(url), 120, 0.3)
            approved, portal = publish(
                url, tokens[0], tokens[1], csv_path, args.rows, args.review_seconds
            )
            print(f"portal: approval answered in {approved:.2f} s; {load_text()}", flush=True)
            ref = reference(csv_path, work)
        finally:
            for process in (server, worker):
                process.send_signal(signal.SIGTERM)
            for process in (server, worker):
                process.wait(timeout=60)
    print(
        f"approval until datastore_search answers {args.rows:,} rows: portal {portal:.2f} s, "
        f"sqlite3 CLI .import + 2 indexes {ref:.2f} s: ratio {portal / ref:.2f}x; {load_text()}"
    )


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).ok
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
