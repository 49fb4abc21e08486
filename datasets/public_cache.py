"""Bounded memories: the portal's one cache class, and the public views' stamp check on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from cachetools import Cache, LRUCache, TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class BoundedCache(Generic[K, V]):
    """Remember at most ``size`` values (the least recently used go first), each for at
    most ``seconds`` when given. Thread-safe: every access holds one lock.

    With ``sizeof``, ``size`` bounds the sum of ``sizeof(value)`` (bytes, say) instead of
    the number of values; a value larger than ``size`` is not remembered.
    """

    def __init__(
        self,
        size: int,
        seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sizeof: Callable[[V], int] | None = None,
    ) -> None:
        self._items: Cache[K, V] = (
            TTLCache(size, seconds, timer=clock, getsizeof=sizeof)
            if seconds
            else LRUCache(size, getsizeof=sizeof)
        )
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the value remembered for ``key``, or None."""
        with self._lock:
            value: V | None = self._items.get(key)
        return value

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """Return the values remembered for ``keys`` (those it has), under one lock."""
        found: dict[K, V] = {}
        with self._lock:
            items = self._items
            for key in keys:
                try:  # one lookup (``get`` asks twice); an expired entry is a KeyError too
                    found[key] = items[key]
                except KeyError:
                    continue
        return found

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key`` (the oldest entry goes when the cache is full)."""
        with self._lock:
            try:
                self._items[key] = value
            except ValueError:  # larger than the whole cache (``sizeof``): not remembered
                self._items.pop(key, None)

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

    Thread-safe; holds at most ``size`` entries (least recently used go first). Each entry
    carries its own deadline (one clock reading per call, however many keys it asks for).
    """

    def __init__(
        self, seconds: float, size: int = 2000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._clock = clock
        self._items: BoundedCache[str, tuple[float, tuple[object, ...], T]] = BoundedCache(size)

    def get(self, key: str, stamp: tuple[object, ...]) -> T | None:
        """Return the value remembered for ``key`` with this ``stamp``, or None."""
        return self.get_many({key: stamp}).get(key)

    def get_many(self, stamps: Mapping[str, tuple[object, ...]]) -> dict[str, T]:
        """Return the values remembered for these keys with these stamps (one lock)."""
        now = self._clock()
        found: dict[str, T] = {}
        for key, (deadline, remembered, value) in self._items.get_many(stamps).items():
            if now < deadline and remembered == stamps[key]:
                found[key] = value
            else:
                self._items.pop(key)
        return found

    def put(self, key: str, stamp: tuple[object, ...], value: T) -> None:
        """Remember ``value`` for ``key`` at ``stamp``."""
        self._items.put(key, (self._clock() + self._seconds, stamp, value))
