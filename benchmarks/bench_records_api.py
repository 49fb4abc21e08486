"""Records API benchmark (SPEC §8): the REAL portal's /api/v1 records endpoint against Datasette.

Generates the same fixed-seed table as ``bench_datastore.py`` (1,000,000 rows by default),
publishes a dataset through the portal's own domain calls (create, upload, submit,
approve) and loads the whole table into that resource's datastore table, then serves the
portal with ````opendata serve --workers 1``'s gunicorn (threaded worker, 8 threads;
rate limits off)
and Datasette with one process, and measures a filtered page, a sorted page and a deep
page (keyset ``_cursor`` against Datasette's ``_next``) with 8 keep-alive clients.

Then aggregates and facets (issue 23): ``_group`` with ``_count``/``_sum``/``_avg`` against
the same ``GROUP BY`` through Datasette's SQL, and ``_facet`` against Datasette's
``?_facet=`` (its facet and SQL time limits raised so that it computes every facet rather
than skipping it), each checked to give the same counts, timed by one client (latency)
and by 8 (throughput), with the load average beside every figure.

    .venv/bin/python benchmarks/bench_records_api.py [--rows N] [--requests N]
        [--aggregate-requests N] [--only-aggregates | --only-pages] [--ports A-B]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The imports below need the repository and this folder on sys.path (run as a script).
from bench_datastore import (
    SCHEMA,
    build_datasette_db,
    fetch_json,
    generate_csv,
    measure,
    start,
    wait_ready,
)
from ports import PortRange

from datasets.datastore import DatastoreQuery


def publish_portal(data_dir: Path, csv_path: Path, env: dict[str, str]) -> tuple[str, str, str]:
    """Publish a dataset through the domain and load the whole table; return ids and cursor."""
    import io

    from app.config import load_settings
    from app.database import upgrade_database
    from app.keys import ensure_key_files
    from app.services import build_services
    from datasets.metadata_input import DatasetMetadata
    from datasets.resource_edit import ResourceInput
    from datasets.uploads import receive
    from publishers import Role

    ensure_key_files(data_dir)
    settings = load_settings(env).with_overrides(jobs_immediate=True)
    upgrade_database(settings.effective_database_url)
    svc = build_services(settings)
    org = svc.accounts.create_organization("so-bench", "Sở Đo lường", title_en="Bench")
    publisher = svc.accounts.create_user("bench-pub", "pub@example.org", "bench-password-1")
    steward = svc.accounts.create_user("bench-steward", "st@example.org", "bench-password-1")
    svc.accounts.add_member(org.id, publisher.id, Role.PUBLISHER)
    svc.accounts.add_member(org.id, steward.id, Role.STEWARD)
    pub, stw = svc.accounts.actor_for(publisher.id), svc.accounts.actor_for(steward.id)
    dataset = svc.editor.create(pub, org.id, DatasetMetadata(title_vi="Điểm dịch vụ công"))
    with csv_path.open("rb") as handle:
        head = b"".join(itertools.islice(handle, 501))
    staged = receive(io.BytesIO(head), "diem.csv", data_dir / "staging", 10**9)
    version = svc.editor.add_upload(pub, dataset.name, staged, ResourceInput(name="Điểm"))
    svc.workflow.submit(pub, dataset.name)
    svc.workflow.approve(stw, dataset.name)
    started = time.perf_counter()
    info = svc.datastore.load(version.resource_id, csv_path, SCHEMA)
    took = time.perf_counter() - started
    print(f"portal datastore load: {info.row_count:,} rows in {took:.1f} s "
          f"({info.row_count / took:,.0f} rows/s)")  # fmt: skip
    half = info.row_count // 2
    cursor = svc.datastore.search(
        version.resource_id, DatastoreQuery(limit=1, offset=half - 1)
    ).next_cursor
    assert cursor is not None
    svc.engine.dispose()
    return dataset.name, version.resource_id, cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="per scenario and server")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="processes of each server")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--aggregate-requests", type=int, default=200, help="per aggregate")
    parser.add_argument("--only-aggregates", action="store_true", help="skip the row pages")
    parser.add_argument("--only-pages", action="store_true", help="skip aggregates and facets")
    parser.add_argument("--ports", default="", help="port range to serve on, e.g. 8700-8799")
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    venv_bin = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        csv_path = work / "data.csv"
        generate_csv(csv_path, args.rows)
        print(f"generated {args.rows:,} rows (seed as bench_datastore.py)")
        data_dir = work / "instance"
        data_dir.mkdir()
        env = {
            **os.environ,
            "OPENDATA_DATA_DIR": str(data_dir),
            "OPENDATA_RATE_LIMIT_ANON": "0",
            "OPENDATA_RATE_LIMIT_TOKEN": "0",
            "OPENDATA_LOG_LEVEL": "WARNING",
            # aggregates and facets get the time Datasette gets below (both limits raised)
            "OPENDATA_SQL_TIMEOUT_MS": "60000",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        name, resource_id, cursor = publish_portal(data_dir, csv_path, env)
        db_path = work / "bench.db"
        print(f"Datasette DB built in {build_datasette_db(csv_path, db_path):.1f} s")
        inspect = work / "inspect.json"
        start([str(venv_bin / "datasette"), "inspect", str(db_path), "--inspect-file",
               str(inspect)]).wait()  # fmt: skip

        ports = PortRange(args.ports)
        portal_port, ds_port = ports.take(), ports.take()
        # What `opendata serve --workers N --no-jobs` runs (without the CLI around it).
        serve = ("from app.config import load_settings; from app.server import run_gunicorn; "
                 f"run_gunicorn(load_settings(), bind='127.0.0.1:{portal_port}', "
                 f"workers={args.workers}, threads=8)")  # fmt: skip
        portal = start([sys.executable, "-c", serve], {**env, "PYTHONPATH": str(ROOT)})
        datasette = start(
            [str(venv_bin / "datasette"), "serve", "-i", str(db_path), "--inspect-file",
             str(inspect), "--host", "127.0.0.1", "--port", str(ds_port),
             "--setting", "suggest_facets", "off", "--setting", "default_page_size", "100",
             "--setting", "num_sql_threads", "8", "--setting", "sql_time_limit_ms", "60000",
             "--setting", "facet_time_limit_ms", "60000"]
            + (["--workers", str(args.workers)] if args.workers > 1 else []),
        )  # fmt: skip
        base = f"/api/v1/datasets/{name}/resources/{resource_id}/records"
        try:
            q1 = urllib.parse.quote("Quận 1")
            half = args.rows // 2
            scenarios = {
                "filtered page (quan = Quận 1, 100 rows)": (
                    f"{base}?quan={q1}&_limit=100",
                    f"/bench/rows.json?quan={q1}&_size=100&_shape=objects",
                ),
                "sorted page (gia_tri desc, 100 rows)": (
                    f"{base}?_sort=-gia_tri&_limit=100",
                    "/bench/rows.json?_sort_desc=gia_tri&_size=100&_shape=objects",
                ),
                f"deep page (row {half:,}, 100 rows)": (
                    f"{base}?_limit=100&_cursor={cursor}",
                    f"/bench/rows.json?_size=100&_next={half}&_shape=objects",
                ),
            }
            wait_ready(portal_port, f"{base}?_limit=1")
            wait_ready(ds_port, "/bench/rows.json?_size=1")
            print(f"\n{args.clients} keep-alive clients, {args.requests} requests per scenario; "
                  f"portal: gunicorn {args.workers} process(es) x 8 threads as opendata "
                  "serve, the real /api/v1 records endpoint; "
                  f"Datasette 0.65: {args.workers} process(es)")  # fmt: skip
            for label, (portal_path, ds_path) in scenarios.items():
                if args.only_aggregates:
                    break
                mine, theirs = fetch_json(portal_port, portal_path), fetch_json(ds_port, ds_path)
                assert len(mine["items"]) == len(theirs["rows"]) == 100, label
                assert mine["items"][0]["id"] == theirs["rows"][0]["id"], label
                for port, path in ((portal_port, portal_path), (ds_port, ds_path)):
                    measure(port, path, min(100, args.requests), args.clients)  # warm-up
                p = timed(portal.pid, portal_port, portal_path, args.requests, args.clients)
                d = timed(datasette.pid, ds_port, ds_path, args.requests, args.clients)
                print(f"{label}:\n"
                      f"  portal    {p['rps']:7.1f} req/s  p50 {p['p50']:6.1f} ms  "
                      f"p99 {p['p99']:6.1f} ms  CPU {p['cpu']:5.2f} ms/request\n"
                      f"  datasette {d['rps']:7.1f} req/s  p50 {d['p50']:6.1f} ms  "
                      f"p99 {d['p99']:6.1f} ms  CPU {d['cpu']:5.2f} ms/request\n"
                      f"  ratio portal/datasette: {p['rps'] / d['rps']:.2f}x"
                      f"  (load average {_load()})")  # fmt: skip
            if not args.only_pages:
                bench_aggregates(base, portal_port, ds_port, args.aggregate_requests, args.clients)
        finally:
            for proc in (portal, datasette):
                proc.terminate()
                proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) so far of process ``pid`` and its children (Linux)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def timed(pid: int, port: int, path: str, requests: int, clients: int) -> dict[str, float]:
    """``measure`` plus ``cpu``: the server's CPU milliseconds per request (load aside)."""
    before = cpu_seconds(pid)
    result = measure(port, path, requests, clients)
    result["cpu"] = (cpu_seconds(pid) - before) * 1000 / requests
    return result


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _sql(query: str) -> str:
    return "/bench.json?" + urllib.parse.urlencode({"sql": query, "_shape": "objects"})


