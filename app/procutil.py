"""Process titles and parent-death signals for the portal's processes (issue 14)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal

_PR_SET_PDEATHSIG = 1


def set_title(title: str) -> None:
    """Set the process title shown by ps/top (when setproctitle is installed)."""
    try:
        import setproctitle
    except ImportError:  # pragma: no cover - a pinned dependency
        return
    setproctitle.setproctitle(title)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (no orphans)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def lower_priority(increment: int) -> None:
    """Make this process (and its children) yield the CPU to the web processes."""
    with contextlib.suppress(OSError):
        os.nice(increment)


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight (``gc.freeze``).

    Call once a long-running process has built what it keeps for its life (modules, the
    app, catalogues): the collector then never walks those objects again, neither in its
    periodic full collections (pauses that show as slow requests) nor at exit, where a
    collection over the whole heap made each process take seconds to stop. In a process
    that forks, the children also stop writing to the pages they share with it.
    """
    gc.collect()
    gc.freeze()
