"""Scan every row of a table for personal data, in batches, in bounded memory.

``TableScanner`` is fed the rows of a table in batches (by the validation pass, which reads
the whole file anyway, or by ``scan_csv``) and keeps, per column, counters and a small
sample, never all the values:

- how many values could hold data (not empty, not a placeholder such as "không có", "-",
  "N/A"): every share is a share of these, so placeholders do not dilute it;
- for each identifier kind that a value's structure proves (citizen ID, phone, e-mail,
  health-insurance card, licence plate), how many cells are such a value, and how many
  carry one inside longer text (a birth date announced by "sinh ngày", "SN", "năm sinh" too);
- of the phones and e-mails, how many are a person's (a mobile, a free-mail address) rather
  than an office's (a landline, an institutional mailbox);
- a bounded sample of values spread over the whole file, for the kinds only a reading of
  the value can tell (names, addresses, birth dates) and for the header rules.

``findings`` turns that into findings (``detectors.findings_of``).
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, islice
from typing import Any

from datasets.personal.freetext import find_in_text, shape_of
from datasets.personal.kinds import PersonalDataKind
from datasets.personal.matchers import canonical_phone, is_citizen_id

K = PersonalDataKind

SAMPLE_SIZE = 500  # values kept per column, spread over the whole file
# Cells that say "no value": they hold no data and do not count in a share.
PLACEHOLDERS = frozenset(
    {
        "", "-", "--", "---", ".", "x", "X", "0", "N/A", "n/a", "NA", "na", "#N/A", "null",
        "NULL", "None", "none", "không", "Không", "KHÔNG", "không có", "Không có", "KHÔNG CÓ",
        "chưa có", "Chưa có", "chưa cập nhật", "Chưa cập nhật", "không rõ", "Không rõ",
        "khong co", "Khong co", "kco", "k", "K", "?", "...", "…",
    }
)  # fmt: skip
# Kinds whose values carry their own proof (structure, check digits, prefixes).
STRUCTURED_KINDS = (K.CITIZEN_ID, K.PHONE, K.EMAIL, K.HEALTH_INSURANCE, K.LICENCE_PLATE)
_FREE_MAIL = re.compile(
    r"@(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|aol|proton|protonmail"
    r"|zoho|yandex|mail|gmx|qq|163|126)\.",
    re.IGNORECASE,
)
# A number alone in its cell that lost its leading zero in a spreadsheet (CCCD: 11 digits).
_BARE_NUMBER = re.compile(r"(?<![^\x00])\d{11}(?![^\x00])")
_JOIN = "\x00"  # never part of a value's pattern, and not whitespace
# A placeholder cell in a column's text (``_count_column``): the separator before it, then
# nothing (an empty cell) or a placeholder, then the separator after it (looked at, not
# taken, so that it can start the next cell). A value whose first character starts no
# placeholder fails at once: the alternatives are tried only for the few that could match.
_FILLERS = sorted(PLACEHOLDERS - {""}, key=len, reverse=True)
_PLACEHOLDER_CELL = re.compile(
    f"{_JOIN}(?:(?={_JOIN})|(?=[{re.escape(''.join(sorted({p[0] for p in _FILLERS})))}])"
    f"(?:{'|'.join(map(re.escape, _FILLERS))})(?={_JOIN}))"
)


@dataclass
class ColumnCounts:
    """What the scan keeps about one column: counters and a bounded sample."""

    data: int = 0  # values that could hold data
    cells: Counter[str] = field(default_factory=Counter)  # kind -> cells that are such a value
    inside: Counter[str] = field(default_factory=Counter)  # kind -> cells with one in text
    text_cells: int = 0  # cells with at least one personal value inside longer text
    personal_contacts: int = 0  # mobiles and free-mail addresses (a person's, not an office's)
    sample: list[str] = field(default_factory=list)
    seen: int = 0  # cells read
    sampling: bool = False  # the sample is full: values replace others at random
    weight: float = 1.0  # reservoir sampling state (Vitter's algorithm L)
    next: int = 0  # index of the next cell taken into the full sample

    def share(self, kind: str) -> float:
        """Share of the values that could hold data that are a ``kind`` value."""
        return self.cells[kind] / self.data if self.data else 0.0


class TableScanner:
    """Counts personal data in every row of a table fed in batches."""

    def __init__(self, header: Sequence[str], *, seed: int = 0) -> None:
        self.header = list(header)
        self.columns = [ColumnCounts() for _ in self.header]
        self.rows = 0
        # Seeded: the same file always gives the same sample, so the same findings.
        self._random = random.Random(seed)  # noqa: S311 - sampling, not security

    def feed(
        self,
        rows: Sequence[Sequence[str]],
        columns: Sequence[Sequence[str]] | None = None,
    ) -> None:
        """Count one batch of rows (cells beyond the header are ignored, missing are empty).

        ``columns`` is the same batch transposed, when the caller has it already (the
        validation pass does): it is used when it has the header's width.
        """
        if not rows:
            return
        width = len(self.header)
        self.rows += len(rows)
        if not width:
            return
        if columns is None or len(columns) != width:
            if set(map(len, rows)) != {width}:
                rows = [list(row[:width]) + [""] * (width - len(row)) for row in rows]
            columns = list(zip(*rows, strict=True))
        for counts, column in zip(self.columns, columns, strict=True):
            _count_column(counts, column, self._random)

    def feed_all(self, rows: Iterable[Sequence[str]], batch: int = 20_000) -> None:
        """Count every row of ``rows`` in batches of ``batch``."""
        iterator = iter(rows)
        while chunk := list(islice(iterator, batch)):
            self.feed(chunk)


def _count_column(counts: ColumnCounts, column: Sequence[str], rnd: random.Random) -> None:
    # The column as one text, a separator before each value and after the last: every value
    # is then found between two separators, and one pass of a regular expression counts the
    # placeholders (hashing every fresh cell to look it up in a set cost twice as much).
    array = getattr(column, "arrow", None)
    if array is not None:  # a column read by Arrow (``ArrowColumn``)
        _count_arrow_column(counts, column, array, rnd)
        return
    text = _JOIN.join(("", *column, ""))
    placeholders = len(_PLACEHOLDER_CELL.findall(text))
    has_data = placeholders < len(column)
    if has_data:
        counts.data += len(column) - placeholders
        _count_structured(counts, column, text)  # a placeholder matches no kind
    _sample(counts, column, rnd, has_data=has_data)


# What must be in a value for ``find_in_text`` (with ``names=False``) or the bare-number rule
# to find anything in it: ``shape_of``'s tests as one RE2 pattern (10 digits with only
# " .-()+" between them; two capitals then a digit, or two digits then a capital), an "@",
# or a cue of a birth date. No alternative can match across the NUL between two values.
_ANY_KIND = (
    r"[0-9](?:[ .()+\-]*[0-9]){9}|[A-Z][ .()+\-]*[A-Z][ .()+\-]*[0-9]"
    r"|[0-9][ .()+\-]*[0-9][ .()+\-]*[A-Z]|@|sinh|Sinh|SINH|SN|NS"
)


def _count_arrow_column(
    counts: ColumnCounts, column: Sequence[str], array: Any, rnd: random.Random
) -> None:
    """``_count_column`` of a column read by Arrow, with the same counts: placeholders are
    counted by a hash lookup, and the joined text is searched only when some value holds
    what a kind needs (``_ANY_KIND``, on Arrow's RE2: most columns hold none). RE2 reads the
    column's values joined by NULs as one string, in one call (one call per value took
    twice as long)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fillers = pa.array(sorted(PLACEHOLDERS), type=pa.string())
    placeholders = int(pc.sum(pc.is_in(array, value_set=fillers)).as_py() or 0)
    has_data = placeholders < len(column)
    if has_data:
        counts.data += len(column) - placeholders
        if _may_hold_kind(array):
            whole = pa.ListArray.from_arrays(pa.array([0, len(array)], type=pa.int32()), array)
            joined = pc.binary_join(whole, _JOIN)
            if pc.match_substring_regex(joined, _ANY_KIND)[0].as_py():
                # The caller saw ``arrow``: an ArrowColumn, whose joined() Sequence lacks.
                text = column.joined()  # type: ignore[attr-defined]  # see the line above
                _count_structured(counts, column, text)
    _sample(counts, column, rnd, has_data=has_data)


