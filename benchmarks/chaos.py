"""Chaos run: kill the portal's processes at random moments, restart, and check nothing is lost.

Builds a fresh portal on the embedded default (SQLite, local files, Whoosh) in a temporary
data dir, starts `opendata serve --workers 2` (web workers and its supervised job process),
then plays rounds of real work through the REST API and the command line:

- **upload**: create a dataset and upload a CSV (then it is processed in the background);
- **approve**: submit a dataset whose file is ready and have the steward approve it;
- **harvest**: run `opendata harvest run` on a file source served from 127.0.0.1 that gains
  new CSV files every round (harvested datasets are published without review).

During each round one process picked at random (the supervisor, the gunicorn master, a web
worker, the HTTP front, the job process, a job's child, the harvest command) gets SIGKILL after
a random delay. The supervisor restarts any child that dies; a killed supervisor takes its
children with it, and like a service manager would, the script kills what is left of its
process group and starts `opendata serve` again. Then it waits for the portal to answer.

At the end it kills everything once more, starts the portal, runs the harvest to completion
and waits for the background work to settle, then checks what was acknowledged:

- every upload that was answered 201 exists and is not stuck in processing (ready, or failed
  with a reason);
- every approval that was answered 200, and every dataset the source lists, is published,
  found by search, its files download with the advertised SHA-256 and its table answers
  `records` with all its rows;
- no file version anywhere is stuck in processing, and `staging/` holds no left-over upload.

It prints what it did (every kill: which process, during what) and what it found, with the
load average, and exits 1 when anything was lost or stuck.

    .venv/bin/python benchmarks/chaos.py [--rounds 24] [--seed 7] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from ports import PortRange, add_ports_option

OPENDATA = str(Path(sys.executable).parent / "opendata")
PASSWORD = "chaos-password-2026"
SETTLE_SECONDS = 240  # how long background work may take to settle after the last restart


def _table(seed: int, rows: int) -> bytes:
    lines = ["ma_tram,ten_tram,quan,gia_tri,ngay_do"]
    for n in range(rows):
        lines.append(
            f"T{seed:04d}{n:05d},Trạm quan trắc số {n},Quận {n % 12 + 1},"
            f"{(n * 37 + seed) % 1000},2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


class Agency:
    """A local file source: a sidecar listing CSV files that grows every round."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.entries: list[dict[str, Any]] = []
        agency = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/kho/metadata.json":
                    body = json.dumps({"datasets": list(agency.entries)}).encode()
                    kind = "application/json"
                elif path.startswith("/kho/") and path[5:] in agency.files:
                    body, kind = agency.files[path[5:]], "text/csv"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/kho/metadata.json"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def add(self, number: int) -> str:
        name = f"tram-{number:03d}.csv"
        self.files[name] = _table(5000 + number, 300)
        title = f"Quan trắc harvest số {number}"
        self.entries.append(
            {"file": name, "title": title, "modified": f"2026-11-{number % 28 + 1:02d}"}
        )
        return title

    def close(self) -> None:
        self._server.shutdown()


@dataclass
class Ledger:
    """What the portal acknowledged, and what the run did."""

    uploads: dict[str, int] = field(default_factory=dict)  # dataset name -> rows
    approved: set[str] = field(default_factory=set)
    harvest_titles: list[str] = field(default_factory=list)
    kills: list[str] = field(default_factory=list)
    restarts: int = 0
    unanswered: int = 0


