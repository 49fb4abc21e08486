"""The access log of `opendata serve` (``app.access_log``): short lines, no personal data."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from app.access_log import AccessLogger, access_line
from app.server import gunicorn_options
from app.web_worker import LingeringThreadWorker

ENVIRON = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/api/v1/datasets/ho-dan/resources/abc/records",
    "QUERY_STRING": "ho_ten=Nguy%E1%BB%85n+V%C4%83n+A&_q=0912345678",
    "RAW_URI": "/api/v1/datasets/ho-dan/resources/abc/records?ho_ten=Nguy%E1%BB%85n",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_USER_AGENT": "Mozilla/5.0 (Nguyễn's laptop)",
    "HTTP_REFERER": "https://example.org/?email=a@b.vn",
    "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz",
}


def test_a_line_holds_the_network_path_status_size_and_time_only() -> None:
    took = datetime.timedelta(milliseconds=12, microseconds=345)
    line = access_line(ENVIRON, "200 OK", 5120, took, "2026-12-07T20:59:00Z")
    assert line == (
        "2026-12-07T20:59:00Z 203.0.113.0/24 "
        '"GET /api/v1/datasets/ho-dan/resources/abc/records HTTP/1.1" 200 5120 12.3ms\n'
    )
    for private in ("203.0.113.77", "Nguy", "0912345678", "Mozilla", "email", "dXNl", "user"):
        assert private not in line


def test_ipv6_and_unknown_clients_are_truncated_or_dashed() -> None:
    took = datetime.timedelta(0)
    six = access_line({**ENVIRON, "REMOTE_ADDR": "2001:db8:1234:5678::1"}, "404", None, took, "t")
    assert " 2001:db8:1234::/48 " in six and six.endswith(" 404 - 0.0ms\n")
    unix = access_line({**ENVIRON, "REMOTE_ADDR": ""}, "200 OK", 1, took, "t")
    assert unix.startswith("t - ")


def test_the_logger_writes_one_line_to_standard_output(capfd) -> None:
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = AccessLogger(cfg)
    response = SimpleNamespace(status="201 Created", sent=42, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), ENVIRON, datetime.timedelta(seconds=1))
    out = capfd.readouterr().out
    assert re.fullmatch(
        r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 203\.0\.113\.0/24 "GET \S+ HTTP/1\.1" 201 42 1000\.0ms\n',
        out,
    ), out


def test_no_access_log_writes_nothing(capfd) -> None:
    logger = AccessLogger(Config())  # gunicorn's default: no access log
    response = SimpleNamespace(status="200 OK", sent=1, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), ENVIRON, datetime.timedelta(0))
    assert capfd.readouterr().out == ""


def test_serve_uses_the_access_logger(tmp_path: Path) -> None:
    options = gunicorn_options("unix:/tmp/x.sock", 1, 8, tmp_path / "ctl")
    assert options["logger_class"] is AccessLogger and options["accesslog"] == "-"
    assert options["worker_class"] is LingeringThreadWorker
