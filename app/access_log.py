"""Gunicorn's access log of `opendata serve`: one short line a request, without personal data.

gunicorn's own access log (the Apache "combined" format) writes the client's whole address,
the user of HTTP basic auth, the referrer, the user agent and the query string (search words,
filter values), and builds every field it knows for each request before formatting the few
it writes; that cost about a tenth of a records page. ``AccessLogger`` writes::

    2026-12-07T20:59:00Z 203.0.113.0/24 "GET /api/v1/datasets HTTP/1.1" 200 5120 1.9ms

the time (UTC, to the second), the client's network (``truncate_ip``: IPv4 /24, IPv6 /48,
as the audit log keeps it), the method, the path without its query string, the protocol,
the status, the bytes sent and the duration. A line goes to standard output with one
``write`` (lines are short and whole: concurrent threads and workers never interleave
them), or, when gunicorn is configured to log elsewhere, to its access logger.
"""

from __future__ import annotations

import datetime
import functools
import os
import sys
import time
from typing import Any

from gunicorn import glogging

from publishers.audit import truncate_ip


@functools.lru_cache(maxsize=1024)
def client_network(address: str) -> str:
    """The network of ``address`` as the log writes it (``-`` when it is not an IP)."""
    return truncate_ip(address) or "-"


class _Clock:
    """The current second formatted once a second, not once a request."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:  # a race here only formats the same second twice
            stamp = datetime.datetime.fromtimestamp(second, datetime.UTC)
            self._text, self._second = stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), second
        return self._text


def access_line(
    environ: dict[str, Any], status: Any, sent: int | None, took: datetime.timedelta, now: str
) -> str:
    """The log line of one request (see the module's docstring)."""
    code = status.split(None, 1)[0] if isinstance(status, str) else str(status)
    path = environ.get("PATH_INFO", "") or "/"
    millis = took.total_seconds() * 1000
    return (
        f"{now} {client_network(environ.get('REMOTE_ADDR') or '')} "
        f'"{environ.get("REQUEST_METHOD", "-")} {path!s:.2000} '
        f'{environ.get("SERVER_PROTOCOL", "-")}" {code} '
        f"{sent if sent is not None else '-'} {millis:.1f}ms\n"
    )


class AccessLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger with ``access_line`` for the access log."""

    _clock = _Clock()

    def access(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> None:
        if not self.access_log_enabled:
            return
        line = access_line(
            environ,
            resp.status,
            getattr(resp, "sent", None),
            request_time,
            self._clock.now(),
        )
        cfg = self.cfg
        try:
            if cfg.accesslog == "-" and not (
                cfg.logconfig_dict or cfg.logconfig_json or cfg.syslog
            ):
                data = line.encode("utf-8", "backslashreplace")
                while data:  # one write for a line this short; the loop is the fallback
                    data = data[os.write(sys.stdout.fileno(), data) :]
            else:
                self.access_log.info(line.rstrip("\n"))
        except Exception:  # a closed or full output must not fail the request
            self.error("access log: could not write a line")
