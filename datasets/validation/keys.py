"""What unique and primary-key checks remember, in bounded memory.

Frictionless remembers, per unique field and for the primary key, the row of the last
occurrence of every value in a dict: a million-row table with a key holds a million cast
values in memory. ``KeyMemory`` keeps integer keys that come in increasing order (id
columns) as runs of consecutive keys, a few numbers whatever the length, and every other key
in a dict up to ``SPILL_KEYS`` keys,
then moves it to a private temporary SQLite database on disk (SQLite's page cache is a
couple of megabytes) with a fixed-size Bloom filter in front of it, so memory stays flat
whatever the file's length and keys never seen before (nearly all of them) cost no query.

On disk a key is stored under a canonical SQLite value that is equal for two values exactly
when Python says they are equal (``1 == 1.0 == Decimal("1.00") == True``, aware datetimes by
their instant, tuples item by item): integers as INTEGER, strings as TEXT, everything else as a
BLOB of a canonical text. The Bloom filter hashes with Python's ``hash``, which is equal for
equal values by the same rule. So the findings are Frictionless' own. A value with no canonical
form (durations, aware times, objects) keeps the memory in the dict.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import islice
from operator import eq
from typing import Any

import numpy as np

from datasets.validation.int_keys import Bloom, IntStore

__all__ = ["SPILL_KEYS", "KeyMemory", "canonical_key"]

SPILL_KEYS = 100_000
_CHUNK = 5_000  # host parameters per lookup query
_MAX_RUNS = 50_000  # runs of increasing integer keys kept in memory (a few MB at most)
_INT64 = (-(2**63), 2**63 - 1)


class _NoCanonicalForm(Exception):
    """The value has no canonical form: it stays in the in-memory dict."""


_NEVER_EQUAL = None  # canonical_key() of NaN: not even equal to itself, never stored


def canonical_key(value: Any) -> int | str | bytes | None:
    """Return a SQLite value equal for equal values, or None for a value equal to nothing (NaN).

    Raises _NoCanonicalForm for values of types without one.
    """
    kind = type(value)
    if kind is str:
        text: str = value  # the exact type test narrows it (mypy does not see it)
        return text
    if kind is int and _INT64[0] <= value <= _INT64[1]:
        whole: int = value
        return whole
    if isinstance(value, bool | int | float | Decimal):
        return _number(Decimal(value))  # Decimal(float) is exact, as Python compares them
    if isinstance(value, str):
        return str(value)
    described = _text(value)
    return None if described is None else described.encode()


def _text(value: Any) -> str | None:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return "t" + value.isoformat()
        return "t" + value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date):
        return "d" + value.isoformat()
    if isinstance(value, time) and value.utcoffset() is None:
        return "h" + value.isoformat()
    if isinstance(value, tuple):
        parts = []
        for item in value:
            part = "\x00" if item is None else _part(item)
            if part is None:
                return _NEVER_EQUAL
            parts.append(part.replace("\\", "\\\\").replace("\x1f", "\\u"))
        return "(" + "\x1f".join(parts)
    raise _NoCanonicalForm(type(value).__name__)


def _part(item: Any) -> str | None:
    key = canonical_key(item)
    if key is None:
        return None
    if isinstance(key, bytes):
        return "b" + key.decode()
    if isinstance(key, int):
        return f"i{key}"
    return "s" + key


def _number(value: Decimal) -> int | bytes | None:
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # "n", "N" (NaN) or "F" (infinity)
        return _NEVER_EQUAL if value.is_nan() else (b"n-inf" if sign else b"ninf")
    text = "".join(map(str, digits)).lstrip("0")
    if not text:
        return 0  # every zero, -0 included
    stripped = text.rstrip("0")
    exponent += len(text) - len(stripped)
    if exponent >= 0 and len(stripped) + exponent <= 18:
        whole = int(stripped + "0" * exponent)
        return -whole if sign else whole  # an integer: stored as integer keys are
    return f"n{'-' if sign else ''}{stripped}e{exponent}".encode()


class KeyMemory:
    """The row number of the last occurrence of each key.

    Integer keys met in increasing order (an id column) are kept as runs of consecutive keys
    on consecutive rows: a few numbers for a whole column. Other integers (out of order or
    repeated; and the bools, floats and Decimals equal to one) go to an ``IntStore``, looked
    at before the runs: a key there was recorded after any run that holds it. Every other key
    goes to a ``_KeyStore``.
    """

    def __init__(self, spill_at: int | None = None, max_runs: int = _MAX_RUNS) -> None:
        self._store = _KeyStore(spill_at)
        self._ints = IntStore(SPILL_KEYS if spill_at is None else spill_at)
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._rows: list[int] = []  # row of each run's first key
        self._max_runs = max_runs
        self._runs_open = True

    @property
    def on_disk(self) -> bool:
        return self._store.on_disk or self._ints.on_disk

    def __len__(self) -> int:
        """Entries held (a key repeated after it was written away is counted twice)."""
        runs = sum(end - start + 1 for start, end in zip(self._starts, self._ends, strict=True))
        return len(self._store) + len(self._ints) + runs

    def find(self, keys: Iterable[Any]) -> dict[Any, int]:
        """Return the keys among ``keys`` seen before, with the row of their last occurrence."""
        keys = list(keys)
        if not keys:
            return {}
        if set(map(type, keys)) == {int}:
            low, high = min(keys), max(keys)
            if low >= _INT64[0] and high <= _INT64[1]:  # the usual integer key column
                return self._find_whole(keys, low, high)
        others: list[Any] = []
        wholes: dict[int, list[Any]] = {}
        for key in keys:
            whole = _as_int64(key)
            if whole is None:
                others.append(key)
            else:
                wholes.setdefault(whole, []).append(key)
        found = self._store.find(others) if others else {}
        for whole, row in self._find_whole(list(wholes)).items():
            for key in wholes[whole]:
                found[key] = row
        return found

    def _find_whole(
        self, wholes: list[int], least: int | None = None, most: int | None = None
    ) -> dict[int, int]:
        """``find`` of 64-bit integers (``least`` and ``most`` are their bounds, if known)."""
        found = self._ints.find(wholes)
        if not self._starts:
            return found
        low, high = self._starts[0], self._ends[-1]
        if (least is not None and least > high) or (most is not None and most < low):
            return found  # all beyond the runs (new ids): nothing to look up in them
        for whole in wholes:
            if low <= whole <= high and whole not in found:
                run = bisect_right(self._starts, whole) - 1
                if whole <= self._ends[run]:
                    found[whole] = self._rows[run] + whole - self._starts[run]
        return found

    def record(self, keys: Sequence[Any], numbers: Sequence[int]) -> None:
        """Remember each key at its row number (a later row replaces an earlier one)."""
        if not keys:
            return
        if self._runs_open and self._extends_last_run(keys, numbers):
            self._ends[-1] = keys[-1]
            return
        taken = self._record_runs(keys, numbers)
        rest_keys: list[Any] = []
        rest_numbers: list[int] = []
        int_keys: list[int] = []
        int_numbers: list[int] = []
        for key, number in zip(keys[taken:], numbers[taken:], strict=True):
            if self._runs_open and type(key) is int and (not self._ends or key > self._ends[-1]):
                if self._ends and key == self._ends[-1] + 1 and number == self._next_row():
                    self._ends[-1] = key
                    continue
                if len(self._starts) < self._max_runs:
                    self._starts.append(key)
                    self._ends.append(key)
                    self._rows.append(number)
                    continue
                self._runs_open = False  # too scattered for runs: the store takes the rest
            elif type(key) is not int:
                self._runs_open = False  # only integers in runs (1 == 1.0 == True otherwise)
            whole = _as_int64(key)
            if whole is None:
                rest_keys.append(key)
                rest_numbers.append(number)
            else:
                int_keys.append(whole)
                int_numbers.append(number)
        if rest_keys:
            self._store.record(rest_keys, rest_numbers)
        if int_keys:
            self._ints.record(int_keys, int_numbers)

    def fresh_run(self, keys: Sequence[Any], numbers: Sequence[int]) -> bool:
        """True when ``keys`` continue the last run, one integer after the other on rows one
        after the other, and no key is remembered outside the runs: then no key of them was
        seen before, and none repeats."""
        stray = len(self._ints) or len(self._store)
        return self._runs_open and not stray and self._extends_last_run(keys, numbers)

    def _record_runs(self, keys: Sequence[Any], numbers: Sequence[int]) -> int:
        """What the loop of ``record`` does with increasing integer keys, one stretch of
        consecutive keys on consecutive rows at a time (a batch with a few keys left out, a
        dirty file's, cost a Python loop over all its keys); returns how many keys it took
        (0 when the batch is not such keys)."""
        if not self._runs_open or set(map(type, keys)) != {int}:
            return 0
        try:
            whole = np.asarray(keys, dtype=np.int64)
            rows = np.asarray(numbers, dtype=np.int64)
        except OverflowError:  # beyond 64 bits: the loop decides
            return 0
        steps = np.diff(whole)
        if (len(steps) and steps.min() <= 0) or (self._ends and keys[0] <= self._ends[-1]):
            return 0
        breaks = np.flatnonzero((steps != 1) | (np.diff(rows) != 1)) + 1
        firsts = [0, *breaks.tolist()]
        lasts = [*(breaks - 1).tolist(), len(keys) - 1]
        for first, last in zip(firsts, lasts, strict=True):
            key, number = keys[first], numbers[first]
            if not (self._ends and key == self._ends[-1] + 1 and number == self._next_row()):
                if len(self._starts) >= self._max_runs:
                    return first  # the loop closes the runs from this key on
                self._starts.append(key)
                self._rows.append(number)
                self._ends.append(key)
            self._ends[-1] = keys[last]
        return len(keys)

    def _next_row(self) -> int:
        return self._rows[-1] + self._ends[-1] - self._starts[-1] + 1

    def _extends_last_run(self, keys: Sequence[Any], numbers: Sequence[int]) -> bool:
        """Whether the batch continues the last run exactly (the usual id column), cheaply."""
        if not self._ends or type(keys[0]) is not int or keys[0] != self._ends[-1] + 1:
            return False
        if numbers[0] != self._next_row():
            return False
        size = len(keys)
        first, row = keys[0], numbers[0]
        return (
            all(map(eq, keys, range(first, first + size)))
            and all(map(eq, numbers, range(row, row + size)))
            and set(map(type, keys)) == {int}
        )

    def close(self) -> None:
        self._store.close()
        self._ints.close()
        self._starts, self._ends, self._rows = [], [], []


def _as_int64(key: Any) -> int | None:
    """The 64-bit integer ``key`` is or equals, else None."""
    whole = key if type(key) is int else _whole_number(key)
    if whole is None or not _INT64[0] <= whole <= _INT64[1]:
        return None
    return int(whole)


def _whole_number(key: Any) -> int | None:
    """The integer a bool, float or Decimal equals (as Python compares them), else None."""
    if not isinstance(key, bool | float | Decimal):
        return None
    stored = canonical_key(key)
    return stored if isinstance(stored, int) else None


class _KeyStore:
    """Keys other than integers: a dict that spills to a temporary SQLite database."""

    def __init__(self, spill_at: int | None = None) -> None:
        self._spill_at = SPILL_KEYS if spill_at is None else spill_at
        self._memory: dict[Any, int] = {}
        self._disk: sqlite3.Connection | None = None
        self._bloom: Bloom | None = None
        self._can_spill = True
        # Writes go to SQLite on a thread of their own (SQLite releases the GIL while it
        # inserts), overlapping the next batch's checks; a lookup waits for the last write.
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None

    @property
    def on_disk(self) -> bool:
        return self._disk is not None

    def __len__(self) -> int:
        if self._disk is None:
            return len(self._memory)
        self._settle()
        (count,) = self._disk.execute("SELECT count(*) FROM seen").fetchone()
        return int(count) + len(self._memory)

    def find(self, keys: Iterable[Any]) -> dict[Any, int]:
        """Return the keys among ``keys`` seen before, with the row of their last occurrence."""
        keys = list(keys)
        memory = self._memory
        found = {key: memory[key] for key in keys if key in memory} if memory else {}
        if self._disk is None or self._bloom is None or not keys:
            return found
        wanted: dict[Any, Any] = {}
        for index in self._bloom.maybe_held(keys):
            stored = _stored(keys[index])
            if stored is not None:
                wanted[stored] = keys[index]
        if wanted:
            self._settle()
        for chunk in _chunks(list(wanted), _CHUNK):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, n FROM seen WHERE key IN ({marks})"
            for stored, number in self._disk.execute(query, chunk):
                found[wanted[stored]] = number
        return found

    def record(self, keys: Sequence[Any], numbers: Sequence[int]) -> None:
        """Remember each key at its row number (a later row replaces an earlier one)."""
        if self._disk is None or self._bloom is None:
            self._memory.update(zip(keys, numbers, strict=True))
            if self._can_spill and len(self._memory) > self._spill_at:
                self._spill()
            return
        if not keys:
            return
        # Integers never come here (KeyMemory keeps them); strings are stored as they are.
        if set(map(type, keys)) == {str}:
            self._bloom.add(keys)
            self._write(zip(keys, numbers, strict=True))
            return
        rows = []
        added = []
        for key, number in zip(keys, numbers, strict=True):
            try:
                stored = canonical_key(key)
            except _NoCanonicalForm:
                self._memory[key] = number
                continue
            if stored is not None:
                rows.append((stored, number))
                added.append(key)
        self._bloom.add(added)
        self._write(rows)

    def close(self) -> None:
        self._settle()
        if self._writer is not None:
            self._writer.shutdown()
            self._writer = None
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self._memory = {}
        self._bloom = None

    def _write(self, rows: Iterable[tuple[Any, int]]) -> None:
        self._settle()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="key-memory")
        self._pending = self._writer.submit(self._insert, list(rows))

    def _insert(self, rows: list[tuple[Any, int]]) -> None:
        assert self._disk is not None
        # In key order the B-tree's pages are visited once each; keys of several kinds
        # (which Python will not order) go as they come.
        with suppress(TypeError):
            rows.sort()
        self._disk.execute("BEGIN")
        self._disk.executemany("INSERT OR REPLACE INTO seen (key, n) VALUES (?, ?)", rows)
        self._disk.execute("COMMIT")

    def _settle(self) -> None:
        """Wait for the write in flight; raise what it raised."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _spill(self) -> None:
        try:
            rows = [(canonical_key(key), number) for key, number in self._memory.items()]
        except _NoCanonicalForm:
            self._can_spill = False
            return
        # An empty name is a private temporary database on disk, deleted when closed.
        self._disk = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._disk.execute("PRAGMA journal_mode=OFF")
        self._disk.execute("PRAGMA synchronous=OFF")
        self._disk.execute("PRAGMA cache_size=-16384")  # 16 MiB of pages, whatever the size
        # No declared type: SQLite keeps each value's own type (1 and '1' are different keys).
        self._disk.execute("CREATE TABLE seen (key PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
        self._bloom = Bloom()
        self._bloom.add(
            [key for key, (stored, _) in zip(self._memory, rows, strict=True) if stored is not None]
        )
        self._write([row for row in rows if row[0] is not None])
        self._memory = {}


def _stored(key: Any) -> int | str | bytes | None:
    try:
        return canonical_key(key)
    except _NoCanonicalForm:
        return None


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
