"""A real S3-compatible server for tests: moto's server mode in its own process on 127.0.0.1.

Its own process, not a thread of the test run: the tests that measure the client's memory
(tracemalloc) then see only the portal's allocations, never the server's.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from datasets.storage import S3Options

ACCESS_KEY = "AKIATESTONLY00000000"
SECRET_KEY = "test-only-secret-never-shown-0000000000"  # a local test server's only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class S3Server:
    """``python -m moto.server`` on a free port; one bucket created at start."""

    bucket = "opendata-test"

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.options = S3Options(
            endpoint_url=self.endpoint_url,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            region="us-east-1",
        )
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the S3 server did not start: {self._log_path}") from None
                time.sleep(0.1)
        self.client().create_bucket(Bucket=self.bucket)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def client(self):
        from datasets.storage.s3 import s3_client

        return s3_client(self.options)

    def new_url(self) -> str:
        """``s3://bucket/prefix`` with a prefix no other test uses."""
        return f"s3://{self.bucket}/t-{uuid.uuid4().hex[:12]}"

    def settings_changes(self) -> dict[str, object]:
        """The settings that put a portal's files in a new prefix of this server's bucket."""
        return {
            "storage_url": self.new_url(),
            "s3_endpoint_url": self.endpoint_url,
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET_KEY,
            "aws_region": "us-east-1",
        }
