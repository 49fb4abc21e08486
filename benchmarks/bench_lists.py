"""Dataset lists (issue 24): CKAN ``package_search`` and ``GET /api/v1/datasets``, short
against long pages over a catalog of ``--datasets`` published datasets (1,000 by default).

Publishes the catalog through the portal's own domain calls (two organizations, each dataset
with one to three linked CSV files and a tag, submitted and approved; the search index
updated as each is approved), then times each list in process (the Flask test client, one
request at a time, caches warm: the median of ``--repeat`` requests) with a short page and
a long one: ``package_search`` with ``rows=10`` and ``rows=1000`` (its largest page), the
REST list with ``page_size=10`` and ``page_size=100`` (its largest page). Prints both
times, their ratio and the load average; the target is a long page at most 3x the short one.
Also prints the SQL statements of one request of each size, cold (its first: no view or
package remembered) and warm; the target is the same count for both sizes.

    .venv/bin/python benchmarks/bench_lists.py [--datasets N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TAG = "do-danh-sach"
# (label, path, query of the short page, query of the long page, how many the long one has)
LISTS = [
    ("package_search", "/api/3/action/package_search", {"rows": 10}, {"rows": 1000}),
    ("GET /api/v1/datasets", "/api/v1/datasets", {"page_size": 10}, {"page_size": 100}),
]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def publish_catalog(env: dict[str, str], count: int) -> None:
    """Publish ``count`` datasets tagged ``TAG`` in two organizations, with 1-3 links each."""
    from app.config import load_settings
    from app.database import upgrade_database
    from app.keys import ensure_key_files
    from app.services import build_services
    from datasets.metadata_input import DatasetMetadata
    from datasets.resource_edit import ResourceInput
    from publishers import Role

    settings = load_settings(env).with_overrides(jobs_immediate=True)
    ensure_key_files(settings.data_dir)
    upgrade_database(settings.effective_database_url)
    svc = build_services(settings)
    for org_number in range(2):
        org = svc.accounts.create_organization(
            f"so-danh-sach-{org_number}", f"Sở Danh sách {org_number}", title_en="Lists"
        )
        pub = svc.accounts.create_user(
            f"pub{org_number}", f"pub{org_number}@example.org", "bench-password-1"
        )
        stw = svc.accounts.create_user(
            f"stw{org_number}", f"stw{org_number}@example.org", "bench-password-1"
        )
        svc.accounts.add_member(org.id, pub.id, Role.PUBLISHER)
        svc.accounts.add_member(org.id, stw.id, Role.STEWARD)
        publisher, steward = svc.accounts.actor_for(pub.id), svc.accounts.actor_for(stw.id)
        for n in range(org_number, count, 2):
            metadata = DatasetMetadata(
                title_vi=f"Dữ liệu danh sách {n}",
                title_en=f"List data {n}",
                description_vi="Mô tả của bộ dữ liệu dùng để đo danh sách.",
                tags=(TAG,),
            )
            dataset = svc.editor.create(publisher, org.id, metadata)
            for link in range(1 + n % 3):
                svc.editor.add_link(
                    publisher,
                    dataset.name,
                    f"https://du-lieu.example/{dataset.name}/{link}.csv",
                    ResourceInput(name=f"Tệp {link}"),
                    fmt="CSV",
                )
            svc.workflow.submit(publisher, dataset.name)
            svc.workflow.approve(steward, dataset.name)
    svc.engine.dispose()


def _statements(engine: Any, client: Any, path: str, query: dict[str, Any]) -> tuple[int, Any]:
    """How many SQL statements one request runs, and its JSON body."""
    from sqlalchemy import event

    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        body = client.get(path, query_string=query).get_json()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count[0], body


def _time(
    client: Any, engine: Any, path: str, query: dict[str, Any], repeat: int
) -> tuple[float, int, tuple[int, int]]:
    """Median milliseconds of one request, how many datasets it answered, and its statements
    cold (the first request) and warm."""
    cold, body = _statements(engine, client, path, query)
    warm, _body = _statements(engine, client, path, query)
    result = body["result"]["results"] if "result" in body else body["items"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, query_string=query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return statistics.median(times), len(result), (cold, warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per list and size")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENDATA_")}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(
            OPENDATA_DATA_DIR=tmp,
            OPENDATA_RATE_LIMIT_ANON="0",
            OPENDATA_RATE_LIMIT_TOKEN="0",
            OPENDATA_LOG_LEVEL="WARNING",
        )
        started = time.perf_counter()
        publish_catalog(env, args.datasets)
        print(
            f"published {args.datasets:,} datasets in {time.perf_counter() - started:.0f} s "
            f"(load average {_load()})"
        )
        os.environ.update(env)
        from app import create_app
        from app.config import load_settings

        app = create_app(load_settings(env))
        client, engine = app.test_client(), app.extensions["opendata"].engine
        print(f"in process, one request at a time, median of {args.repeat}, caches warm:")
        for label, path, short, long in LISTS:
            few_ms, few, few_sql = _time(client, engine, path, short, args.repeat)
            many_ms, many, many_sql = _time(client, engine, path, long, args.repeat)
            ratio = many_ms / few_ms
            print(
                f"{label}: {few} datasets {few_ms:.1f} ms, {many} datasets {many_ms:.1f} ms, "
                f"ratio {ratio:.2f}x (target <= 3x: {'met' if ratio <= 3 else 'NOT met'}; "
                f"load average {_load()})"
            )
            same = "same: met" if few_sql == many_sql else "NOT the same"
            print(
                f"  SQL statements (cold, warm): {few_sql} for {few} datasets, "
                f"{many_sql} for {many} ({same})"
            )


if __name__ == "__main__":
    main()
