"""`opendata serve` runs queued jobs itself: the embedded consumer really processes the queue."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.server import start_embedded_jobs
from datasets.queue import HueyQueue, open_huey


def test_embedded_consumer_runs_queued_jobs_off_the_main_thread(tmp_path: Path) -> None:
    huey = open_huey(None, tmp_path)  # SQLite storage, as `opendata serve` uses by default
    done: list[str] = []
    queue = HueyQueue(huey, {"note": lambda payload: done.append(str(payload["text"]))})
    queue.enqueue("note", {"text": "Đã xử lý"})
    assert done == [] and queue.pending_count() == 1  # queued, not run inline

    errors: list[BaseException] = []

    def start() -> None:
        try:
            consumers.append(start_embedded_jobs(huey))
        except BaseException as exc:  # a failure here is the bug this test guards
            errors.append(exc)

    consumers: list[object] = []
    thread = threading.Thread(target=start)  # not the main thread, like under gunicorn
    thread.start()
    thread.join(10)
    deadline = time.monotonic() + 15
    while not done and time.monotonic() < deadline:
        time.sleep(0.1)
    for consumer in consumers:
        consumer.stop(graceful=True)
    assert errors == []
    assert done == ["Đã xử lý"]
    assert queue.pending_count() == 0
