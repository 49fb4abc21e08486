"""Stream an export (``datasets.conversions.export_rows``) as an HTTP response body.

``export_rows`` writes to a file; here it runs in a worker thread writing into a bounded
queue that the response generator drains, so memory stays flat and a client that stops
reading stops the export.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from datasets.conversions import export_rows
from datasets.datastore import DatastoreField

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
_DONE = object()


class _Cancelled(Exception):
    pass


class _QueueWriter(io.RawIOBase):
    """A write-only, non-seekable file whose bytes go to a queue in 64 KiB chunks."""

    def __init__(self, chunks: queue.Queue[object], cancelled: threading.Event) -> None:
        super().__init__()
        self._chunks = chunks
        self._cancelled = cancelled
        self._buffer = bytearray()
        self._position = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def write(self, data: Any) -> int:
        if self._cancelled.is_set():
            raise _Cancelled
        view = memoryview(data).cast("B")
        self._buffer += view
        self._position += len(view)
        if len(self._buffer) >= CHUNK:
            self._send()
        return len(view)

    def _send(self) -> None:
        while not self._cancelled.is_set():
            try:
                self._chunks.put(bytes(self._buffer), timeout=0.5)
                break
            except queue.Full:
                continue
        self._buffer.clear()

    def finish(self) -> None:
        """Send what is left in the buffer."""
        if self._buffer:
            self._send()


Writer = Callable[[Sequence[DatastoreField], Iterable[Sequence[Any]], BinaryIO], object]


def stream_export(
    fields: Sequence[DatastoreField],
    rows: Callable[[], Iterable[Sequence[Any]]],
    fmt: str,
    writer: Writer | None = None,
) -> Iterator[bytes]:
    """Yield the bytes of ``rows()`` exported as ``fmt``; ``rows`` runs in the worker thread.

    ``writer`` replaces ``export_rows`` for formats it does not write (GeoJSON).
    """
    chunks: queue.Queue[object] = queue.Queue(maxsize=16)
    cancelled = threading.Event()

    def work() -> None:
        out = _QueueWriter(chunks, cancelled)
        try:
            # _QueueWriter is a RawIOBase, not typing.BinaryIO; the writers only call write().
            if writer is not None:
                writer(fields, rows(), out)  # type: ignore[arg-type]
            else:
                export_rows(fields, rows(), fmt, out)  # type: ignore[arg-type]
            out.finish()
            chunks.put(_DONE)
        except _Cancelled:
            return
        except Exception:
            log.exception("export failed", extra={"format": fmt})
            chunks.put(_DONE)  # the client sees a truncated body, never a half-written lie

    thread = threading.Thread(target=work, name="export", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            assert isinstance(item, bytes)
            yield item
    finally:
        cancelled.set()
        while thread.is_alive():
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                continue
