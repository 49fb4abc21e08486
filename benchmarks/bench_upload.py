"""Upload memory: a 1 GB file takes no more server memory than a 10 MB one (SPEC §8).

For each size, starts a fresh `opendata serve` (gunicorn, one worker, jobs left to a worker
so only the upload itself is measured) on a new data dir, signs in as a publisher through
the login form, creates a dataset and POSTs the file through the web upload form. The file
is generated on the fly by a file-like object (the client never holds it either). Prints
the peak resident memory (VmHWM) of the server's worker process for each size and their
ratio.

    .venv/bin/python benchmarks/bench_upload.py [--sizes-mb 10,1024] [--port N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from ports import PortRange, add_ports_option

ROOT = Path(__file__).resolve().parents[1]
OPENDATA = str(Path(sys.executable).parent / "opendata")
PASSWORD = "bench-password-2026"
CHUNK = b"ma,ten,gia_tri\n" + b"".join(
    f"M{n:06d},Trạm đo {n},{n * 7 % 1000}\n".encode() for n in range(4000)
)


class GeneratedFile:
    """A file-like multipart body of known length, generated chunk by chunk."""

    def __init__(self, size: int, boundary: str, csrf: str) -> None:
        self._head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
            f'bench\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._size = size
        self._sent = 0  # bytes of the file part sent so far
        self._stage = 0

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def read(self, amount: int = -1) -> bytes:
        if self._stage == 0:
            self._stage = 1
            return self._head
        if self._stage == 1:
            left = self._size - self._sent
            if left > 0:
                piece = CHUNK[: min(len(CHUNK), left, amount if amount > 0 else len(CHUNK))]
                self._sent += len(piece)
                return piece
            self._stage = 2
            return self._tail
        return b""


def _run(*args: str, env: dict[str, str]) -> None:
    subprocess.run([OPENDATA, *args], env=env, check=True, capture_output=True)


def _peak_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, url
    return match.group(1)


def measure(size: int, port: int) -> tuple[int, float, int]:
    """Upload ``size`` bytes to a fresh server; return (worker peak KiB, seconds, status)."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    env = {
        **os.environ,
        "OPENDATA_DATA_DIR": str(data_dir),
        "OPENDATA_MAX_UPLOAD_MB": str(size // (1024 * 1024) + 16),
        "OPENDATA_SITE_URL": f"http://127.0.0.1:{port}",
        "OPENDATA_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    try:
        _run("db", "upgrade", env=env)
        _run("org", "create", "so-bench", "--title", "Sở Đo lường", env=env)
        _run(
            "user", "create", "bench", "--email", "bench@example.org", "--password", PASSWORD,
            "--org", "so-bench", "--role", "publisher", env=env,
        )  # fmt: skip
        server = subprocess.Popen(
            [OPENDATA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-jobs"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url)
            session = requests.Session()
            token = _csrf(session, f"{url}/user/login")
            session.post(
                f"{url}/user/login",
                data={"login": "bench", "password": PASSWORD, "csrf_token": token},
                timeout=30,
            )
            token = _csrf(session, f"{url}/dataset/new")
            form = session.get(f"{url}/dataset/new", timeout=30)
            org_id = re.search(r'<option value="([^"]+)"', form.text)
            assert org_id, (form.status_code, form.url)
            created = session.post(
                f"{url}/dataset/new",
                data={"csrf_token": token, "organization_id": org_id.group(1),
                      "title_vi": "Đo tải lên", "license_id": "cc-by-4.0"},
                timeout=30,
            )  # fmt: skip
            manage = created.url
            token = _csrf(session, manage)
            boundary = "benchboundary7e3f"
            body = GeneratedFile(size, boundary, token)
            started = time.perf_counter()
            response = session.post(
                manage.replace("/manage", "/resources"),
                data=body,  # type: ignore[arg-type]  # a streamed iterable body; requests' stubs want bytes
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                timeout=3600,
            )
            seconds = time.perf_counter() - started
            workers = _children(server.pid)
            peak = max((_peak_rss_kib(pid) for pid in workers), default=0)
            return peak, seconds, response.status_code
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    """Measure each size and print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", default="10,1024")
    add_ports_option(parser)
    args = parser.parse_args()
    ports = PortRange(args.ports)
    sizes = [int(s) for s in args.sizes_mb.split(",")]
    results = []
    for size_mb in sizes:
        peak, seconds, status = measure(size_mb * 1024 * 1024, ports.take())
        results.append(peak)
        rate = size_mb / seconds if seconds else 0
        print(
            f"{size_mb:>6} MB upload: HTTP {status}, {seconds:7.1f} s ({rate:.0f} MB/s), "
            f"server worker peak RSS {peak / 1024:7.1f} MiB"
        )
    if len(results) >= 2 and results[0]:
        print(
            f"peak RSS ratio {sizes[-1]} MB / {sizes[0]} MB: {results[-1] / results[0]:.2f} "
            "(target: ≤ 1.1, memory flat in file size)"
        )


if __name__ == "__main__":
    main()
