"""gunicorn with ``LingeringThreadWorker`` (``app.web_worker``) answers every request right.

A real gunicorn on 127.0.0.1 (2 threads) serves a small WSGI app that echoes its path. Bounded:
a few dozen requests, stopped at the end.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.web_worker import LINGER_S
from tests.app.processes import free_port

APP = """
def app(environ, start_response):
    body = environ["PATH_INFO"].encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "echo_app.py").write_text(APP)
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "app.web_worker.LingeringThreadWorker",
            "--threads",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            f"{tmp_path},{root}",
            "echo_app:app",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _pages(port: int, count: int, pause: float, tag: str) -> list[tuple[int, bytes]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers = []
    for i in range(count):
        conn.request("GET", f"/{tag}/{i}")
        response = conn.getresponse()
        answers.append((response.status, response.read()))
        time.sleep(pause)
    conn.close()
    return answers


def test_back_to_back_and_paused_requests_on_one_connection(port: int) -> None:
    assert _pages(port, 30, 0, "fast") == [(200, f"/fast/{i}".encode()) for i in range(30)]
    # A pause longer than the linger: the connection goes back to the poller between requests.
    slow = _pages(port, 3, LINGER_S * 25, "slow")
    assert slow == [(200, f"/slow/{i}".encode()) for i in range(3)]


def test_more_connections_than_threads_are_all_answered(port: int) -> None:
    answers: dict[int, list[tuple[int, bytes]]] = {}

    def client(n: int) -> None:
        answers[n] = _pages(port, 15, 0, f"c{n}")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(5)]
    started = time.monotonic()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=60)
    assert time.monotonic() - started < 30
    for n in range(5):
        assert answers[n] == [(200, f"/c{n}/{i}".encode()) for i in range(15)]
