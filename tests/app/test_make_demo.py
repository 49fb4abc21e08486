"""`make demo` as a citizen and an operator first meet it (issue 21), with real processes.

The commands run as the Makefile runs them: a RELATIVE ``OPENDATA_DATA_DIR=instance`` in the
working directory, no ``OPENDATA_SITE_URL``, `opendata serve` on a port of our choosing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from tests.app.processes import OPENDATA, Running, free_port, request, start, wait_until

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
DATASET = "dan-so-theo-phuong-xa"  # a public demo dataset with one table


@dataclass
class Site:
    """A served demo: its address, working directory, home folder and server process."""

    base: str
    cwd: Path
    home: Path
    serve: Running


def _environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENDATA_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(OPENDATA_DATA_DIR="instance", HOME=str(home), OPENDATA_LOG_LEVEL="INFO")
    return env


def _port() -> int:
    port = free_port()
    while port == 5000:  # the old fixed port would hide a link that still names it
        port = free_port()
    return port


def _serve(cwd: Path, home: Path, *commands: list[str]) -> Site:
    """Run ``commands`` then `opendata serve` in ``cwd``, as `make demo PORT=…` does."""
    env = _environment(home)
    for args in commands:
        done = subprocess.run(
            [OPENDATA, *args], cwd=cwd, env=env, capture_output=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    port = _port()
    bind = f"127.0.0.1:{port}"
    serve = start(["serve", "--bind", bind, "--workers", "2"], env, cwd / "serve.log", cwd=cwd)
    site = Site(f"http://{bind}", cwd, home, serve)
    healthy = wait_until(lambda: request(f"{site.base}/healthz", timeout=2)[0] == 200, 60)
    if not healthy:
        serve.kill_group()
    assert healthy, serve.text()[-3000:]
    return site


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    cwd = tmp_path_factory.mktemp("make-demo")
    home = cwd / "home"
    home.mkdir()
    site = _serve(cwd, home, ["db", "upgrade"], ["demo"])
    yield site
    site.serve.kill_group()


def _get(url: str, cookie: str = "") -> bytes:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=60) as response:
        assert response.status == 200
        return bytes(response.read())


def test_the_makefile_binds_the_chosen_port() -> None:
    dry = subprocess.run(
        ["make", "-n", "-C", str(REPO), "demo", "PORT=5123"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "opendata serve --bind 127.0.0.1:5123 " in dry.stdout, dry.stdout


def test_every_converted_download_of_the_demo_has_the_rows(demo: Site) -> None:
    """Was: 500 on each, the converted file looked up under the application package."""
    status, body = request(f"{demo.base}/api/3/action/package_show?id={DATASET}")
    assert status == 200, body
    url = body["result"]["resources"][0]["url"]
    assert url.startswith(f"{demo.base}/dataset/{DATASET}/") and url.endswith(".csv")
    rows = list(csv.reader(io.StringIO(_get(url).decode("utf-8"))))
    header, records = rows[0], rows[1:]
    assert len(records) >= 2

    stem = url.removesuffix(".csv")
    table = pq.read_table(io.BytesIO(_get(f"{stem}.parquet")))
    assert table.column_names == header and table.num_rows == len(records)
    assert [str(v) for v in table.column(header[0]).to_pylist()] == [r[0] for r in records]

    sheet = load_workbook(io.BytesIO(_get(f"{stem}.xlsx")), read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == header and len(cells) == len(records) + 1

    as_json = json.loads(_get(f"{stem}.json"))
    assert len(as_json) == len(records) and list(as_json[0]) == header
    assert [str(r[header[0]]) for r in as_json] == [r[0] for r in records]
    assert list((demo.cwd / "instance" / "conversions").glob("*.parquet"))


def test_links_name_the_bound_port_without_a_site_url(demo: Site) -> None:
    """Was: sitemap, JSON-LD, API examples and mails named :5000 whatever the port."""
    sitemap = _get(f"{demo.base}/sitemap.xml").decode()
    places = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert places and all(p.startswith(f"{demo.base}/") for p in places), places[:5]
    assert f"{demo.base}/dataset/{DATASET}" in places
    page = _get(f"{demo.base}/dataset/{DATASET}").decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found is not None
    described = json.loads(found.group(1))
    assert described["url"] == f"{demo.base}/dataset/{DATASET}"
    assert ":5000" not in sitemap and ":5000" not in found.group(1)


def test_two_portals_keep_their_own_control_sockets(
    demo: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Gunicorn's control socket defaulted to ~/.gunicorn/gunicorn.ctl: one per user."""
    cwd = tmp_path_factory.mktemp("second-portal")
    other = _serve(cwd, demo.home, ["db", "upgrade"])  # the same user, the same home
    try:
        for site in (demo, other):
            control = site.cwd / "instance" / "run" / "gunicorn.ctl"
            assert wait_until(control.is_socket, 30), site.serve.text()[-3000:]
            assert control.stat().st_mode & 0o777 == 0o600
            gunicornc = str(Path(OPENDATA).with_name("gunicornc"))
            asked = subprocess.run(
                [gunicornc, "-s", str(control), "-c", "show workers", "-j"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            workers = json.loads(asked.stdout)["workers"]
            assert len(workers) == 2, asked.stdout
            for worker in workers:  # this portal's own gunicorn answered
                assert os.getpgid(worker["pid"]) == site.serve.pid
        assert not (demo.home / ".gunicorn").exists()
    finally:
        other.serve.kill_group()
