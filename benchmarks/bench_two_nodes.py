"""Two-node benchmark (issue 19): requests per second of one portal node against two.

The set-up of ``tests/app/test_two_nodes.py``: a fresh PostgreSQL database (from
``TEST_DATABASE_URL``), Redis (database 14, flushed), moto's S3 server on 127.0.0.1, the same
keys from the environment, two job workers. It publishes ``--datasets`` datasets (a small CSV
each), then runs ``--clients`` keep-alive clients for ``--seconds`` over the same mix of
requests (search API, dataset API, dataset page, DCAT record): first against node A alone,
pinned to CPU 0 (``taskset``), then spread over node A and node B, pinned to CPU 0 and 1.
Prints requests per second, p50/p95 latency, the status codes and the load average.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/bench_two_nodes.py [--datasets 40] [--clients 8] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The imports below need the path above (the benchmark runs as a script): hence E402.
from publishers import Role  # noqa: E402
from tests.app.twonodes import Cluster, cluster, fresh_database  # noqa: E402
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes  # noqa: E402
from tests.s3server import S3Server  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
WORDS = ["xe buýt", "trường học", "bệnh viện", "chợ", "công viên", "nước sạch", "rác thải"]


def publish(shared: Cluster, count: int) -> list[str]:
    """Publish ``count`` datasets in this process (jobs inline); return their names."""
    from app.services import build_services

    svc = build_services(shared.settings.with_overrides(jobs_immediate=True))
    org = make_org(svc)
    publisher = actor(svc, make_user(svc, org, Role.PUBLISHER))
    steward = actor(svc, make_user(svc, org, Role.STEWARD))
    names = []
    for i in range(count):
        word = WORDS[i % len(WORDS)]
        dataset = make_dataset(svc, publisher, org, title=f"Danh sách {word} số {i}")
        rows = "".join(f"{j},{word} {j},Quận {j % 12 + 1}\n" for j in range(50))
        upload_bytes(svc, publisher, dataset.name, f"mã,tên,quận\n{rows}".encode())
        svc.workflow.submit(publisher, dataset.name)
        svc.workflow.approve(steward, dataset.name)
        names.append(dataset.name)
    svc.engine.dispose()
    return names


def paths(names: list[str]) -> list[str]:
    mix = []
    for i, name in enumerate(names):
        word = WORDS[i % len(WORDS)].split()[0]
        mix += [
            f"/api/v1/datasets?q={word}",
            f"/api/v1/datasets/{name}",
            f"/dataset/{name}",
            f"/dataset/{name}.ttl",
        ]
    return mix


def load(bases: list[str], mix: list[str], clients: int, seconds: float) -> dict[str, object]:
    """``clients`` threads, client ``i`` on node ``i % len(bases)``, for ``seconds``."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        session = requests.Session()
        base = bases[i % len(bases)]
        n = i
        mine, codes = [], Counter[int]()
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                code = session.get(base + mix[n % len(mix)], timeout=30).status_code
            except requests.RequestException:
                code = 0
            mine.append(time.perf_counter() - began)
            codes[code] += 1
            n += clients
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "statuses": dict(statuses),
        "load": os.getloadavg(),
    }


def report(label: str, result: dict[str, object]) -> None:
    load = ", ".join(f"{x:.2f}" for x in result["load"])  # type: ignore[attr-defined]
    print(
        f"{label}: {result['rps']:.1f} requests/s, p50 {result['p50']:.0f} ms, "
        f"p95 {result['p95']:.0f} ms, statuses {result['statuses']}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        sys.exit(
            "set TEST_DATABASE_URL (a PostgreSQL server this benchmark may create a database on)"
        )
    cpus = sorted(os.sched_getaffinity(0))
    second_cpu = cpus[1] if len(cpus) > 1 else cpus[0]
    with tempfile.TemporaryDirectory(prefix="bench-two-nodes-") as tmp:
        s3 = S3Server(Path(tmp) / "s3.log")
        s3.start()
        try:
            with fresh_database(base_url) as url, cluster(url, REDIS_URL, s3, Path(tmp)) as shared:
                began = time.monotonic()
                names = publish(shared, args.datasets)
                print(f"{len(names)} datasets published in {time.monotonic() - began:.0f} s")
                mix = paths(names)
                shared.start_worker("w1")
                shared.start_worker("w2")
                a = shared.start_node("a", cpu=cpus[0])
                shared.wait_ready()
                load([a], mix, 2, 3)  # warm the caches and connections
                report(f"one node (CPU {cpus[0]})", load([a], mix, args.clients, args.seconds))
                b = shared.start_node("b", cpu=second_cpu)
                shared.wait_ready()
                load([b], mix, 2, 3)
                two = load([a, b], mix, args.clients, args.seconds)
                report(f"two nodes (CPU {cpus[0]} and {second_cpu})", two)
        finally:
            s3.stop()


if __name__ == "__main__":
    main()
