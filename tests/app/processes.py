"""Real `opendata` processes for the process-model and crash-recovery tests (issue 14)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import Settings

OPENDATA = str(Path(sys.executable).with_name("opendata"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a portal process on ``settings``'s data dir and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENDATA_")}
    env.update(
        OPENDATA_DATA_DIR=str(settings.data_dir),
        DATABASE_URL=settings.database_url,
        OPENDATA_RATE_LIMIT_ANON="0",
        OPENDATA_RATE_LIMIT_TOKEN="0",
        OPENDATA_LOG_LEVEL="INFO",
        OPENDATA_SITE_URL="http://127.0.0.1:5000",
    )
    env.update(extra)
    return env


@dataclass
class Running:
    """A started `opendata` command in its own process group, logging to a file."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as an operator or systemd would; return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill_group(self) -> None:
        """Clean-up: end whatever is left of the process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def start(
    args: list[str], env: dict[str, str], log: Path, cpu: int | None = None, cwd: Path | None = None
) -> Running:
    """Start ``opendata ARGS``; ``cpu``: pinned to that CPU with its children (``taskset``)."""
    handle = log.open("ab")
    pin = [] if cpu is None else ["taskset", "-c", str(cpu)]
    process = subprocess.Popen(
        [*pin, OPENDATA, *args],
        env=env,
        cwd=cwd,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    return Running(process, log)


def group_pids(pgid: int) -> list[int]:
    """Pids of live (not zombie) processes of a process group."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def titled(prefix: str, pgid: int) -> list[int]:
    """Pids of the group whose process title starts with ``prefix``."""
    found = []
    for pid in group_pids(pgid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmdline.startswith(prefix):
            found.append(pid)
    return found


def request(
    url: str, *, method: str = "GET", token: str = "", body: Any = None, timeout: float = 10
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_until(check: Any, timeout: float, interval: float = 0.1) -> Any:
    """Call ``check`` until it returns something true or ``timeout`` passes; return it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (OSError, ValueError):
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
