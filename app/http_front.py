"""The buffering HTTP front of `opendata serve`: slow clients never hold a server thread.

gunicorn's threaded workers give each connection a thread while its request is read, so a
few clients trickling their headers or bodies took every thread (10 were enough). This front
runs in its own process (asyncio, HTTP parsing by h11): it reads each whole request within
deadlines (the head within ``HEAD_TIMEOUT_S``, the body at ``MIN_BODY_RATE`` bytes a second
after ``BODY_GRACE_S``, no pause longer than ``IDLE_TIMEOUT_S``), keeps bodies over
``SPOOL_BYTES`` in a temporary file (so a 1 GB upload stays off the heap), then hands the
complete request to gunicorn on a unix socket (PROXY protocol v1 carries the client address)
and copies the answer back byte for byte (``Range``, streaming and downloads unchanged).
One request per connection; the front closes it after the answer.

It is a child of the `opendata serve` supervisor (``opendata: front``), serving the listening
socket the supervisor opened; it stops on SIGTERM and when the supervisor dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import tempfile
import time
from dataclasses import dataclass
from typing import IO, Any

import h11

HEAD_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 10.0
BODY_GRACE_S = 10.0
MIN_BODY_RATE = 16 * 1024  # bytes per second, on average, once the grace has passed
MAX_HEAD_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024
RELAY_CHUNK = 64 * 1024
_HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"transfer-encoding",
    b"te",
    b"upgrade",
    b"expect",
    b"content-length",
}


@dataclass(frozen=True)
class FrontConfig:
    """Where the front listens, where gunicorn is, and the largest body it accepts."""

    host: str
    port: int
    backend: str  # the unix socket gunicorn listens on
    max_body_bytes: int
    spool_dir: str | None = None


class Refused(Exception):
    """The request is refused with ``status`` before it reaches the application."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def _receive(reader: asyncio.StreamReader, conn: h11.Connection, wait: float) -> None:
    if wait <= 0:
        raise Refused(408, "request_timeout", "The request was sent too slowly.")
    try:
        data = await asyncio.wait_for(reader.read(RELAY_CHUNK), min(wait, IDLE_TIMEOUT_S))
    except TimeoutError:
        raise Refused(408, "request_timeout", "The request was sent too slowly.") from None
    conn.receive_data(data)


async def _read_request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    conn: h11.Connection,
    config: FrontConfig,
) -> tuple[h11.Request, IO[bytes], int]:
    deadline = time.monotonic() + HEAD_TIMEOUT_S
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            await _receive(reader, conn, deadline - time.monotonic())
            continue
        if isinstance(event, h11.Request):
            break
        raise ConnectionError("closed before a request")
    request = event
    declared = dict(request.headers).get(b"content-length")
    if declared is not None and int(declared) > config.max_body_bytes:
        raise Refused(413, "payload_too_large", "The request body is too large.")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(SPOOL_BYTES, dir=config.spool_dir)  # noqa: SIM115 -- handed to the caller
    try:
        if conn.they_are_waiting_for_100_continue:
            writer.write(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
        started, size = time.monotonic(), 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                due = started + BODY_GRACE_S + (size + 1) / MIN_BODY_RATE
                await _receive(reader, conn, due - time.monotonic())
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > config.max_body_bytes:
                    raise Refused(413, "payload_too_large", "The request body is too large.")
                spool.write(event.data)
            elif isinstance(event, h11.EndOfMessage):
                spool.seek(0)
                return request, spool, size
            else:
                raise ConnectionError("closed in the body")
    except BaseException:
        spool.close()
        raise


def _backend_head(request: h11.Request, size: int, peer: Any) -> bytes:
    host, port = (peer[0], peer[1]) if isinstance(peer, tuple) else ("127.0.0.1", 0)
    family = "TCP6" if ":" in host else "TCP4"
    lines = [f"PROXY {family} {host} {host} {port} {port}".encode()]
    lines.append(request.method + b" " + request.target + b" HTTP/1.1")
    lines += [name + b": " + value for name, value in request.headers if name not in _HOP_BY_HOP]
    if size or request.method not in (b"GET", b"HEAD", b"DELETE", b"OPTIONS"):
        lines.append(b"Content-Length: " + str(size).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _forward(
    request: h11.Request,
    body: IO[bytes],
    size: int,
    peer: Any,
    writer: asyncio.StreamWriter,
    config: FrontConfig,
) -> None:
    try:
        back_reader, back_writer = await asyncio.open_unix_connection(config.backend)
    except OSError:
        raise Refused(503, "unavailable", "The server is starting; try again shortly.") from None
    try:
        back_writer.write(_backend_head(request, size, peer))
        await back_writer.drain()
        while chunk := body.read(RELAY_CHUNK):
            back_writer.write(chunk)
            await back_writer.drain()
        while chunk := await back_reader.read(RELAY_CHUNK):
            writer.write(chunk)
            await writer.drain()  # a slow reader slows the copy; memory stays one chunk
    finally:
        back_writer.close()


def _refusal(status: int, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    reason = {
        400: "Bad Request",
        408: "Request Timeout",
        413: "Content Too Large",
        503: "Service Unavailable",
    }[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


async def _serve_one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, config: FrontConfig
) -> None:
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    try:
        request, body, size = await _read_request(reader, writer, conn, config)
        with body:
            await _forward(request, body, size, writer.get_extra_info("peername"), writer, config)
    except Refused as exc:
        writer.write(_refusal(exc.status, exc.code, exc.message))
    except h11.RemoteProtocolError as exc:
        writer.write(_refusal(400, "bad_request", f"Malformed request: {exc}"))
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError, TimeoutError):
            await asyncio.wait_for(writer.drain(), IDLE_TIMEOUT_S)
        writer.close()


async def serve(
    config: FrontConfig, stop: asyncio.Event, sock: socket.socket | None = None
) -> None:
    """Accept connections (on ``sock``, or on the configured address) until ``stop`` is set."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_one(reader, writer, config)

    if sock is not None:
        server = await asyncio.start_server(handle, sock=sock, limit=RELAY_CHUNK)
    else:
        server = await asyncio.start_server(
            handle, config.host, config.port, backlog=2048, reuse_address=True, limit=RELAY_CHUNK
        )
    async with server:
        await stop.wait()


async def _main(config: FrontConfig, sock: socket.socket) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    parent = os.getppid()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async def watch_parent() -> None:  # the supervisor also sends a death signal
        while os.getppid() == parent:
            await asyncio.sleep(1.0)
        stop.set()

    watcher = asyncio.create_task(watch_parent())
    await serve(config, stop, sock)
    watcher.cancel()


def run_front(*, fd: int, backend: str, max_body_bytes: int, spool_dir: str) -> None:
    """Serve on the listening socket ``fd`` (opened by the supervisor) until SIGTERM."""
    sock = socket.socket(fileno=fd)
    sock.setblocking(False)
    host, port = sock.getsockname()[:2]
    os.makedirs(spool_dir, exist_ok=True)
    asyncio.run(_main(FrontConfig(host, port, backend, max_body_bytes, spool_dir), sock))
