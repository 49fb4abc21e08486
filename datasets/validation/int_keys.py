"""Integer keys out of order for ``keys.KeyMemory``: a dict that spills to sorted NumPy
arrays in files, behind a fixed-size Bloom filter (``Bloom``, used by the other stores too).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Bloom", "IntStore"]

_BLOOM_BITS = 25  # 2**25 bits = 4 MiB: about 0.35 % false positives at a million keys
# Two odd 64-bit multipliers (from the golden ratio and from sqrt(3)) spread Python's hashes,
# which are the integers themselves for integer keys, over the filter's bits.
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBB67AE8584CAA73B))


class Bloom:
    """A fixed-size Bloom filter over Python hashes (two bit positions per key)."""

    def __init__(self) -> None:
        self._bits = np.zeros(1 << (_BLOOM_BITS - 3), dtype=np.uint8)

    def _positions(self, keys: Sequence[Any]) -> tuple[Any, Any]:
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        mixed = hashes.view(np.uint64)
        shift = np.uint64(64 - _BLOOM_BITS)
        return (mixed * _MIX[0]) >> shift, (mixed * _MIX[1]) >> shift

    def add(self, keys: Sequence[Any]) -> None:
        for position in self._positions(keys):
            np.bitwise_or.at(self._bits, position >> np.uint64(3), _masks(position))

    def maybe_held(self, keys: list[Any]) -> list[int]:
        """Return the indexes of the keys that may have been added (the others were not)."""
        held = np.ones(len(keys), dtype=bool)
        for position in self._positions(keys):
            held &= (self._bits[position >> np.uint64(3)] & _masks(position)) != 0
        return list(np.flatnonzero(held).tolist())


def _masks(position: Any) -> Any:
    return np.left_shift(np.uint8(1), (position & np.uint64(7)).astype(np.uint8))


class IntStore:
    """Integer keys out of order: a dict up to ``spill_at`` keys, then sorted arrays in files.

    Each spill writes the dict as two int64 arrays sorted by key (``.npy`` files in a private
    temporary folder, memory-mapped back), and adds its keys to a fixed 4 MiB Bloom filter, so
    keys never seen (nearly all of them) cost no search. A key is searched in the newest file
    first: a later spill holds a later row.
    """

    def __init__(self, spill_at: int) -> None:
        self._spill_at = spill_at
        self._memory: dict[int, int] = {}
        self._files: list[tuple[Any, Any]] = []
        self._bloom: Bloom | None = None
        self._folder: Path | None = None

    @property
    def on_disk(self) -> bool:
        return bool(self._files)

    def __len__(self) -> int:
        return len(self._memory) + sum(len(keys) for keys, _ in self._files)

    def find(self, keys: list[int]) -> dict[int, int]:
        memory = self._memory
        found = {key: memory[key] for key in keys if key in memory} if memory else {}
        if self._bloom is None or not keys:
            return found
        candidates = [keys[i] for i in self._bloom.maybe_held(keys) if keys[i] not in found]
        if not candidates:
            return found
        probe = np.array(candidates, dtype=np.int64)
        pending = np.ones(len(probe), dtype=bool)
        for sorted_keys, rows in reversed(self._files):
            at = np.minimum(np.searchsorted(sorted_keys, probe), len(sorted_keys) - 1)
            hit = pending & (sorted_keys[at] == probe)
            for index in np.flatnonzero(hit).tolist():
                found[candidates[index]] = int(rows[at[index]])
            pending &= ~hit
            if not pending.any():
                break
        return found

    def record(self, keys: list[int], numbers: list[int]) -> None:
        self._memory.update(zip(keys, numbers, strict=True))
        if len(self._memory) > self._spill_at:
            self._spill()

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="opendata-keys-"))
            self._bloom = Bloom()
        assert self._bloom is not None
        count = len(self._memory)
        keys = np.fromiter(self._memory.keys(), dtype=np.int64, count=count)
        rows = np.fromiter(self._memory.values(), dtype=np.int64, count=count)
        order = np.argsort(keys, kind="stable")
        stem = self._folder / f"spill-{len(self._files)}"
        np.save(f"{stem}-keys.npy", keys[order])
        np.save(f"{stem}-rows.npy", rows[order])
        self._files.append(
            (np.load(f"{stem}-keys.npy", mmap_mode="r"), np.load(f"{stem}-rows.npy", mmap_mode="r"))
        )
        self._bloom.add(list(self._memory))
        self._memory = {}

    def close(self) -> None:
        self._files, self._memory, self._bloom = [], {}, None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)  # a private temp folder: best effort
            self._folder = None
