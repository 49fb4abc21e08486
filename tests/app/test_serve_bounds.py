"""A real `opendata serve --workers 2` keeps answering while clients misbehave.

Slow clients (100 trickling headers or bodies) and eight runaway SQL queries at once must not
keep `/healthz` from answering within a second or two. The clients are bounded: a fixed count,
a few seconds, on 127.0.0.1, and the server is stopped at the end.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

_BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "slow_clients.py"
_spec = importlib.util.spec_from_file_location("slow_clients", _BENCH)
assert _spec and _spec.loader
slow_clients: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slow_clients)

LONG_CALL = (
    "SELECT instr(a, b) FROM (SELECT replace(hex(zeroblob(600000)), '0', 'a') AS a, "
    "replace(hex(zeroblob(300000)), '0', 'a') || 'b' AS b)"
)


@pytest.fixture(scope="module")
def port() -> Any:
    with slow_clients.serve(workers=2, threads=4) as serving:
        yield serving


def test_healthz_answers_within_a_second_beside_100_slow_clients(port: int) -> None:
    alone, during = slow_clients.measure(port, clients=100, seconds=8)
    assert max(alone) < 1.0
    assert len(during) >= 5
    assert max(during) < 1.0, f"/healthz took up to {max(during):.1f} s (was 4-8 s)"


def _sql(port: int, results: list[tuple[int, dict[str, Any]]]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/3/action/datastore_search_sql",
        data=json.dumps({"sql": LONG_CALL}).encode(),
        headers={"Content-Type": "application/json", "Cookie": "lang=en"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            results.append((answer.status, json.load(answer)))
    except urllib.error.HTTPError as error:
        results.append((error.code, json.load(error)))


def test_eight_runaway_queries_leave_the_server_answering(port: int) -> None:
    results: list[tuple[int, dict[str, Any]]] = []
    queries = [threading.Thread(target=_sql, args=(port, results)) for _ in range(8)]
    started = time.monotonic()
    for thread in queries:
        thread.start()
    time.sleep(0.5)
    latencies = []
    while any(t.is_alive() for t in queries) and time.monotonic() - started < 30:
        latencies.append(slow_clients.healthz_seconds(port, timeout=30))
        time.sleep(0.2)
    for thread in queries:
        thread.join(timeout=60)
    assert time.monotonic() - started < 15  # each query stops at its 5 s limit
    assert latencies and max(latencies) < 2.0, f"/healthz took up to {max(latencies):.1f} s"
    statuses = sorted(status for status, _ in results)
    assert len(statuses) == 8 and set(statuses) <= {409, 429}, (
        f"{results}\n{slow_clients.logged_errors(port)}"
    )
    for status, body in results:
        if status == 409:
            assert body["error"]["sql"] == ["The query took too long and was stopped"]
        else:
            assert body["error"]["__type"] == "Rate Limit Error"


def test_the_front_passes_ranges_and_refuses_an_oversized_body(port: int) -> None:
    css = (Path(__file__).resolve().parents[2] / "app" / "static" / "portal.css").read_bytes()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/static/portal.css", headers={"Range": "bytes=10-29"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 206
        assert answer.headers["Content-Range"] == f"bytes 10-29/{len(css)}"
        assert answer.read() == css[10:30]
    # Announced far past the upload limit: refused by the front before any byte is read.
    with slow_clients.socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/datasets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 99999999999\r\n\r\n{"
        )
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["error"]["code"] == "payload_too_large"
