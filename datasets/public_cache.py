"""A bounded, time-limited memory of public views, checked against the dataset's stamp."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ViewCache(Generic[T]):
    """Remember values by key for ``seconds``, valid only while their stamp is the same.

    Thread-safe; holds at most ``size`` entries (least recently used go first).
    """

    def __init__(
        self, seconds: float, size: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._items: OrderedDict[str, tuple[tuple[object, ...], float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, stamp: tuple[object, ...]) -> T | None:
        """Return the value remembered for ``key`` with this ``stamp``, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            remembered, expires, value = item
            if remembered != stamp or expires < self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, stamp: tuple[object, ...], value: T) -> None:
        """Remember ``value`` for ``key`` at ``stamp``."""
        with self._lock:
            self._items[key] = (stamp, self._clock() + self._seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
