"""The embedded default search backend: a Whoosh index in a directory.

Whoosh stores the documents, the postings of accented, folded and bigram (phrase) fields, the
facet fields and the sort columns (``whoosh_fields``). Queries are evaluated on bitsets built
from those postings (``whoosh_search`` on ``whoosh_reader``): every word must match (folded, in
title, description or keywords), facets count every hit, and ranking sums weighted features
(accented and folded matches in the title, description and keywords, adjacent word pairs from
bigram terms of those and of the organization's title), which
Whoosh's own matchers could not do within the latency target at 100,000 documents
(BENCHMARKS.md).

Several processes may write: every write takes an ``fcntl`` lock on a file in the index
directory, and readers check the index generation on each search and reopen when it changed.

An index built by an older version (without a field this one writes) is ``outdated``: it still
answers searches, takes no new documents, and start-up rebuilds it (``replace_all``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from whoosh import index as whoosh_index

from search_index.documents import SearchDocument, SearchPage, SearchQuery
from search_index.errors import SearchConfigError, SearchError, SearchUnavailable
from search_index.text import QueryText
from search_index.whoosh_bulk import DOCS_PER_SEGMENT, build
from search_index.whoosh_fields import INDEX_NAME, build_schema, document_fields
from search_index.whoosh_reader import ReaderState, SegmentCache
from search_index.whoosh_readers import SegmentReaders
from search_index.whoosh_search import WORD_FIELDS, search_state
from search_index.whoosh_store import (
    current_folder,
    has_pointer,
    new_generation,
    point_to,
    remove_replaced,
)

_LOCK_FILE = ".opendata-writer.lock"
# Words of the readiness probe: common in the catalog, so postings are read.
_PING_TEXT = "dữ liệu thành phố"
_LOCK_TIMEOUT_S = 60.0
# The fields this version writes: an index without one of them was built by an older version.
_FIELDS = frozenset(build_schema().names())
OUTDATED = "the search index was built by an older version: run `opendata index rebuild`"

log = logging.getLogger(__name__)


class WhooshIndex:
    """A ``SearchIndex`` in a local directory, shared safely by several processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()  # lends reader states; held only for moments
        self._write_lock = threading.Lock()  # one writer per process (fcntl: per index)
        self._caches: dict[str, SegmentCache] = {}
        # Segment readers shared by the states of successive generations, and their guard.
        self._segments = SegmentReaders()
        self._guard = threading.RLock()
        self._state: ReaderState | None = None
        self._index: Any = None
        self._stamp: tuple[int, int] | None = None
        self._outdated = False
        # Documents a segment of a rebuild holds (``whoosh_bulk``): bounds its memory.
        self.segment_docs = DOCS_PER_SEGMENT
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not self._has_index():
                with self._writer_lock():
                    if not self._has_index():
                        whoosh_index.create_in(self.path, build_schema(), INDEX_NAME)
        except OSError as exc:
            raise SearchUnavailable(f"cannot open the search index: {exc.strerror}") from exc
        try:
            self._refresh()
        except SearchUnavailable:
            # A damaged index must not stop the process: searches and /readyz report it,
            # and ``replace_all`` (``opendata index rebuild``) builds a new one beside it.
            log.warning("the search index cannot be opened", exc_info=True)

    # -- where the index lives (see ``whoosh_store``) ---------------------------------------

    def _has_index(self) -> bool:
        """Whether the folder holds an index (even a damaged one: it is never overwritten)."""
        return has_pointer(self.path) or any(self.path.glob(f"_{INDEX_NAME}_*.toc"))

    def _refresh(self) -> None:
        """Open the index ``CURRENT`` points at when it is not the one open (under _lock)."""
        with self._lock:
            directory, stamp = current_folder(self.path)
            if self._index is not None and stamp == self._stamp:
                return
            index, names = _open_with_schema(directory)
            old_index, old_state = self._index, self._state
            self._index, self._stamp, self._state = index, stamp, None
            self._outdated = not _FIELDS.issubset(names)
            self._caches = {}
            if old_state is not None:
                self._retire(old_state)  # closed by its last reader
            if old_index is not None:
                old_index.close()

    @classmethod
    def from_url(cls, url: str) -> WhooshIndex:
        """Open ``whoosh:///absolute/path`` (or ``whoosh://relative/path``), creating it."""
        parts = urlsplit(url)
        if parts.scheme != "whoosh":
            raise SearchConfigError(f"not a whoosh URL (scheme {parts.scheme!r})")
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise SearchConfigError("the whoosh search URL names no directory")
        return cls(Path(path))

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Hold the index's writer lock, shared by every process and thread."""
        with self._write_lock, open(self.path / _LOCK_FILE, "a+b") as handle:
            deadline = time.monotonic() + _LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SearchUnavailable("the search index stayed locked") from None
                    time.sleep(0.01)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _write(self, action: Callable[[Any], int]) -> int:
        with self._writer_lock():
            self._refresh()
            try:
                writer = self._index.writer(limitmb=256)
            except OSError as exc:
                raise SearchUnavailable("cannot write the search index") from exc
            try:
                count = action(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return count

    def upsert(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id; visible to every process's next search."""

        def add(writer: Any) -> int:
            if self._outdated:
                raise SearchUnavailable(OUTDATED)
            count = 0
            for doc in documents:
                writer.update_document(**document_fields(doc))
                count += 1
            return count

        self._write(add)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

        def remove(writer: Any) -> int:
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)
            return 0

        self._write(remove)

    def replace_all(self, documents: Iterable[SearchDocument]) -> int:
        """Build a new index beside the current one and swap it in atomically.

        Works whatever state the current index is in (damaged, truncated, emptied): the
        old one is only read by searches until the swap, then removed. Writers of other
        processes wait on the writer lock meanwhile and write to the new index after it.
        """
        with self._writer_lock():
            generation = new_generation(self.path)
            try:
                generation.mkdir()
                whoosh_index.create_in(generation, build_schema(), INDEX_NAME).close()
                # Segments written at once, on both cores (``whoosh_bulk``): no posting pool.
                count = build(generation, documents, self.segment_docs)
                point_to(self.path, generation)
            except BaseException:
                shutil.rmtree(generation, ignore_errors=True)
                raise
            self._refresh()
            remove_replaced(self.path, generation.name, keep=(_LOCK_FILE,))
        return count

    def outdated(self) -> bool:
        """True when the index was built without a field this version writes (an upgrade
        added it): start-up rebuilds it (``replace_all``); until then it takes no documents.
        """
        with self._lock:
            self._refresh()
            return self._outdated

    # -- reading ---------------------------------------------------------------------------

    def _current(self) -> ReaderState:
        """Return the reader state of the latest generation, reopening when it changed.

        Called with ``self._lock`` held. A replaced state is closed by its last reader.
        """
        self._refresh()
        state = self._state
        try:
            latest = self._index.latest_generation()
            if state is None or state.generation != latest:
                reader, release = self._segments.reader(self._index)
                fresh = ReaderState(reader, self._caches, self._guard, release)
                if state is not None:
                    self._retire(state)
                self._state = state = fresh
        except SearchError:
            raise
        except Exception as exc:  # OSError, or what a damaged file makes Whoosh raise
            raise SearchUnavailable(f"cannot read the search index: {exc!r}") from exc
        return state

    def _retire(self, state: ReaderState) -> None:
        state.retired = True
        if state.readers == 0:
            state.close()

    @contextmanager
    def _reading(self, fresh: bool = False) -> Iterator[ReaderState]:
        """Lend the current reader state for one search; the lock is held only to lend it.

        Searches run side by side on the same state (``ReaderState`` guards its own caches),
        so a long search never makes the others wait; ``fresh`` drops the current state first.
        """
        with self._lock:
            if fresh and self._state is not None:
                self._retire(self._state)
                self._state = None
            state = self._current()
            state.readers += 1
        try:
            yield state
        finally:
            with self._lock:
                state.readers -= 1
                if state.retired and state.readers == 0:
                    state.close()

    def count(self) -> int:
        """Return how many documents the index holds."""
        with self._reading() as state:
            return int(state.doc_count())

    def ping(self) -> None:
        """Run a real query; raise ``SearchUnavailable`` when the index cannot answer it.

        The query runs on this process's reader, and a fresh reader (no cached postings)
        also reads the table of contents, the term dictionaries, the first block of the
        probe words' postings and stored fields: a damaged segment file is found even while warm
        caches would still hide it.
        """
        with self._lock:
            probe = SearchQuery(text=_PING_TEXT, limit=1, facets=(), highlight=True)
            try:
                search_state(self._current(), probe)
                state = ReaderState(self._index.reader(), {})
                try:
                    last = state.reader.doc_count_all() - 1
                    for doc in {0, last} if last >= 0 else ():
                        state.stored(doc)
                    reader = state.reader
                    for field in WORD_FIELDS:  # the first block of each probe word's postings
                        for word in QueryText(_PING_TEXT).folded:
                            if (field, word) in reader:
                                reader.postings(field, word).id()
                finally:
                    state.close()
            except SearchError:
                raise
            except Exception as exc:
                raise SearchUnavailable(f"the search index cannot be read: {exc!r}") from exc

    def close(self) -> None:
        """Release open files; the object must not be used afterwards."""
        with self._lock:
            if self._state is not None:
                self._retire(self._state)
                self._state = None
            if self._index is not None:
                self._index.close()
                self._index = None
            self._segments.close()

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits matching every word of ``query.text``, with facet counts."""
        try:
            with self._reading() as state:
                return search_state(state, query)
        except SearchError:
            raise
        except Exception:
            # A merge in another process may have removed files this reader had not
            # opened yet: reopen once on the latest generation.
            try:
                with self._reading(fresh=True) as state:
                    return search_state(state, query)
            except SearchError:
                raise
            except Exception as exc:  # a damaged file: Whoosh raises many kinds
                raise SearchUnavailable(f"cannot read the search index: {exc!r}") from exc


def index_size_bytes(path: Path) -> int:
    """Return the bytes used by the files of the index directory."""
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())


def _open_with_schema(directory: Path) -> tuple[Any, set[str]]:
    """Open the index in ``directory`` and read its field names.

    Whoosh reads the table of contents of the newest generation each time the schema is
    asked for; a writer in another process that commits meanwhile deletes that file. Such a
    race (``FileNotFoundError``) opens the newer generation instead, a few times at most.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            index = whoosh_index.open_dir(directory, INDEX_NAME)
            return index, set(index.schema.names())
        except FileNotFoundError as exc:  # a concurrent commit replaced the generation
            if attempt == _OPEN_ATTEMPTS - 1:
                raise SearchUnavailable(f"cannot open the search index: {exc}") from exc
        except Exception as exc:  # Whoosh raises many kinds for a damaged table of contents
            raise SearchUnavailable(f"cannot open the search index: {exc}") from exc
    raise AssertionError("unreachable")  # the loop returns or raises


_OPEN_ATTEMPTS = 5
