"""The buffering front: whole requests reach gunicorn's socket, with the client's address."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.http_front import FrontConfig, serve


class Backend:
    """A unix-socket server standing in for gunicorn: records each request, answers 200."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received: list[bytes] = []
        self._sock = socket.socket(socket.AF_UNIX)
        self._sock.bind(str(path))
        self._sock.listen()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = [
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ]
                    if b"\r\n\r\n" in data and len(body) >= (length[0] if length else 0):
                        break
                self.received.append(data)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def front(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = tmp_path / "gunicorn.sock"
    config = FrontConfig("127.0.0.1", port, str(backend), max_body_bytes=100_000)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(config, stop),))
    thread.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    yield port, backend
    loop.call_soon_threadsafe(stop.set)
    thread.join(timeout=10)
    loop.close()


def _exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_chunked_request_reaches_the_backend_whole_with_the_client_address(
    front: tuple[int, Path],
) -> None:
    port, path = front
    backend = Backend(path)
    try:
        answer = _exchange(
            port,
            b"POST /api/v1/datasets?x=1 HTTP/1.1\r\nHost: portal\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\nConnection: keep-alive\r\n\r\n"
            b'5\r\n{"a":\r\n3\r\n 1}\r\n0\r\n\r\n',
        )
    finally:
        backend.close()
    assert answer.endswith(b"\r\n\r\nok") and answer.startswith(b"HTTP/1.1 200 OK")
    sent = backend.received[0]
    proxy, request = sent.split(b"\r\n", 1)
    assert proxy.startswith(b"PROXY TCP4 127.0.0.1 127.0.0.1 ")
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /api/v1/datasets?x=1 HTTP/1.1"
    assert b"host: portal" in lines and b"content-type: application/json" in lines
    assert b"Content-Length: 8" in lines and b"Connection: close" in lines
    assert not any(line.lower().startswith(b"transfer-encoding") for line in lines)
    assert body == b'{"a": 1}'


def test_a_body_over_the_limit_and_a_missing_backend_get_clear_errors(
    front: tuple[int, Path],
) -> None:
    port, _ = front
    big = _exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100001\r\n\r\n")
    assert big.startswith(b"HTTP/1.1 413") and b'"code": "payload_too_large"' in big
    down = _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert down.startswith(b"HTTP/1.1 503") and b'"code": "unavailable"' in down
    bad = _exchange(port, b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n")
    assert bad.startswith(b"HTTP/1.1 400")
