"""Real HTTP servers for tests: the portal itself, and a replay of recorded responses."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server


class LiveServer:
    """Serve a WSGI app on 127.0.0.1 at a free port in a background thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@dataclass
class Recorded:
    """One recorded response: status, headers and body (bytes or a file under tests/recorded)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hung server)


class ReplayServer:
    """A local HTTP server answering GET paths from a table of recorded responses.

    Stands in for a remote agency server (the only thing the tests may not reach).
    Requests are logged in ``requests`` for assertions.
    """

    def __init__(self, routes: dict[str, Recorded | list[Recorded]]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                replay.requests.append(self.path)
                answer = replay.routes.get(self.path) or replay.routes.get(
                    self.path.split("?", 1)[0]
                )
                if isinstance(answer, list):  # answered in turn; the last one repeats
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                if answer is None:
                    answer = Recorded(404, b'{"error": "not recorded"}')
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_HEAD = do_GET

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @classmethod
    def from_files(cls, mapping: dict[str, Path], content_type: str) -> ReplayServer:
        """Serve each file's bytes at its path."""
        return cls(
            {
                p: Recorded(200, f.read_bytes(), {"Content-Type": content_type})
                for p, f in mapping.items()
            }
        )

    @staticmethod
    def json(data: Any, status: int = 200) -> Recorded:
        return Recorded(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
