"""Records API benchmark (SPEC §8): the REAL portal's /api/v1 records endpoint against Datasette.

Generates the same fixed-seed table as ``bench_datastore.py`` (1,000,000 rows by default),
publishes a dataset through the portal's own domain calls (create, upload, submit,
approve) and loads the whole table into that resource's datastore table, then serves the
portal with ````opendata serve --workers 1``'s gunicorn (threaded worker, 8 threads;
rate limits off)
and Datasette with one process, and measures a filtered page, a sorted page and a deep
page (keyset ``_cursor`` against Datasette's ``_next``) with 8 keep-alive clients.

    .venv/bin/python benchmarks/bench_records_api.py [--rows N] [--requests N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The imports below need the repository and this folder on sys.path (run as a script).
from bench_datastore import (  # noqa: E402
    SCHEMA,
    build_datasette_db,
    fetch_json,
    free_port,
    generate_csv,
    measure,
    start,
    wait_ready,
)

from datasets.datastore import DatastoreQuery  # noqa: E402


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
    args = parser.parse_args()
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
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        name, resource_id, cursor = publish_portal(data_dir, csv_path, env)
        db_path = work / "bench.db"
        print(f"Datasette DB built in {build_datasette_db(csv_path, db_path):.1f} s")
        inspect = work / "inspect.json"
        start([str(venv_bin / "datasette"), "inspect", str(db_path), "--inspect-file",
               str(inspect)]).wait()  # fmt: skip

        portal_port, ds_port = free_port(), free_port()
        # What `opendata serve --workers N --no-jobs` runs (without the CLI around it).
        serve = ("from app.config import load_settings; from app.server import run_gunicorn; "
                 f"run_gunicorn(load_settings(), bind='127.0.0.1:{portal_port}', "
                 f"workers={args.workers}, threads=8)")  # fmt: skip
        portal = start([sys.executable, "-c", serve], {**env, "PYTHONPATH": str(ROOT)})
        datasette = start(
            [str(venv_bin / "datasette"), "serve", "-i", str(db_path), "--inspect-file",
             str(inspect), "--host", "127.0.0.1", "--port", str(ds_port),
             "--setting", "suggest_facets", "off", "--setting", "default_page_size", "100",
             "--setting", "num_sql_threads", "8"]
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
                mine, theirs = fetch_json(portal_port, portal_path), fetch_json(ds_port, ds_path)
                assert len(mine["items"]) == len(theirs["rows"]) == 100, label
                assert mine["items"][0]["id"] == theirs["rows"][0]["id"], label
                for port, path in ((portal_port, portal_path), (ds_port, ds_path)):
                    measure(port, path, min(100, args.requests), args.clients)  # warm-up
                p = measure(portal_port, portal_path, args.requests, args.clients)
                d = measure(ds_port, ds_path, args.requests, args.clients)
                print(f"{label}:\n"
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
