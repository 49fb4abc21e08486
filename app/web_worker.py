"""gunicorn's threaded worker, keeping a busy keep-alive connection on its thread.

gunicorn's ``gthread`` worker hands every kept-alive connection back to its main thread after
each answer: the main thread registers the socket with its poller, wakes when the next
request arrives and queues the connection for a pool thread again; three thread hand-overs
a request, each taking the GIL. A client that sends its next request at once (an API
client paging through rows, a benchmark) paid them on every request.

``LingeringThreadWorker`` lets the thread that answered wait up to ``LINGER_S`` for the
connection's next request and answer it directly, while no other connection waits for a
thread (the pool's queue is empty), at most ``MAX_IN_A_ROW`` requests in a row before the
connection goes back to the poller, and never while the worker is stopping. A connection
that stays silent goes to the poller as before (its keep-alive timeout unchanged), so a
thread is held at most ``LINGER_S`` longer than before, and only when no one waits.
"""

from __future__ import annotations

import select
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

LINGER_S = 0.002
MAX_IN_A_ROW = 100


def _readable(sock: Any, seconds: float) -> bool:
    """Whether ``sock`` has data (or was closed) within ``seconds``."""
    poller = select.poll()
    try:
        poller.register(sock.fileno(), select.POLLIN)
    except (OSError, ValueError):  # closed meanwhile
        return False
    return bool(poller.poll(seconds * 1000))


class LingeringThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no type hints
    """``gthread`` answering a connection's next request on the same thread (see above)."""

    def _others_wait(self) -> bool:
        queue = getattr(self.tpool, "_work_queue", None)
        return queue is None or not queue.empty()  # unknown pool: never linger

    def handle(self, conn: Any) -> Any:
        result = super().handle(conn)
        for _ in range(MAX_IN_A_ROW):
            if result is not True or not self.alive or self._others_wait():
                break
            buffered = conn.parser is not None and conn.parser.unreader.buf.getvalue()
            if not buffered and not _readable(conn.sock, LINGER_S):
                break
            result = super().handle(conn)
        return result
