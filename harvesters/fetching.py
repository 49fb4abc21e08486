"""Fetch the next datasets of a job in threads while the job's thread imports earlier ones.

A fetch is network and file work (the listing's metadata, the resource downloads into the
item's scratch folder): it touches neither the database nor anything stored. Sources whose
``fetch`` is safe to call from several threads at once say so with a true
``concurrent_fetch`` attribute (CKAN, DCAT and data.json sources: after ``gather`` they only
read their listing and download through the thread-safe guarded session); the others are
fetched in the job's thread, when their turn comes, as before.

Results are taken in the listing's order, so the import order, the report and every
retry, strip and policy step stay the same; only the waiting for the network overlaps.
Fetched files are removed by the caller (``take``) or by ``close`` (those never taken).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from harvesters.base import HarvestSource, RemoteRecord, RemoteRef
from harvesters.errors import HarvestError

# Downloads in flight beside the job's thread: enough to hide a slow source's latency, few
# enough that a source is not hammered (CKAN instances throttle busy clients).
FETCH_THREADS = 4


@dataclass
class Fetched:
    """A dataset's fetch: its scratch folder, then the record or the harvest error."""

    scratch: Path
    record: RemoteRecord | None = None
    attempts: int = 1
    error: HarvestError | None = None


FetchOne = Callable[[RemoteRef, Path], tuple[RemoteRecord, int]]


class Prefetcher:
    """Fetches ``refs`` in order, up to ``ahead`` of the one the job takes next."""

    def __init__(
        self,
        source: HarvestSource,
        refs: Iterable[RemoteRef],
        fetch: FetchOne,
        scratch: Path,
        *,
        threads: int = FETCH_THREADS,
    ) -> None:
        self._fetch = fetch
        self._scratch = scratch
        concurrent = bool(getattr(source, "concurrent_fetch", False))
        self._pool = ThreadPoolExecutor(threads, "harvest-fetch") if concurrent else None
        self._ahead = 2 * threads
        self._waiting: deque[RemoteRef] = deque(refs)
        self._started: dict[str, Future[Fetched]] = {}

    def take(self, ref: RemoteRef) -> Fetched:
        """Return the fetch of ``ref`` (started now when it was not yet)."""
        self._fill()
        future = self._started.pop(ref.remote_id, None)
        if future is None:
            if self._waiting and self._waiting[0].remote_id == ref.remote_id:
                self._waiting.popleft()
            return self._run(ref)
        return future.result()

    def _fill(self) -> None:
        if self._pool is None:
            return
        while self._waiting and len(self._started) < self._ahead:
            ref = self._waiting.popleft()
            if ref.remote_id not in self._started:
                self._started[ref.remote_id] = self._pool.submit(self._run, ref)

    def _run(self, ref: RemoteRef) -> Fetched:
        fetched = Fetched(Path(tempfile.mkdtemp(dir=self._scratch, prefix="item-")))
        try:
            fetched.record, fetched.attempts = self._fetch(ref, fetched.scratch)
        except HarvestError as exc:
            fetched.error = exc
        except BaseException:  # a defect: raised where the result is taken, files removed
            # Best effort inside the job's scratch folder: the defect being raised matters more
            # than a clean-up error, which would replace it.
            shutil.rmtree(fetched.scratch, ignore_errors=True)
            raise
        return fetched

    def close(self) -> None:
        """Stop fetching; remove the files of fetches nobody took."""
        if self._pool is None:
            return
        for future in self._started.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        for future in self._started.values():
            if not future.cancelled() and future.exception() is None:
                # Best effort, as the runner's own clean-up: whatever is left sits in the job's
                # scratch folder, and closing must go on to the other fetches.
                shutil.rmtree(future.result().scratch, ignore_errors=True)
        self._started.clear()
