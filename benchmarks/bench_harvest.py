"""Harvest N datasets (one small CSV each) from a local CKAN-compatible source, then again.

Targets: issue 24, 10,000 datasets in at most 120 s with flat memory (SPEC §8: under 10
minutes); a re-harvest with nothing changed in under 1 minute. There is no reference tool to
run beside it (ckanext-harvest takes hours), so the absolute time, datasets/s, peak RSS, the
CPU seconds used and the load average are printed. The source is a small threaded HTTP
server on 127.0.0.1 (``--ports``) answering CKAN's ``package_search`` (paged by start/rows,
sorted by id) and serving the CSVs, generated with a fixed seed. The portal is a fresh one
on SQLite in a temporary folder. Files are processed inside the harvest job (as in
production: stripped and analysed in the job's worker processes, imported by the job's
thread); loading the published tables into the datastore is a background job left to the
worker, unless ``--inline-jobs``. Peak memory is printed for the job's process and for the
largest of its worker processes.

    .venv/bin/python benchmarks/bench_harvest.py [--n 10000] [--ports 8700-8799]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ports import PortRange

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261121
TARGET_S = 120.0  # issue 24: 10,000 datasets
WARDS = ["Bến Nghé", "Bến Thành", "Đa Kao", "Tân Định", "Phường 1", "Phường 2", "Thảo Điền"]


def make_packages(n: int, base: str) -> list[dict[str, object]]:
    rng = random.Random(SEED)
    packages = []
    for i in range(n):
        packages.append(
            {
                "id": f"{i:08d}-0000-4000-8000-{rng.randrange(16**12):012x}",
                "name": f"du-lieu-{i}",
                "title": f"Dữ liệu phường số {i}",
                "notes": f"Số liệu tổng hợp theo phường, bảng {i}.",
                "license_id": "cc-by",
                "metadata_modified": "2026-01-01T00:00:00",
                "state": "active",
                "organization": {"name": "agency"},
                "tags": [{"name": "approved"}],
                "extras": [],
                "resources": [
                    {"id": f"r{i}", "name": "Bảng", "format": "CSV", "url": f"{base}/f/{i}.csv"}
                ],
            }
        )
    packages.sort(key=lambda p: str(p["id"]))
    return packages


def make_csv(i: int) -> bytes:
    rng = random.Random(SEED + i)
    rows = ["phuong,so_ho,dien_tich_km2"]
    for ward in WARDS:
        rows.append(f"{ward},{rng.randint(100, 9000)},{rng.uniform(0.5, 5):.2f}")
    return ("\n".join(rows) + "\n").encode()


class CkanLikeServer:
    """package_search and CSV files for the generated catalog."""

    def __init__(self, n: int, port: int = 0) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path.endswith("/package_search"):
                    q = parse_qs(parts.query)
                    start, rows = int(q.get("start", ["0"])[0]), int(q.get("rows", ["10"])[0])
                    page = owner.packages[start : start + rows]
                    body = json.dumps(
                        {
                            "help": "",
                            "success": True,
                            "result": {"count": len(owner.packages), "results": page},
                        }
                    ).encode()
                    kind = "application/json"
                elif parts.path.startswith("/f/"):
                    body, kind = make_csv(int(parts.path[3:].split(".")[0])), "text/csv"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.packages = make_packages(n, self.url)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def load_average() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_rss_mb() -> float:
    """Peak RSS of the largest finished child: the job's worker processes (0 when none ran)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument(
        "--inline-jobs",
        action="store_true",
        help="also load every table into the datastore inside the run (a worker does it later)",
    )
    parser.add_argument("--ports", default="", help="port range for the source, e.g. 8700-8799")
    args = parser.parse_args()

    from app.config import Settings
    from app.database import upgrade_database
    from app.keys import ensure_key_files
    from app.services import build_services

    source = CkanLikeServer(args.n, PortRange(args.ports).take())
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "instance"
        data_dir.mkdir()
        ensure_key_files(data_dir)
        url = f"sqlite:///{data_dir / 'portal.sqlite3'}"
        upgrade_database(url)
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            jobs_immediate=args.inline_jobs,
            harvest_allowed_hosts="127.0.0.1",
            rate_limit_anon="0",
            rate_limit_token="0",
        )
        svc = build_services(settings)
        svc.accounts.create_organization("so-bench", "Sở Đo lường", email="bench@x.gov.vn")
        assert svc.harvester is not None
        svc.harvester.sources.register(
            "bench", "ckan", source.url, "so-bench", {"approval_tag": "approved"}
        )
        print(f"harvest of {args.n} datasets from a local CKAN-compatible source (SQLite portal)")
        print(f"before: {load_average()}, {os.cpu_count()} cores")
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        first = svc.harvester.run("bench")
        first_s = time.perf_counter() - start
        own_cpu, kids_cpu = (a - b for a, b in zip(cpu_seconds(), cpu_before, strict=True))
        print(f"first run:  {first_s:8.1f} s  {first.summary()}")
        print(
            f"            {args.n / first_s:8.1f} datasets/s, peak RSS {peak_rss_mb():.0f} MB "
            f"(largest worker process {worker_rss_mb():.0f} MB), {load_average()}"
        )
        print(
            f"            CPU: job process {own_cpu:.1f} s "
            f"({1000 * own_cpu / args.n:.1f} ms/dataset), worker processes {kids_cpu:.1f} s"
        )
        start = time.perf_counter()
        again = svc.harvester.run("bench")
        again_s = time.perf_counter() - start
        print(f"re-harvest: {again_s:8.1f} s  {again.summary()}")
        print(f"            peak RSS {peak_rss_mb():.0f} MB, {load_average()}")
        if not args.inline_jobs:
            print(f"datastore loads left queued for `opendata worker`: {svc.queue.pending_count()}")
        scale = 10_000 / args.n
        met = "met" if first_s * scale <= TARGET_S else "NOT met"
        print(
            f"target: 10,000 datasets in <= {TARGET_S:.0f} s (issue 24; SPEC §8: < 600 s): "
            f"this run scaled to 10,000: {first_s * scale:.0f} s ({met}); "
            f"re-harvest < 60 s (scaled: {again_s * scale:.1f} s)"
        )
        svc.engine.dispose()


if __name__ == "__main__":
    main()
