"""Benchmark: upload to validation report through the REST API, against `frictionless validate`.

Generates the fixed-seed table of ``bench_validation.py`` (Vietnamese text, 10 columns, no
errors) with ``--rows`` rows, starts a real ``opendata serve`` (front, one gunicorn worker
and the job process, as a deployment runs them) on a fresh SQLite data dir and a port of
``--ports``, creates a publisher, an API token and a draft dataset, warms the server with a
200-row upload and lets it wait ``--idle`` seconds (a running server between two uploads),
then times what a publisher waits for: ``POST /api/v1/datasets/{name}/resources`` with the
file (multipart, streamed from disk) until ``GET .../validation`` answers 200 with the report
(staging, encryption, queueing, normalization, schema inference, validation, the
personal-data scan of every row, place columns, stripping: everything between the upload and
the report). In the same run it times ``frictionless validate <file> --json`` (which infers
the schema too) on the same file, and prints both (wall seconds, and CPU seconds: of the
command, and of every process of the server's process group, reaped job children included),
both ratios, the steps the progress endpoint showed and the load average. The job process
runs at nice +5 (it yields the CPU to the web), so on a busy machine its wall time suffers
more than the command's: the CPU ratio does not depend on the load.

    .venv/bin/python benchmarks/bench_upload_report.py --ports 8710-8719            # 400,000 rows
    .venv/bin/python benchmarks/bench_upload_report.py --rows 50000 --idle 5 --ports 8710-8719
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validation import generate
from ports import PortRange

BIN = Path(sys.executable).parent
OPENDATA = str(BIN / "opendata")
FRICTIONLESS = str(BIN / "frictionless")
BOUNDARY = "benchreport5c1d"


class MultipartFile:
    """A multipart/form-data body with one file part, read from disk chunk by chunk."""

    def __init__(self, path: Path, handle: IO[bytes]) -> None:
        self._head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self._tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self._size = path.stat().st_size
        self._handle = handle
        self._stage = 0

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def read(self, amount: int = -1) -> bytes:
        if self._stage == 0:
            self._stage = 1
            return self._head
        if self._stage == 1:
            piece = self._handle.read(amount if amount > 0 else 1 << 20)
            if piece:
                return piece
            self._stage = 2
            return self._tail
        return b""


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


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([OPENDATA, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def _upload_to_report(url: str, token: str, path: Path) -> tuple[float, dict[str, Any], list[str]]:
    """Create a dataset, upload ``path``; return (seconds to the report, report, steps seen)."""
    auth = {"Authorization": f"Bearer {token}"}
    created = requests.post(
        f"{url}/api/v1/datasets",
        json={"organization": "so-bench", "title": "Đo kiểm tra", "license_id": "cc-by-4.0"},
        headers=auth,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    name = created.json()["name"]
    steps: list[str] = []
    with path.open("rb") as handle:
        body = MultipartFile(path, handle)
        started = time.perf_counter()
        answer = requests.post(
            f"{url}/api/v1/datasets/{name}/resources",
            data=body,  # type: ignore[arg-type]  # a streamed file-like body; the stubs want bytes
            headers={**auth, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=3600,
        )
        uploaded = time.perf_counter() - started
    assert answer.status_code == 201, answer.text
    steps.append(f"upload answered {uploaded:.2f} s")
    resource = answer.json()["id"]
    report_url = f"{url}/api/v1/datasets/{name}/resources/{resource}/validation"
    last = ""
    with requests.Session() as session:
        while True:
            polled = session.get(report_url, headers=auth, timeout=60)
            if polled.status_code == 200:
                seconds = time.perf_counter() - started
                return seconds, polled.json(), steps
            assert polled.status_code == 409, (polled.status_code, polled.text)
            progress = polled.json()["error"].get("progress") or {}
            step = str(progress.get("stage") or progress.get("step") or "queued")
            if step != last:
                steps.append(f"{step} at {time.perf_counter() - started:.2f} s")
                last = step
            time.sleep(0.2)  # a client asking more often would cost the server CPU


def _frictionless(path: Path) -> tuple[float, float, dict[str, Any]]:
    """Run the command; return (wall seconds, CPU seconds, its JSON report)."""
    argv = [FRICTIONLESS, "validate", path.name, "--json"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=path.parent, stdout=out, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = 0
        out.seek(0)
        return seconds, usage.ru_utime + usage.ru_stime, json.loads(out.read())


def _group_cpu(group: int) -> float:
    """CPU seconds of the processes of ``group``, with their reaped children's (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:  # pgrp; utime stime cutime cstime follow at 11..14
            total += sum(int(value) for value in fields[11:15])
    return total / ticks


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    """Start the portal, time upload-to-report and `frictionless validate`, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--ports", default="", help="port range to serve on, e.g. 8710-8719")
    parser.add_argument(
        "--idle", type=float, default=15.0, help="seconds the warm server waits idle first"
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"upload-report-{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    print(f"file: {path.name}, {args.rows} rows, {size_mb:.1f} MB; load average {_load()}")
    port = PortRange(args.ports).take()
    url = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="bench-upload-report-"))
    env = _env(data_dir, port)
    server = None
    cpu = 0.0
    try:
        _cli(env, "db", "upgrade")
        _cli(env, "org", "create", "so-bench", "--title", "Sở Đo lường")
        _cli(env, "user", "create", "bench", "--email", "bench@example.org", "--password",
             "bench-password-2026", "--org", "so-bench", "--role", "publisher")  # fmt: skip
        token = _cli(env, "token", "create", "bench")
        server = subprocess.Popen(
            [OPENDATA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_ready(url)
        print(f"portal: opendata serve on port {port} (front, 1 web worker, job process)")
        # A running server: the job process has started and handled an upload already, then
        # waited idle (as between two publishers' uploads) before the timed one.
        warm = args.workdir / "upload-report-warm-up.csv"
        generate(warm, 200)
        _upload_to_report(url, token, warm)
        time.sleep(args.idle)
        before, cpu = _load(), _group_cpu(server.pid)
        portal, report, steps = _upload_to_report(url, token, path)
        cpu = _group_cpu(server.pid) - cpu
        print(f"portal upload -> validation report: {portal:.2f} s, {cpu:.2f} s CPU of the "
              f"server's processes (load before {before}, after {_load()}); "
              f"{'; '.join(steps)}")  # fmt: skip
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)  # a temporary folder: never hide the figures
    before = _load()
    reference, reference_cpu, command = _frictionless(path)
    print(f"frictionless validate --json: {reference:.2f} s, {reference_cpu:.2f} s CPU "
          f"(load before {before}, after {_load()})")  # fmt: skip
    stats = command["tasks"][0]["stats"] if command.get("tasks") else {}
    print(
        f"rows: portal {report.get('row_count')}, frictionless {stats.get('rows')}; valid: "
        f"portal {report.get('valid')}, frictionless {command.get('valid')}"
    )
    print(f"upload to report {reference / portal:.1f}x faster than frictionless validate alone "
          f"(wall); {reference_cpu / cpu:.1f}x less CPU")  # fmt: skip


if __name__ == "__main__":
    main()
