"""Page benchmark: p50/p95 latency of the public pages under a bounded load (SPEC §8).

Builds the demo catalog in a temporary data dir (``opendata db upgrade`` + ``opendata demo``),
starts ``opendata serve --workers 2`` (gunicorn, threaded workers, rate limits off) on
127.0.0.1, warms every page once, then runs ``--clients`` (default 8) concurrent clients, each
sending ``--requests`` (default 150) requests over a keep-alive connection, cycling through
the home page, search pages (a few queries, with and without facets) and every dataset page.
Prints p50/p95/p99 latency per page kind and overall, throughput and the status codes seen,
then, in this process on the same data dir (the app built by ``create_app``, no HTTP), the
median time of one request and the SQL statements it runs, per page kind, once the caches
are warm. The load average is printed with the figures: other processes skew them.
SPEC §8 target: search and dataset pages p95 under 100 ms with 8 clients on 2 workers; one
request at most 8 ms in process.

    .venv/bin/python benchmarks/bench_pages.py
    .venv/bin/python benchmarks/bench_pages.py --clients 8 --requests 300 --ports 8700-8799
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from ports import PortRange

ROOT = Path(__file__).resolve().parent.parent
OPENDATA = str(Path(sys.executable).parent / "opendata")
SEARCHES = [
    "/dataset",
    "/dataset?q=xe+buyt",
    "/dataset?q=chat+luong+khong+khi",
    "/dataset?q=truong+hoc&theme=giao-duc",
    "/dataset?q=ngan+sach",
    "/dataset?theme=giao-thong&res_format=CSV",
    "/dataset?q=benh+vien&sort=modified",
]


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENDATA_")}
    env.pop("DATABASE_URL", None)
    env.update(
        OPENDATA_DATA_DIR=str(data_dir),
        OPENDATA_RATE_LIMIT_ANON="0",
        OPENDATA_RATE_LIMIT_TOKEN="0",
        OPENDATA_SITE_URL=f"http://127.0.0.1:{port}",
        OPENDATA_LOG_LEVEL="WARNING",
    )
    return env


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": "text/html"})
    response = conn.getresponse()
    return response.status, response.read()


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if _get(conn, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _dataset_paths(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, body = _get(conn, "/sitemap.xml")
    assert status == 200
    text = body.decode()
    paths = []
    for part in text.split("<loc>")[1:]:
        url = part.split("</loc>", 1)[0]
        path = url.split(f":{port}", 1)[1]
        if path.startswith("/dataset/") and "/resource/" not in path:
            paths.append(path)
    return paths


def _client(port: int, plan: list[tuple[str, str]], out: list[tuple[str, float, int]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for kind, path in plan:
        start = time.perf_counter()
        try:
            status, _body = _get(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        out.append((kind, (time.perf_counter() - start) * 1000, status))
    conn.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150, help="requests per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--ports", default="", help="port range to serve on, e.g. 8700-8799")
    parser.add_argument(
        "--in-process", type=int, default=50, help="requests per page timed in process"
    )
    parser.add_argument(
        "--page-cache",
        default="",
        help="OPENDATA_PAGE_CACHE_SECONDS for the server (0 turns the page cache off)",
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    port = PortRange(args.ports).take()
    env = _env(data_dir, port)
    if args.page_cache:
        env["OPENDATA_PAGE_CACHE_SECONDS"] = args.page_cache
    print(f"page cache: {env.get('OPENDATA_PAGE_CACHE_SECONDS', 'default (30 s)')}")
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([OPENDATA, *command], env=env, check=True, capture_output=True)
    print(f"demo catalog built in {time.perf_counter() - started:.1f} s ({data_dir})")
    server = subprocess.Popen(
        [OPENDATA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        datasets = _dataset_paths(port)
        pages = [("home", "/")] + [("search", p) for p in SEARCHES]
        pages += [("dataset", p) for p in datasets]
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _round in range(2):  # every worker process warms its caches
            for _kind, path in pages:
                assert _get(warm, path)[0] == 200, path
        results: list[tuple[str, float, int]] = []
        threads = []
        for i in range(args.clients):
            plan = [pages[(i * 7 + n) % len(pages)] for n in range(args.requests)]
            threads.append(threading.Thread(target=_client, args=(port, plan, results)))
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    try:
        single = _in_process(env, pages, args.in_process)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, ms, _status in results:
        by_kind[kind].append(ms)
    statuses = Counter(status for _kind, _ms, status in results)
    print(
        f"{len(results)} requests, {args.clients} concurrent clients, {args.workers} workers: "
        f"{len(results) / elapsed:.0f} requests/s; status codes {dict(statuses)}"
    )
    print(f"{'page':<10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    everything = [ms for _kind, ms, _status in results]
    for kind, values in [*sorted(by_kind.items()), ("all", everything)]:
        print(
            f"{kind:<10}{len(values):>6}{_percentile(values, 0.5):>10.1f}"
            f"{_percentile(values, 0.95):>10.1f}{_percentile(values, 0.99):>10.1f}"
            f"{statistics.fmean(values):>10.1f}"
        )
    print(
        f"machine: {os.cpu_count()} CPUs, load average before/after the run "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f} (other processes skew the figures)"
    )
    worst = max(_percentile(by_kind[k], 0.95) for k in ("search", "dataset"))
    print(f"target: search and dataset p95 < 100 ms -> {'met' if worst < 100 else 'NOT met'}")
    print(f"in process, one request at a time ({args.in_process} per page, caches warm):")
    print(f"{'page':<10}{'pages':>6}{'median ms':>11}{'p95 ms':>10}{'statements':>12}")
    for kind, (count, median, p95, statements) in sorted(single.items()):
        print(f"{kind:<10}{count:>6}{median:>11.1f}{p95:>10.1f}{statements:>12.1f}")
    slowest = max(single[k][1] for k in ("search", "dataset"))
    print(
        f"target: one search or dataset request <= 8 ms in process -> "
        f"{'met' if slowest <= 8 else 'NOT met'} (load average {os.getloadavg()[0]:.1f})"
    )


def _in_process(
    env: dict[str, str], pages: list[tuple[str, str]], repeat: int
) -> dict[str, tuple[int, float, float, float]]:
    """Per page kind: pages, median and p95 ms of one request, statements per request."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event

    from app import create_app

    app = create_app()
    engine = app.extensions["opendata"].engine
    client = app.test_client()
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    times: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(list)
    for _kind, path in pages:  # warm this process's caches
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
    event.listen(engine, "before_cursor_execute", count)
    for kind, path in pages:
        for _n in range(repeat):
            statements[0] = 0
            started = time.perf_counter()
            client.get(path, headers={"Accept": "text/html"})
            times[kind].append((time.perf_counter() - started) * 1000)
            counts[kind].append(statements[0])
    event.remove(engine, "before_cursor_execute", count)
    return {
        kind: (
            len(values) // repeat,
            statistics.median(values),
            _percentile(values, 0.95),
            statistics.fmean(counts[kind]),
        )
        for kind, values in times.items()
    }


if __name__ == "__main__":
    main()
