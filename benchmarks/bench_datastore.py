"""Tabular query API benchmark (SPEC §8): the portal's SQLite datastore against Datasette.

Generates a city-shaped table with a fixed seed (1,000,000 rows by default), loads it
into ``SqliteDatastore`` (printing load time and rows/s) and into a Datasette database
with the same indexes, then serves both on 127.0.0.1 with one worker process each and
measures a filtered page, a sorted page and a deep page with 8 keep-alive clients.

The portal's REST records endpoint is not written yet, so the portal side is a tiny WSGI
app defined here that calls ``SqliteDatastore.search`` and answers the SPEC's JSON shape,
served by gunicorn (one process, threaded worker, keep-alive). Datasette runs with its
best settings for this table: immutable with an inspect file (cached row count) and
facet suggestions off. Datasette is installed for this benchmark only
(``.venv/bin/pip install datasette``); it is not a dependency of the portal.

    .venv/bin/python benchmarks/bench_datastore.py [--rows N] [--requests N]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ports import PortRange, add_ports_option

from datasets.datastore import DatastoreQuery, SqliteDatastore

RESOURCE_ID = "bench-1m"
SEED = 20240101
QUAN = ["Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10",
        "Quận 11", "Quận 12", "Quận Bình Tân", "Quận Bình Thạnh", "Quận Gò Vấp",
        "Quận Phú Nhuận", "Quận Tân Bình", "Quận Tân Phú", "Thành phố Thủ Đức",
        "Huyện Bình Chánh", "Huyện Cần Giờ", "Huyện Củ Chi", "Huyện Hóc Môn",
        "Huyện Nhà Bè"]  # fmt: skip
PHUONG = [f"Phường {n}" for n in range(1, 16)] + [
    "Phường Bến Nghé",
    "Phường Bến Thành",
    "Phường Đa Kao",
    "Phường Tân Định",
    "Xã Tân Thông Hội",
    "Phường Linh Trung",
    "Phường Thảo Điền",
    "Xã Phước Kiển",
    "Phường Võ Thị Sáu",
]
LOAI = ["Trường học", "Bệnh viện", "Chợ", "Công viên", "Trạm xe buýt", "Điểm Wi-Fi",
        "Bãi đỗ xe", "Nhà văn hoá", "Trạm y tế", "Siêu thị"]  # fmt: skip
WORDS = [
    "đường",
    "nguyễn",
    "huệ",
    "lê",
    "lợi",
    "hàng",
    "ngày",
    "hoạt",
    "động",
    "phục",
    "vụ",
    "người",
    "dân",
    "khu",
    "vực",
    "trung",
    "tâm",
    "gần",
    "chợ",
    "bến",
    "thành",
    "đông",
    "đúc",
    "giao",
    "thông",
    "công",
    "cộng",
    "dữ",
    "liệu",
    "cập",
    "nhật",
    "thường",
    "xuyên",
]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "ngay", "type": "date"},
        {"name": "quan", "type": "string"},
        {"name": "phuong", "type": "string"},
        {"name": "loai", "type": "string"},
        {"name": "so_luong", "type": "integer"},
        {"name": "gia_tri", "type": "number"},
        {"name": "lat", "type": "number"},
        {"name": "lon", "type": "number"},
        {"name": "mo_ta", "type": "string"},
    ]
}


def generate_csv(path: Path, rows: int) -> None:
    """Write the benchmark table with a fixed seed."""
    rng = random.Random(SEED)
    start = date(2020, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f["name"] for f in SCHEMA["fields"]])
        for i in range(1, rows + 1):
            writer.writerow(
                [
                    i,
                    (start + timedelta(days=rng.randrange(1800))).isoformat(),
                    rng.choice(QUAN),
                    rng.choice(PHUONG),
                    rng.choice(LOAI),
                    rng.randrange(1000),
                    round(rng.uniform(0, 1_000_000), 2),
                    round(rng.uniform(10.35, 11.16), 6),
                    round(rng.uniform(106.36, 107.02), 6),
                    " ".join(rng.choices(WORDS, k=rng.randrange(6, 14))).capitalize(),
                ]
            )


def build_datasette_db(csv_path: Path, db_path: Path) -> float:
    """Build Datasette's table with sqlite3 and the portal's indexes; return seconds."""
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, ngay TEXT, quan TEXT, phuong TEXT, "
        "loai TEXT, so_luong INTEGER, gia_tri REAL, lat REAL, lon REAL, mo_ta TEXT)"
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.executemany("INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?)", reader)
    # the same columns the portal indexes: every column but the free text
    for col in ("ngay", "quan", "phuong", "loai", "so_luong", "gia_tri", "lat", "lon"):
        conn.execute(f"CREATE INDEX rows_{col} ON rows ({col})")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


# --- the portal side: a stand-in for the records endpoint, served by gunicorn -------------

_STORE: SqliteDatastore | None = None


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer ``?<column>=v&_sort=-col&_limit=n&_cursor=c`` like the SPEC's records API."""
    global _STORE
    if _STORE is None:
        _STORE = SqliteDatastore(Path(os.environ["BENCH_DATASTORE"]))
    params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    sort = [(s.lstrip("-"), s.startswith("-")) for s in params.get("_sort", [])]
    query = DatastoreQuery(
        filters={k: v for k, v in params.items() if not k.startswith("_")},
        sort=sort,
        limit=int(params.get("_limit", ["100"])[0]),
        cursor=params.get("_cursor", [None])[0],
    )
    result = _STORE.search(RESOURCE_ID, query)
    body = json.dumps(
        {
            "fields": [{"name": f.name, "type": f.type} for f in result.fields],
            "items": result.records,
            "total": result.total,
            "next": result.next_cursor,
        },
        ensure_ascii=False,
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


# --- load generation --------------------------------------------------------------------


def wait_ready(port: int, path: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not start")


def fetch_json(port: int, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
    return json.loads(body)


def measure(port: int, path: str, requests: int, clients: int) -> dict[str, float]:
    """Send ``requests`` GETs from ``clients`` keep-alive threads; return req/s, p50, p99."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = [requests // clients + (i < requests % clients) for i in range(clients)]

    def run(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in per_client]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    }


def start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="per scenario and server")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    add_ports_option(parser)
    args = parser.parse_args()
    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        csv_path = work / "data.csv"
        started = time.perf_counter()
        generate_csv(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s (seed {SEED})")  # fmt: skip

        store_path = work / "datastore.sqlite3"
        store = SqliteDatastore(store_path)
        started = time.perf_counter()
        info = store.load(RESOURCE_ID, csv_path, SCHEMA)
        took = time.perf_counter() - started
        print(f"portal SqliteDatastore.load: {info.row_count:,} rows in {took:.1f} s = "
              f"{info.row_count / took:,.0f} rows/s (typed casting, 9 indexes, FTS5, "
              "row count cached; sqlite-utils: 46.8k rows/s, no indexes)")  # fmt: skip
        half = args.rows // 2
        cursor = store.search(RESOURCE_ID, DatastoreQuery(limit=1, offset=half - 1)).next_cursor
        assert cursor is not None
        store.close()

        db_path = work / "bench.db"
        took = build_datasette_db(csv_path, db_path)
        print(f"Datasette DB (sqlite3 executemany + the same 8 indexes): {took:.1f} s")
        inspect = work / "inspect.json"
        subprocess.run(
            [str(venv_bin / "datasette"), "inspect", str(db_path), "--inspect-file", str(inspect)],
            check=True,
        )

        ports = PortRange(args.ports)
        portal_port, ds_port = ports.take(), ports.take()
        env = {**os.environ, "BENCH_DATASTORE": str(store_path)}
        portal = start(
            [str(venv_bin / "gunicorn"), "--workers", "1", "--worker-class", "gthread",
             "--threads", "8", "--keep-alive", "30", "--bind", f"127.0.0.1:{portal_port}",
             "--chdir", str(Path(__file__).resolve().parent), "bench_datastore:wsgi_app"],
            env,
        )  # fmt: skip
        datasette = start(
            [str(venv_bin / "datasette"), "serve", "-i", str(db_path), "--inspect-file",
             str(inspect), "--host", "127.0.0.1", "--port", str(ds_port),
             "--setting", "suggest_facets", "off", "--setting", "default_page_size", "100"]
        )  # fmt: skip
        try:
            q1 = urllib.parse.quote("Quận 1")
            scenarios = {
                "filtered page (quan = Quận 1, 100 rows)": (
                    f"/?quan={q1}&_limit=100",
                    f"/bench/rows.json?quan={q1}&_size=100&_shape=objects",
                ),
                "sorted page (gia_tri desc, 100 rows)": (
                    "/?_sort=-gia_tri&_limit=100",
                    "/bench/rows.json?_sort_desc=gia_tri&_size=100&_shape=objects",
                ),
                f"deep page (row {half:,}, 100 rows)": (
                    f"/?_limit=100&_cursor={cursor}",
                    f"/bench/rows.json?_size=100&_next={half}&_shape=objects",
                ),
            }
            wait_ready(portal_port, "/?_limit=1")
            wait_ready(ds_port, "/bench/rows.json?_size=1")
            print(f"\n{args.clients} keep-alive clients, {args.requests} requests per scenario; "
                  "portal: gunicorn 1 process (gthread) + stand-in WSGI app calling "
                  "SqliteDatastore.search (the REST endpoint comes later); "
                  "Datasette 0.65: 1 process")  # fmt: skip
            for name, (portal_path, ds_path) in scenarios.items():
                mine, theirs = fetch_json(portal_port, portal_path), fetch_json(ds_port, ds_path)
                first_mine, first_theirs = mine["items"][0]["id"], theirs["rows"][0]["id"]
                assert len(mine["items"]) == len(theirs["rows"]) == 100, name
                assert first_mine == first_theirs, (name, first_mine, first_theirs)
                for port, path in ((portal_port, portal_path), (ds_port, ds_path)):
                    measure(port, path, min(100, args.requests), args.clients)  # warm-up
                p = measure(portal_port, portal_path, args.requests, args.clients)
                d = measure(ds_port, ds_path, args.requests, args.clients)
                print(f"{name}:\n"
                      f"  portal    {p['rps']:7.1f} req/s  p50 {p['p50']:6.1f} ms  "
                      f"p99 {p['p99']:6.1f} ms\n"
                      f"  datasette {d['rps']:7.1f} req/s  p50 {d['p50']:6.1f} ms  "
                      f"p99 {d['p99']:6.1f} ms\n"
                      f"  ratio portal/datasette: {p['rps'] / d['rps']:.2f}x")  # fmt: skip
        finally:
            for proc in (portal, datasette):
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
