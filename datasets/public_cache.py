"""Bounded memories: the portal's one cache class, and the public views' stamp check on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import Cache, LRUCache, TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class BoundedCache(Generic[K, V]):
    """Remember at most ``size`` values (the least recently used go first), each for at
    most ``seconds`` when given. Thread-safe: every access holds one lock."""

    def __init__(
        self, size: int, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: Cache[K, V] = (
            TTLCache(size, seconds, timer=clock) if seconds else LRUCache(size)
        )
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the value remembered for ``key``, or None."""
        with self._lock:
            value: V | None = self._items.get(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key`` (the oldest entry goes when the cache is full)."""
        with self._lock:
            self._items[key] = value

    def pop(self, key: K) -> V | None:
        """Return and forget the value remembered for ``key``, or None."""
        with self._lock:
            value: V | None = self._items.pop(key, None)
        return value

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """Return the value remembered for ``key`` (None included), else build and remember
        it; ``build`` runs outside the lock (two threads may both build on a miss)."""
        with self._lock:
            try:
                found: V = self._items[key]
            except KeyError:
                pass
            else:
                return found
        value = build()
        self.put(key, value)
        return value


class ViewCache(Generic[T]):
    """Remember values by key for ``seconds``, valid only while their stamp is the same.

    Thread-safe; holds at most ``size`` entries (least recently used go first).
    """

    def __init__(
        self, seconds: float, size: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: BoundedCache[str, tuple[tuple[object, ...], T]] = BoundedCache(
            size, seconds, clock
        )

    def get(self, key: str, stamp: tuple[object, ...]) -> T | None:
        """Return the value remembered for ``key`` with this ``stamp``, or None."""
        item = self._items.get(key)
        if item is None:
            return None
        remembered, value = item
        if remembered != stamp:
            self._items.pop(key)
            return None
        return value

    def put(self, key: str, stamp: tuple[object, ...], value: T) -> None:
        """Remember ``value`` for ``key`` at ``stamp``."""
        self._items.put(key, (stamp, value))
