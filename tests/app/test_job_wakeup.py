"""An idle job process takes a job the moment it is queued (issue 24), not at its next poll.

Real parts: a SQLite Huey queue in a temporary folder, Huey's consumer with its thread
workers, datagram sockets between the queueing side and the consumer.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from app.jobs import woken_consumer
from datasets.queue import HueyQueue, Wakeup, open_huey


def test_notify_sets_the_listeners_event_and_forgets_processes_gone(tmp_path: Path) -> None:
    wakeup = Wakeup(tmp_path / "wake")
    woken = wakeup.listen()
    assert not woken.is_set()
    # A job process that has ended: its file stays, nothing listens any more.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    stale = wakeup.folder / gone.stdout.strip()
    stale.touch()

    Wakeup(tmp_path / "wake").notify()  # another process's view of the same folder

    assert woken.wait(30)
    assert not stale.exists()
    assert sorted(p.name for p in wakeup.folder.iterdir()) == [str(_own_pid())]


def test_notify_without_listeners_does_nothing(tmp_path: Path) -> None:
    Wakeup(tmp_path / "absent").notify()  # no folder: no error
    (tmp_path / "empty").mkdir()
    Wakeup(tmp_path / "empty").notify()
    assert list((tmp_path / "empty").iterdir()) == []


def test_an_idle_worker_takes_a_queued_job_without_waiting_for_its_poll(tmp_path: Path) -> None:
    huey = open_huey(None, tmp_path, create=True)
    ran: list[dict[str, Any]] = []
    done = threading.Event()

    def handler(payload: Any) -> None:
        ran.append(dict(payload))
        done.set()

    wakeup = Wakeup(tmp_path / "run" / "wake")
    queue = HueyQueue(huey, {"job": handler}, wakeup)
    consumer = woken_consumer(queue, 2)
    for worker, _thread in consumer.worker_threads:
        # Idle for an hour: without a wake-up the job would wait for that poll.
        worker.delay = worker.max_delay = 3600
    runner = threading.Thread(target=consumer.run, daemon=True)
    # Huey's consumer installs signal handlers, which only the main thread may do.
    consumer._set_signal_handlers = lambda: None
    runner.start()
    try:
        assert not done.wait(0.5)  # the workers are asleep
        queue.enqueue("job", {"version_id": "v1"})
        assert done.wait(60), "the queued job did not wake a worker"
        assert ran == [{"version_id": "v1"}]
    finally:
        consumer.stop(graceful=True)
        runner.join(30)
    assert not runner.is_alive()  # sleeping workers saw the stop


def test_enqueue_in_immediate_mode_sends_no_wake_up(tmp_path: Path) -> None:
    huey = open_huey(None, tmp_path, immediate=True)
    wakeup = Wakeup(tmp_path / "wake")
    woken = wakeup.listen()
    queue = HueyQueue(huey, {"job": lambda payload: None}, wakeup)
    queue.enqueue("job", {})
    assert not woken.wait(0.5)


def _own_pid() -> int:
    import os

    return os.getpid()
