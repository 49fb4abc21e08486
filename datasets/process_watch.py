"""End a process when another one ends: job children and their helpers never outlive it."""

from __future__ import annotations

import os
import select
import signal
import threading


def die_with_process(pid: int) -> None:
    """End this process (SIGKILL) as soon as process ``pid`` ends, which need not be its parent.

    A job's child is forked by the fork server, not by the job process; when the job process
    is killed, its running jobs must end too (crash recovery queues their work again). A job's
    scan process ends with its job the same way. Linux only (``pidfd_open``); elsewhere it
    does nothing.
    """
    if not hasattr(os, "pidfd_open"):  # pragma: no cover - not Linux
        return

    def watch() -> None:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            os.kill(os.getpid(), signal.SIGKILL)
            return
        select.select([handle], [], [])  # readable when the process has ended
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name=f"die-with-{pid}", daemon=True).start()