class Portal:
    """`opendata serve` in its own process group, started again when its supervisor dies."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        # Open for the whole run: every restart of the server appends to it.
        self.log = open(Path(env["OPENDATA_DATA_DIR"]) / "serve.log", "ab")  # noqa: SIM115

    def start(self) -> float:
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [OPENDATA, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy(30)
        return time.monotonic() - started

    def wait_healthy(self, limit: float) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the portal did not answer /healthz within {limit} s (see serve.log)")

    def processes(self) -> dict[str, list[int]]:
        """The supervisor and its children by role, read from their titles in /proc."""
        assert self.proc is not None
        found: dict[str, list[int]] = {"supervisor": [self.proc.pid]}
        for pid in _descendants(self.proc.pid):
            title = _cmdline(pid)
            for marker, role in _ROLES:
                if marker in title:
                    found.setdefault(role, []).append(pid)
                    break
            else:
                found.setdefault("other", []).append(pid)
        return found

    def kill_all(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None


# Process titles (README, Process model) and the role each names, most specific first.
_ROLES = (
    ("gunicorn: master", "web master"),
    ("gunicorn: worker", "web worker"),
    ("opendata: jobs", "job process"),
    ("opendata: job ", "job child"),
    ("front", "http front"),
)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [OPENDATA, *args], env=env, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


class Chaos:
    def __init__(self, rounds: int, seed: int, data_dir: Path, port: int) -> None:
        self.rng = random.Random(seed)
        self.rounds = rounds
        self.data_dir = data_dir
        self.env = dict(
            os.environ,
            OPENDATA_DATA_DIR=str(data_dir),
            OPENDATA_RATE_LIMIT_ANON="0",
            OPENDATA_RATE_LIMIT_TOKEN="0",
            OPENDATA_HARVEST_ALLOWED_HOSTS="127.0.0.1",
            OPENDATA_LOG_LEVEL="WARNING",
        )
        self.portal = Portal(self.env, port)
        self.agency = Agency()
        self.ledger = Ledger()
        self.counter = 0
        self.ready: list[str] = []  # uploaded datasets not yet approved

    # -- set-up ------------------------------------------------------------------------
    def set_up(self) -> None:
        env = self.env
        _cli(env, "db", "upgrade")
        _cli(env, "org", "create", "so-thu-nghiem", "--title", "Sở Thử nghiệm")
        for user, role in (("publisher", "publisher"), ("steward", "steward")):
            _cli(
                env, "user", "create", user, "--email", f"{user}@thunghiem.example",
                "--password-stdin", "--org", "so-thu-nghiem", "--role", role,
                stdin=PASSWORD + "\n",
            )  # fmt: skip
        self.publisher = {"Authorization": f"Bearer {_cli(env, 'token', 'create', 'publisher')}"}
        self.steward = {"Authorization": f"Bearer {_cli(env, 'token', 'create', 'steward')}"}
        config = json.dumps({"require_review": False})
        _cli(
            env, "harvest", "source", "add", "kho-so", "--type", "file",
            "--url", self.agency.url, "--org", "so-thu-nghiem", "--config", config,
        )  # fmt: skip

    # -- actions -----------------------------------------------------------------------
    def upload(self) -> None:
        self.counter += 1
        name = f"du-lieu-{self.counter:03d}"
        rows = self.rng.choice([50, 2000, 40000])
        api = f"{self.portal.url}/api/v1"
        created = requests.post(
            f"{api}/datasets",
            json={"organization": "so-thu-nghiem", "name": name, "title": f"Quan trắc {name}"},
            headers=self.publisher,
            timeout=30,
        )
        if created.status_code != 201:
            return
        answer = requests.post(
            f"{api}/datasets/{name}/resources",
            files={"file": (f"{name}.csv", _table(self.counter, rows), "text/csv")},
            headers=self.publisher,
            timeout=60,
        )
        if answer.status_code == 201:
            self.ledger.uploads[name] = rows
            self.ready.append(name)

    def ready_for_approval(self) -> str | None:
        """Submit the oldest upload once its file is ready (waits for processing, up to 90 s)."""
        api = f"{self.portal.url}/api/v1"
        deadline = time.monotonic() + 90
        while self.ready and time.monotonic() < deadline:
            name = self.ready[0]
            shape = requests.get(f"{api}/datasets/{name}", headers=self.publisher, timeout=30)
            statuses = [r.get("status") for r in shape.json().get("resources", [])]
            if shape.status_code != 200 or "failed" in statuses:
                self.ready.pop(0)  # nothing to approve (a failed file is checked at the end)
                continue
            if "processing" in statuses:
                time.sleep(1)
                continue
            self.ready.pop(0)
            if shape.json().get("state") == "draft":
                requests.post(f"{api}/datasets/{name}/submit", headers=self.publisher, timeout=30)
            return name
        return None

    def approve(self, name: str) -> None:
        api = f"{self.portal.url}/api/v1"
        answer = requests.post(f"{api}/datasets/{name}/approve", headers=self.steward, timeout=30)
        if answer.status_code == 200:
            self.ledger.approved.add(name)

    def harvest(self) -> subprocess.Popen[bytes]:
        for _ in range(3):
            self.ledger.harvest_titles.append(self.agency.add(len(self.ledger.harvest_titles)))
        return subprocess.Popen(
            [OPENDATA, "harvest", "run", "kho-so"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    # -- the run -----------------------------------------------------------------------
    def round(self, number: int) -> None:
        action = self.rng.choice(["upload", "upload", "approve", "approve", "harvest"])
        harvest: subprocess.Popen[bytes] | None = None
        errors: list[BaseException] = []

        name = self.ready_for_approval() if action == "approve" else None
        if action == "approve" and name is None:
            action = "upload"

        def work() -> None:
            try:
                if action == "upload":
                    self.upload()
                elif name is not None:
                    self.approve(name)
            except requests.RequestException as exc:  # the process answering was killed
                errors.append(exc)

        if action == "harvest":
            harvest = self.harvest()
        worker = threading.Thread(target=work)
        worker.start()
        # Kill while the action is under way: an approval takes a fraction of a second.
        time.sleep(self.rng.uniform(0.0, {"upload": 1.5, "approve": 0.3}.get(action, 3.0)))
        roles = self.portal.processes()
        targets = [(role, pid) for role, pids in roles.items() for pid in pids]
        if harvest is not None and harvest.poll() is None:
            targets.append(("harvest command", harvest.pid))
        role, pid = self.rng.choice(targets)
        try:
            os.kill(pid, signal.SIGKILL)
            self.ledger.kills.append(f"round {number:2d}: {action:8s} killed {role} ({pid})")
        except ProcessLookupError:
            self.ledger.kills.append(f"round {number:2d}: {action:8s} {role} had already ended")
        worker.join(120)
        if harvest is not None:
            harvest.wait(600)
        self.ledger.unanswered += len(errors)
        if role == "supervisor":
            self.portal.kill_all()
            self.portal.start()
            self.ledger.restarts += 1
        else:
            self.portal.wait_healthy(30)

    def settle(self) -> float:
        """Kill everything, start again, finish the harvest, wait for background work."""
        self.portal.kill_all()
        took = self.portal.start()
        self.ledger.restarts += 1
        _cli(self.env, "harvest", "run", "kho-so")
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline and (self._processing() or self._unloaded()):
            time.sleep(1)
        return took

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.data_dir / 'portal.sqlite3'}?mode=ro", uri=True)

    def _processing(self) -> int:
        with self._db() as db:
            return int(
                db.execute(
                    "SELECT count(*) FROM resource_versions WHERE status='processing'"
                ).fetchone()[0]
            )

    def _unloaded(self) -> int:
        return sum(1 for problem in self.check_published() if "records" in problem)

    # -- checks ------------------------------------------------------------------------
    def check_uploads(self) -> list[str]:
        problems = []
        api = f"{self.portal.url}/api/v1"
        for name in sorted(self.ledger.uploads):
            shape = requests.get(f"{api}/datasets/{name}", headers=self.publisher, timeout=30)
            if shape.status_code != 200:
                problems.append(f"{name}: acknowledged upload lost ({shape.status_code})")
                continue
            statuses = [r.get("status") for r in shape.json().get("resources", [])]
            if not statuses:
                problems.append(f"{name}: acknowledged upload has no resource")
            for status in statuses:
                if status not in ("ready", "failed"):
                    problems.append(f"{name}: resource stuck in {status}")
        return problems

    def published_names(self) -> list[str]:
        with self._db() as db:
            return [
                row[0] for row in db.execute("SELECT name FROM datasets WHERE state='published'")
            ]

    def check_published(self) -> list[str]:
        problems = []
        api = f"{self.portal.url}/api/v1"
        names = set(self.published_names())
        for name in sorted(self.ledger.approved - names):
            problems.append(f"{name}: approval was acknowledged but it is not published")
        with self._db() as db:
            titles = {row[0] for row in db.execute(
                "SELECT r.title_vi FROM datasets d JOIN revisions r ON r.id = d.live_revision_id"
                " WHERE d.state = 'published'"
            )}  # fmt: skip
        for title in self.ledger.harvest_titles:
            if title not in titles:
                problems.append(f"harvested '{title}' is not published")
        for name in sorted(names):
            shape = requests.get(f"{api}/datasets/{name}", timeout=30)
            if shape.status_code != 200:
                problems.append(f"{name}: published but GET answers {shape.status_code}")
                continue
            data = shape.json()
            found = requests.get(f"{api}/datasets", params={"q": data["title"]}, timeout=30)
            if name not in [item["name"] for item in found.json().get("items", [])]:
                problems.append(f"{name}: published but not found by search")
            for resource in data.get("resources", []):
                body = requests.get(resource["download_url"], timeout=60).content
                if hashlib.sha256(body).hexdigest() != resource["sha256"]:
                    problems.append(f"{name}: download does not match its SHA-256")
                rows = body.count(b"\n") - 1
                records = requests.get(
                    f"{api}/datasets/{name}/resources/{resource['id']}/records",
                    params={"_limit": 1},
                    timeout=30,
                )
                total = records.json().get("total") if records.status_code == 200 else None
                if total != rows:
                    problems.append(
                        f"{name}: records answers {records.status_code} with {total} rows, "
                        f"the file has {rows}"
                    )
        return problems

    def check_leftovers(self) -> list[str]:
        problems = []
        if count := self._processing():
            problems.append(f"{count} file version(s) still processing after {SETTLE_SECONDS} s")
        staging = self.data_dir / "staging"
        if staging.is_dir() and (left := [p.name for p in staging.iterdir()]):
            problems.append(f"staging/ holds {len(left)} left-over file(s): {left[:5]}")
        return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    add_ports_option(parser)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="opendata-chaos-"))
    chaos = Chaos(args.rounds, args.seed, data_dir, PortRange(args.ports).take())
    started = time.monotonic()
    try:
        chaos.set_up()
        first = chaos.portal.start()
        print(f"data dir {data_dir}; portal up in {first:.1f} s; seed {args.seed}")
        for number in range(1, args.rounds + 1):
            chaos.round(number)
            print(chaos.ledger.kills[-1], flush=True)
        took = chaos.settle()
        problems = chaos.check_uploads() + chaos.check_published() + chaos.check_leftovers()
        published = chaos.published_names()
    finally:
        chaos.portal.kill_all()
        chaos.agency.close()
    ledger = chaos.ledger
    print()
    print(
        f"rounds {args.rounds}, kills {len(ledger.kills)}, restarts {ledger.restarts}, "
        f"requests cut off by a kill {ledger.unanswered}, last start {took:.1f} s, "
        f"total {time.monotonic() - started:.0f} s"
    )
    print(
        f"acknowledged: {len(ledger.uploads)} uploads, {len(ledger.approved)} approvals, "
        f"{len(ledger.harvest_titles)} harvested files; published now: {len(published)}"
    )
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    if problems:
        print(f"FOUND {len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print("found nothing lost or stuck: every published dataset is searchable and downloadable")
    if not args.keep and not problems:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