def _pairs(rows: list[dict[str, object]], keys: tuple[str, ...]) -> list[tuple[object, ...]]:
    return sorted(tuple(r[k] for k in keys) for r in rows)


def _facet_counts(body: dict[str, object], portal: bool) -> dict[str, dict[str, int]]:
    if portal:
        facets = body["facets"]
        assert isinstance(facets, list)
        return {f["column"]: {v["value"]: v["count"] for v in f["values"]} for f in facets}
    results = body["facet_results"]
    assert isinstance(results, dict)
    return {
        name: {v["value"]: v["count"] for v in facet["results"]} for name, facet in results.items()
    }


def bench_aggregates(
    base: str, portal_port: int, ds_port: int, requests: int, clients: int
) -> None:
    """Aggregates and facets beside the same queries on Datasette (SQL and ``?_facet=``)."""
    group = urllib.parse.urlencode({"_group": "quan", "_count": "", "_limit": "1000"})
    sums = urllib.parse.urlencode(
        {"_group": "loai", "_count": "", "_sum": "so_luong", "_avg": "gia_tri",
         "so_luong__gt": "500", "_limit": "1000"}
    )  # fmt: skip
    facet = "gia_tri__gt=500000&_facet=quan&_facet=loai&_facet_size=30&_limit=10"
    scenarios = {
        "count per quan (GROUP BY an indexed column, every row)": (
            f"{base}?{group}",
            _sql("select quan, count(*) as count from rows group by quan order by quan"),
            ("quan", "count"),
        ),
        "count, sum and average per loai where so_luong > 500": (
            f"{base}?{sums}",
            _sql(
                "select loai, count(*) as count, sum(so_luong) as sum_so_luong, "
                "avg(gia_tri) as avg_gia_tri from rows where so_luong > 500 "
                "group by loai order by loai"
            ),
            ("loai", "count", "sum_so_luong"),
        ),
        "facets quan and loai where gia_tri > 500000 (10 rows)": (
            f"{base}?{facet}",
            "/bench/rows.json?gia_tri__gt=500000&_facet=quan&_facet=loai&_facet_size=30"
            "&_size=10&_shape=objects",
            (),
        ),
    }
    print(f"\naggregates and facets: {requests} requests per scenario and server")
    for label, (portal_path, ds_path, keys) in scenarios.items():
        try:
            _compare(label, portal_path, ds_path, keys, portal_port, ds_port, requests, clients)
        except (RuntimeError, statistics.StatisticsError) as exc:  # a time limit, an error
            print(f"{label}:\n  failed: {exc} (load average {_load()})")


