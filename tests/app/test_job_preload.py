"""The job fork server's heap is frozen before any job's child is forked (issue 24).

A child's full garbage collections then never walk the ~250,000 objects the fork server
preloaded (Frictionless, pyarrow, SQLAlchemy, the place catalogue): each upload's
processing paid that walk at least once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc
import multiprocessing


def report(queue):
    queue.put((gc.get_freeze_count(), len(gc.get_objects())))


if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["app.services", "app.jobs", "app.job_preload"])
    queue = context.Queue()
    child = context.Process(target=report, args=(queue,))
    child.start()
    frozen, tracked = queue.get(timeout=300)
    child.join()
    print(frozen, tracked)
"""


def test_job_children_start_with_the_preloaded_heap_frozen(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=True
    )
    frozen, tracked = map(int, done.stdout.split())
    # The portal's modules and the catalogue are frozen; what the child tracks is its own.
    assert frozen > 100_000, done.stdout
    assert tracked < frozen / 4, done.stdout
