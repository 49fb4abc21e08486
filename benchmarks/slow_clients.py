"""Slow clients: does `/healthz` still answer while 100 clients trickle their requests?

Starts `opendata serve --workers 2` (embedded default, fresh data dir) on 127.0.0.1, measures
the `/healthz` latency alone, then again while ``--clients`` connections trickle their headers
(half of them) or their bodies (the other half) one byte every ``--interval`` seconds for
``--seconds`` seconds. Everything stops by itself; the load average is printed with the figures.

    .venv/bin/python benchmarks/slow_clients.py [--clients 100] [--seconds 10]
        [--opendata /work/main/.venv/bin/opendata]   # another build, for comparison
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

# Its own folder (ports.py), also when a test loads this file by path (test_serve_bounds.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ports import PortRange, add_ports_option

OPENDATA = str(Path(sys.executable).parent / "opendata")


def healthz_seconds(port: int, timeout: float = 30.0) -> float:
    """Return how long one `GET /healthz` takes on a new connection (``timeout`` if none)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        if b" 200 " not in data.split(b"\r\n", 1)[0] or b'"ok"' not in data:
            return timeout
    except OSError:
        return timeout
    return time.monotonic() - started


# The log (standard output and error, WARNING and up) of each server ``serve`` runs, by port.
LOGS: dict[int, Path] = {}


def logged_errors(port: int, limit: int = 6000) -> str:
    """The server's log from its first error on (at most ``limit`` characters), for the
    message of a failing check: a 500 answer shows its traceback there."""
    path = LOGS.get(port)
    text = path.read_text(errors="replace") if path is not None and path.exists() else ""
    first = min((i for i in (text.find("Traceback"), text.find("ERROR")) if i >= 0), default=-1)
    return "" if first < 0 else text[first : first + limit]


@contextmanager
def serve(
    opendata: str = OPENDATA, workers: int = 2, threads: int = 4, ports: str = ""
) -> Iterator[int]:
    """Run `opendata serve` on a fresh data dir; yield its port; stop it afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    port = PortRange(ports).take()
    env = {**os.environ, "OPENDATA_DATA_DIR": str(data_dir), "OPENDATA_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    subprocess.run([opendata, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(
        [opendata, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    LOGS[port] = Path(log.name)
    try:
        deadline = time.monotonic() + 60
        while healthz_seconds(port, timeout=2) >= 2:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.3)
        yield port
    finally:
        server.terminate()  # gunicorn stops its workers; the front ends with its parent
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with suppress(ProcessLookupError):  # whatever it started, in its own session
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        LOGS.pop(port, None)
        shutil.rmtree(data_dir, ignore_errors=True)


def trickle(port: int, count: int, seconds: float, interval: float = 1.0) -> threading.Thread:
    """Start ``count`` clients sending a byte every ``interval`` s; they stop after ``seconds``."""

    def run() -> None:
        socks: list[socket.socket] = []
        try:
            for n in range(count):
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                except OSError:
                    continue
                sock.setblocking(False)
                if n % 2:  # a body that never ends
                    head = b"POST /api/3/action/package_search HTTP/1.1\r\nHost: x\r\n"
                    head += b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
                else:  # headers that never end
                    head = b"GET / HTTP/1.1\r\nHost: x\r\n"
                with suppress(OSError):
                    sock.send(head)
                socks.append(sock)
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                for sock in socks:
                    with suppress(OSError):
                        sock.send(b"X")
                time.sleep(interval)
        finally:
            for sock in socks:
                sock.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def measure(port: int, clients: int, seconds: float) -> tuple[list[float], list[float]]:
    """Return /healthz latencies alone, then during the slow clients."""
    alone = [healthz_seconds(port) for _ in range(10)]
    slow = trickle(port, clients, seconds)
    warm = min(2.0, seconds / 3)
    time.sleep(warm)  # let them connect and take what they can
    during: list[float] = []
    end = time.monotonic() + seconds - warm - 1  # while every slow client still trickles
    while not during or time.monotonic() < end:
        during.append(healthz_seconds(port, timeout=seconds))
        time.sleep(0.2)
    slow.join(timeout=seconds + 30)
    return alone, during


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--opendata", default=OPENDATA)
    add_ports_option(parser)
    args = parser.parse_args()
    with serve(args.opendata, ports=args.ports) as port:
        alone, during = measure(port, args.clients, args.seconds)
    load = Path("/proc/loadavg").read_text().strip()
    print(f"server: {args.opendata} serve --workers 2")
    print(f"/healthz alone: median {statistics.median(alone) * 1000:.1f} ms, "
          f"max {max(alone) * 1000:.1f} ms")  # fmt: skip
    print(f"/healthz with {args.clients} slow clients: median "
          f"{statistics.median(during) * 1000:.1f} ms, max {max(during) * 1000:.1f} ms "
          f"({len(during)} requests)")  # fmt: skip
    print(f"load average: {load}")


if __name__ == "__main__":
    main()
