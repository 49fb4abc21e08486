"""The portal's one cache class: bounded, least recently used first, optionally timed."""

from __future__ import annotations

import threading

from datasets.public_cache import BoundedCache


def test_least_recently_used_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert cache.pop("a") == 1 and cache.get("a") is None and cache.pop("a") is None


def test_timed_entries_expire() -> None:
    now = [0.0]
    cache: BoundedCache[str, str] = BoundedCache(10, seconds=5, clock=lambda: now[0])
    cache.put("k", "v")
    now[0] = 4.0
    assert cache.get("k") == "v"
    now[0] = 6.0
    assert cache.get("k") is None


def test_get_or_build_builds_once_and_remembers_none() -> None:
    cache: BoundedCache[tuple[str, int], str | None] = BoundedCache(4)
    built: list[str] = []

    def build() -> None:
        built.append("x")

    assert cache.get_or_build(("a", 1), build) is None
    assert cache.get_or_build(("a", 1), build) is None
    assert built == ["x"]  # a remembered None is not built again


def test_threads_never_exceed_the_bound() -> None:
    cache: BoundedCache[int, int] = BoundedCache(50)

    def fill(start: int) -> None:
        for i in range(start, start + 2000):
            cache.put(i, i)
            cache.get(i - 1)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = [
        k
        for n in range(4)
        for k in range(n * 10_000, n * 10_000 + 2000)
        if cache.get(k) is not None
    ]
    assert 0 < len(kept) <= 50


def test_a_size_function_bounds_the_sum_of_sizes() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(10, sizeof=len)
    cache.put("a", b"1234")
    cache.put("b", b"5678")
    cache.put("c", b"90")  # 10 bytes in all: everything fits
    assert cache.get_many(["a", "b", "c", "d"]) == {"a": b"1234", "b": b"5678", "c": b"90"}
    cache.put("d", b"xyz")  # the least recently used go until it fits
    assert cache.get_many(["a", "b", "c", "d"]) == {"b": b"5678", "c": b"90", "d": b"xyz"}
    cache.put("e", b"x" * 11)  # larger than the whole cache: not remembered
    assert cache.get("e") is None and cache.get("d") == b"xyz"