# Every alternative of ``_ANY_KIND`` but the first holds one of these bytes (capitals, "@",
# the "s" of "sinh"); the first holds 10 digits.
_KIND_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ@s")


def _may_hold_kind(array: Any) -> bool:
    """False when no value of the Arrow string array (no nulls) can match ``_ANY_KIND``: no
    byte of ``_KIND_BYTES`` and no value with 10 digits (a column of numbers, dates,
    coordinates), counted with NumPy on its bytes, in a tenth of the time RE2 takes."""
    import numpy as np

    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    buffer = array.buffers()[2]
    if buffer is None or offsets[-1] == offsets[0]:
        return False  # every value is empty
    data = np.frombuffer(buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    lookup = _kind_lookup()
    if lookup[data[:4096]].any() or lookup[data].any():  # a text column: at once
        return True
    if np.diff(offsets).max() < 10:
        return False
    digits = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum((data - np.uint8(48)) < 10, out=digits[1:])  # other bytes wrap around past 9
    ends = offsets - offsets[0]
    return bool((digits[ends[1:]] - digits[ends[:-1]] >= 10).any())


@cache
def _kind_lookup() -> Any:
    """A NumPy table: True at the bytes of ``_KIND_BYTES``."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[sorted(_KIND_BYTES)] = True
    return table


def _count_structured(counts: ColumnCounts, values: Sequence[str], text: str) -> None:
    """Count the kinds found in ``text``: ``values`` joined, with a separator around each."""
    # Names inside text are read on the sample (``detectors``): their cue words are common.
    shape = shape_of(text)
    spans = find_in_text(text, names=False, shape=shape)
    bare = []
    if b"00000000000" in shape:
        bare = [m.start() for m in _BARE_NUMBER.finditer(text)]
    if not spans and not bare:
        return
    # Value i spans [starts[i], starts[i] + len(values[i])) of the text.
    starts = list(accumulate((len(value) + 1 for value in values[:-1]), initial=1))

    def value_at(position: int) -> int:
        return bisect_right(starts, position) - 1

    whole: dict[int, str] = {}
    inside: dict[int, set[str]] = {}
    for kind, start, end in spans:
        index = value_at(start)
        value = values[index]
        if kind in STRUCTURED_KINDS and text[start:end] == value.strip():
            whole[index] = kind
            if (kind is K.PHONE and _is_mobile(value)) or (
                kind is K.EMAIL and _FREE_MAIL.search(value)
            ):
                counts.personal_contacts += 1
        else:
            inside.setdefault(index, set()).add(kind)
    for start in bare:
        index = value_at(start)
        if index not in whole and is_citizen_id(values[index]):
            whole[index] = K.CITIZEN_ID
    counts.cells.update(whole.values())
    for kinds in inside.values():
        counts.inside.update(kinds)
    counts.text_cells += len(inside)


def _is_mobile(value: str) -> bool:
    number = canonical_phone(value)
    return number is not None and not number.startswith("02")


def _sample(
    counts: ColumnCounts, column: Sequence[str], rnd: random.Random, *, has_data: bool
) -> None:
    """Reservoir sampling (Vitter's algorithm L) of the values that could hold data."""
    sample, size, base, n = counts.sample, SAMPLE_SIZE, counts.seen, len(column)
    i = 0
    while has_data and len(sample) < size and i < n:
        value = column[i]
        i += 1
        if value not in PLACEHOLDERS:
            sample.append(value)
    if len(sample) >= size and not counts.sampling:
        counts.sampling = True
        counts.weight = math.exp(math.log(rnd.random() or 1e-300) / size)
        counts.next = base + i + _skip(counts.weight, rnd)
    end = base + n
    while counts.sampling and counts.next < end:
        value = column[counts.next - base]
        if value not in PLACEHOLDERS:
            sample[int(rnd.random() * size)] = value
        counts.weight *= math.exp(math.log(rnd.random() or 1e-300) / size)
        counts.next += _skip(counts.weight, rnd) + 1
    counts.seen = end


def _skip(weight: float, rnd: random.Random) -> int:
    if weight >= 1.0:
        return 0
    return int(math.log(rnd.random() or 1e-300) / math.log(1.0 - weight)) if weight > 0 else 0
