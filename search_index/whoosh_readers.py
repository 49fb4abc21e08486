"""Segment readers kept open across index generations.

A commit adds a segment and marks a few documents of older ones deleted; opening every
segment's files again for the new generation (terms, stored fields, columns) made the first
search after each commit several times slower than the next. Here each segment is opened once
per process and shared by the reader states of every generation that lists it: a generation
gets a light copy of each open reader that only carries its own deletions, and the files
are closed when the last state using the segment is closed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from whoosh.reading import EmptyReader, MultiReader, SegmentReader

_TOC_ATTEMPTS = 10


class SegmentReaders:
    """The open segment readers of one index (use under the index's lock)."""

    def __init__(self) -> None:
        self._open: dict[str, list[Any]] = {}  # segment id -> [SegmentReader, users]

    def reader(self, index: Any) -> tuple[Any, Callable[[], None]]:
        """Return a reader of the index's latest generation and the function releasing it."""
        for attempt in range(_TOC_ATTEMPTS):
            try:
                toc = index._read_toc()
                return self._assemble(index.storage, toc.schema, toc.segments, toc.generation)
            except FileNotFoundError:  # a commit in another process replaced the generation
                if attempt == _TOC_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises

    def _assemble(
        self, storage: Any, schema: Any, segments: list[Any], generation: int
    ) -> tuple[Any, Callable[[], None]]:
        taken: list[str] = []
        views = []
        try:
            for segment in segments:
                segid = segment.segment_id()
                entry = self._open.get(segid)
                if entry is None:
                    opened = SegmentReader(storage, schema, segment, generation=generation)
                    entry = self._open[segid] = [opened, 0]
                entry[1] += 1
                taken.append(segid)
                views.append(_view(entry[0], segment))
        except BaseException:
            self._release(taken)
            raise
        if not views:
            return EmptyReader(schema), lambda: None
        return MultiReader(views, generation=generation), lambda: self._release(taken)

    def _release(self, segids: list[str]) -> None:
        for segid in segids:
            entry = self._open.get(segid)
            if entry is None:  # closed with the index
                continue
            entry[1] -= 1
            if entry[1] == 0:
                del self._open[segid]
                entry[0].close()

    def close(self) -> None:
        """Close every open segment (the index is being closed)."""
        for opened, _ in self._open.values():
            opened.close()
        self._open.clear()


def _view(opened: Any, segment: Any) -> Any:
    """A reader sharing ``opened``'s files but seeing ``segment``'s deletions."""
    view = copy.copy(opened)
    view._segment = segment
    view._perdoc = copy.copy(opened._perdoc)
    view._perdoc._segment = segment
    return view
