"""How far the processing of a resource version has got, readable by any process.

The job that processes an upload runs in a worker (or the server's embedded consumer) and
holds its database transaction until the end; the page the publisher watches asks another
process. So progress is a small JSON file per version in a folder both see (the data
directory), replaced atomically, written at most every ``interval`` seconds and removed when
the processing ends. A missing or unreadable file only means "no progress to show".

With several servers (a ``redis_url``), the job and the page may run on different machines:
progress is then a Redis key per version instead of a file, expiring after an hour.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["STAGES", "Progress", "ProgressBoard"]

# In order: read and convert the upload, validate the rows, look for personal data, write
# the stripped public file.
STAGES = ("normalizing", "validating", "scanning", "stripping")
REDIS_SECONDS = 3600  # a Redis progress key outlives no processing by more than this


@dataclass(frozen=True)
class Progress:
    """A stage of STAGES, with rows done out of rows in all when the stage counts rows."""

    stage: str
    rows_done: int | None = None
    rows_total: int | None = None
    updated_at: float = 0.0

    @property
    def percent(self) -> int | None:
        if self.rows_done is None or not self.rows_total:
            return None
        return max(0, min(100, self.rows_done * 100 // self.rows_total))

    def to_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "stage_number": STAGES.index(self.stage) + 1,
            "stages": len(STAGES),
            "rows_done": self.rows_done,
            "rows_total": self.rows_total,
            "percent": self.percent,
        }


class ProgressBoard:
    """Progress files under ``root``, one per version id being processed."""

    def __init__(self, root: Path, *, interval: float = 0.5, redis_url: str = "") -> None:
        self._root = root
        self._interval = interval
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=2, socket_connect_timeout=2
            )

    @staticmethod
    def _key(version_id: str) -> str:
        return f"opendata:progress:{version_id}"

    def _path(self, version_id: str) -> Path:
        if not version_id or not all(c.isalnum() or c in "-_" for c in version_id):
            raise ValueError("bad version id")
        return self._root / f"{version_id}.json"

    def update(
        self,
        version_id: str,
        stage: str,
        rows_done: int | None = None,
        rows_total: int | None = None,
    ) -> None:
        """Record the stage (and rows); never raises for a failed write (progress is a hint)."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        path = self._path(version_id)
        body = {"stage": stage, "rows_done": rows_done, "rows_total": rows_total, "at": time.time()}
        if self._redis is not None:
            self._redis_call("set", self._key(version_id), json.dumps(body), ex=REDIS_SECONDS)
            return
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._root, prefix=".progress-")
        except OSError:
            return
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(body, stream)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)

    def rows_reporter(
        self, version_id: str, stage: str, total: int | None
    ) -> Callable[[int], None]:
        """Return a callback taking rows done, writing at most every ``interval`` seconds."""
        last = [0.0]

        def report(rows_done: int) -> None:
            now = time.monotonic()
            if now - last[0] >= self._interval:
                last[0] = now
                self.update(version_id, stage, rows_done, total)

        self.update(version_id, stage, 0, total)
        return report

    def _redis_call(self, name: str, *args: object, **kwargs: object) -> object:
        from redis import RedisError

        try:
            return getattr(self._redis, name)(*args, **kwargs)
        except RedisError:
            return None

    def _body(self, version_id: str) -> str | bytes:
        if self._redis is None:
            return self._path(version_id).read_text(encoding="utf-8")
        self._path(version_id)  # the same check of the id
        found = self._redis_call("get", self._key(version_id))
        if not isinstance(found, bytes):
            raise ValueError("no progress")
        return found

    def read(self, version_id: str) -> Progress | None:
        try:
            body = json.loads(self._body(version_id))
            stage = body["stage"]
            if stage not in STAGES:
                return None
            return Progress(
                stage=stage,
                rows_done=_count(body.get("rows_done")),
                rows_total=_count(body.get("rows_total")),
                updated_at=float(body.get("at") or 0.0),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def clear(self, version_id: str) -> None:
        if self._redis is not None:
            if version_id and all(c.isalnum() or c in "-_" for c in version_id):
                self._redis_call("delete", self._key(version_id))
            return
        try:
            self._path(version_id).unlink(missing_ok=True)
        except (OSError, ValueError):
            return


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