def _compare(
    label: str,
    portal_path: str,
    ds_path: str,
    keys: tuple[str, ...],
    portal_port: int,
    ds_port: int,
    requests: int,
    clients: int,
) -> None:
    """Check both answers agree, then time one client and ``clients`` on each server."""
    mine, theirs = fetch_json(portal_port, portal_path), fetch_json(ds_port, ds_path)
    if keys:
        assert _pairs(mine["items"], keys) == _pairs(theirs["rows"], keys), label
    else:
        assert _facet_counts(mine, True) == _facet_counts(theirs, False), label
    one = {port: measure(port, path, max(5, requests // 10), 1)
           for port, path in ((portal_port, portal_path), (ds_port, ds_path))}  # fmt: skip
    load_one = _load()
    p = measure(portal_port, portal_path, requests, clients)
    d = measure(ds_port, ds_path, requests, clients)
    print(f"{label}:\n"
          f"  one client: portal p50 {one[portal_port]['p50']:7.1f} ms, "
          f"datasette p50 {one[ds_port]['p50']:7.1f} ms, "
          f"ratio datasette/portal {one[ds_port]['p50'] / one[portal_port]['p50']:.2f}x "
          f"(load average {load_one})\n"
          f"  {clients} clients: portal {p['rps']:7.1f} req/s p50 {p['p50']:7.1f} ms "
          f"p99 {p['p99']:7.1f} ms; datasette {d['rps']:7.1f} req/s p50 {d['p50']:7.1f} ms "
          f"p99 {d['p99']:7.1f} ms\n"
          f"  ratio portal/datasette: {p['rps'] / d['rps']:.2f}x "
          f"(load average {_load()})")  # fmt: skip


if __name__ == "__main__":
    main()
