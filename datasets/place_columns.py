"""Recognize columns of administrative units in a table and check their values (issue 22).

``PlaceCollector`` is fed the rows of a table in batches by the validation pass (like the
personal-data scan) and keeps, per candidate column, the distinct values (read with the
row's district and province when the table has such columns), how often each occurs and the
first row numbers: never more than ``MAX_DISTINCT`` values per column. ``places_of`` then
looks the distinct values up in the reference catalogue (``datasets.places``) within
``PLACE_SECONDS`` and returns the report's ``PlaceColumn`` notes.

A column is a candidate when its header names a level ("phuong_xa", "Quận/Huyện", "Mã
tỉnh", "ward", ...) or when most of its first values start with a unit's prefix ("Phường",
"P.", "Xã", "Quận", "Q.", "Tỉnh", "Thành phố", "Đặc khu"). It is kept in the report when
at least half of its values name a unit, current or old.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from datasets.personal.headers import fold, normalize_header
from datasets.place_report import (
    MAX_EXAMPLES,
    MAX_ROWS,
    MAX_SUGGESTIONS,
    CurrentUnit,
    PlaceColumn,
    PlaceValue,
)

if TYPE_CHECKING:
    from datasets.places import PlaceCatalogue, PlaceMatch

MAX_DISTINCT = 2_000  # distinct values (with their context) kept per column
MAX_COLUMNS = 8  # candidate columns followed per table
PLACE_SECONDS = 5.0  # time for looking the distinct values up, all columns together
MIN_RECOGNIZED = 0.5  # share of a column's cells that must name a unit, current or old
CITY = "79"  # Ho Chi Minh City: values without a province are read there first

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"
_HEADER_LEVELS = {
    PROVINCE: {"tinh", "tinh_thanh", "tinh_thanh_pho", "tinh_tp", "province", "tinh_tw"},
    DISTRICT: {"quan", "huyen", "quan_huyen", "huyen_quan", "district", "quan_huyen_thi_xa"},
    COMMUNE: {
        "phuong", "xa", "phuong_xa", "xa_phuong", "ward", "commune", "phuong_xa_thi_tran",
        "xa_phuong_thi_tran", "phuong_xa_dac_khu", "ward_commune", "don_vi_hanh_chinh", "dvhc",
    },
}  # fmt: skip
_CODE_PREFIXES = ("ma_", "code_")
_CODE_SUFFIXES = ("_code", "_ma", "_id")
_NAME_PREFIXES = ("ten_", "name_")
_OTHER_SUFFIXES = ("_name", "_ten", "_cu", "_moi", "_2025", "_truoc_2025", "_old", "_new")
# A value that starts with a unit's type word or its abbreviation (folded, lower case).
_PREFIX = re.compile(
    r"^(phuong|xa|thi tran|dac khu|quan|huyen|thi xa|tinh|thanh pho|tp|tt|tx|dk|p|x|q|h)"
    r"(?:\.\s*|\s+|(?=\d)|$)"
)
_PREFIX_LEVELS = {
    **dict.fromkeys(("phuong", "xa", "thi tran", "dac khu", "tt", "dk", "p", "x"), "commune"),
    **dict.fromkeys(("quan", "huyen", "thi xa", "tx", "q", "h"), "district"),
    **dict.fromkeys(("tinh", "thanh pho", "tp"), "province"),
}
_TYPE_WORDS = {PROVINCE: ("Tỉnh", "Thành phố"), DISTRICT: ("Quận", "Huyện", "Thị xã", "Thành phố")}
_SNIFF = 200  # first values of a column looked at to sniff its prefixes
_SNIFF_SHARE = 0.8


def header_level(header: str) -> tuple[str, bool] | None:
    """The level a header names and whether it names codes: ``("commune", False)``."""
    name = normalize_header(header)
    codes = False
    for prefix in (*_CODE_PREFIXES, *_NAME_PREFIXES):
        if name.startswith(prefix):
            codes = prefix in _CODE_PREFIXES
            name = name[len(prefix) :]
            break
    for suffix in (*_CODE_SUFFIXES, *_OTHER_SUFFIXES):
        if name.endswith(suffix):
            codes = codes or suffix in _CODE_SUFFIXES
            name = name[: -len(suffix)]
            break
    for level, names in _HEADER_LEVELS.items():
        if name in names:
            return level, codes
    return None


def value_level(value: str) -> str | None:
    """The level a value's prefix names ("Phường 1" → commune), or None."""
    found = _PREFIX.match(fold(value.strip()).lower())
    return _PREFIX_LEVELS[found.group(1)] if found else None


@dataclass
class _Column:
    index: int
    level: str
    codes: bool
    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)
    rows: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    overflow: int = 0  # cells whose value was not kept (over MAX_DISTINCT)


@functools.cache
def _space_bytes() -> tuple[Any, Any]:
    """The bytes a white space character (``str.isspace``, what ``str.strip`` removes) can
    start and end with in UTF-8: ASCII ones, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
    U+2029, U+202F, U+205F and U+3000 (built on first use: web processes never need NumPy)."""
    import numpy as np

    first = np.zeros(256, dtype=bool)
    first[[*range(0x09, 0x0E), *range(0x1C, 0x21), 0xC2, 0xE1, 0xE2, 0xE3]] = True
    last = np.zeros(256, dtype=bool)
    last[[*range(0x09, 0x0E), *range(0x1C, 0x21), *range(0x80, 0x8B), 0x85, 0x9F, 0xA0]] = True
    last[[0xA8, 0xA9, 0xAF]] = True
    return first, last


def _stripped(column: Sequence[str]) -> Sequence[str]:
    """The column's values without surrounding white space (``str.strip``). A column read by
    Arrow is returned itself when no value has some (``count_keys`` then counts with Arrow):
    only the values whose first or last byte can belong to a white space are read in Python
    (a regular expression over the joined text cost 0.8 s per million rows)."""
    array = getattr(column, "arrow", None)
    if array is not None and not _padded(array):
        return column
    return [v.strip() for v in column]


def _padded(array: Any) -> bool:
    """Whether a value of the Arrow string array (no nulls) has white space around it."""
    import numpy as np  # only a column read by Arrow gets here

    space_first, space_last = _space_bytes()
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(array.buffers()[2] or b"", dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = np.flatnonzero(ends > starts)
    if not len(filled):
        return False
    suspect = space_first[data[starts[filled]]] | space_last[data[ends[filled] - 1]]
    if not suspect.any():
        return False
    import pyarrow as pa  # only a column read by Arrow gets here

    values = array.take(pa.array(filled[suspect])).to_pylist()
    return any(value != value.strip() for value in values)


def count_keys(parts: list[Sequence[str]]) -> Counter[tuple[str, ...]]:
    """``Counter(zip(*parts))``: the same counts in the same order (first occurrence). When a
    part is a column read by Arrow (``arrow``), Arrow's hash grouping counts them, and the
    groups are put in the order of their first row."""
    arrays = [getattr(part, "arrow", None) for part in parts]
    if all(array is None for array in arrays):
        return Counter(zip(*parts, strict=True))
    import pyarrow as pa  # only a column read by Arrow gets here

    names = [f"k{i}" for i in range(len(parts))]
    table = pa.table(
        {
            name: array if array is not None else _arrow_strings(part)
            for name, array, part in zip(names, arrays, parts, strict=True)
        }
    )
    table = table.append_column("row", pa.array(range(len(table)), type=pa.int64()))
    grouped = table.group_by(names, use_threads=False).aggregate(
        [([], "count_all"), ("row", "min")]
    )
    grouped = grouped.sort_by("row_min")  # the order of first occurrence, as Counter's
    keys = zip(*(grouped.column(name).to_pylist() for name in names), strict=True)
    return Counter(dict(zip(keys, grouped.column("count_all").to_pylist(), strict=True)))


def _arrow_strings(part: Sequence[str]) -> Any:
    """``part`` as an Arrow string array (an all-empty context column made in C)."""
    import pyarrow as pa  # only a column read by Arrow gets here
    import pyarrow.compute as pc

    if not any(part):
        return pc.fill_null(pa.nulls(len(part), type=pa.string()), "")
    return pa.array(part, type=pa.string())


class PlaceCollector:
    """Keeps the distinct values of a table's place columns, fed in batches of rows."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = list(header)
        self.rows = 0
        self._columns: list[_Column] = []
        self._sniffed = False
        for index, name in enumerate(self.header):
            found = header_level(name)
            if found is not None and len(self._columns) < MAX_COLUMNS:
                self._columns.append(_Column(index, *found))

    @property
    def columns(self) -> list[str]:
        """The names of the candidate columns (known after the first batch)."""
        return [self.header[c.index] for c in self._columns]

    def feed(
        self,
        rows: Sequence[Sequence[str]],
        columns: Sequence[Sequence[str]] | None = None,
    ) -> None:
        """Count one batch of rows (the validation pass's observer signature)."""
        if not rows:
            return
        width = len(self.header)
        if columns is None or len(columns) != width:
            padded = [list(row[:width]) + [""] * (width - len(row)) for row in rows]
            columns = list(zip(*padded, strict=True)) if width else []
        if not self._sniffed:
            self._sniff(columns)
        start = self.rows + 2  # row numbers as in the validation report (header = 1)
        self.rows += len(rows)
        stripped: dict[int, Sequence[str]] = {}

        def values(index: int) -> Sequence[str]:
            if index not in stripped:
                stripped[index] = _stripped(columns[index])
            return stripped[index]

        context = self._context_columns(values, len(rows))
        for column in self._columns:
            self._count(column, [values(column.index), *context[column.level]], start)

    def _sniff(self, columns: Sequence[Sequence[str]]) -> None:
        self._sniffed = True
        taken = {c.index for c in self._columns}
        for index, column in enumerate(columns):
            if index in taken or len(self._columns) >= MAX_COLUMNS:
                continue
            values = [v for v in column[:_SNIFF] if v.strip()]
            levels = Counter(value_level(v) for v in values)
            level, hits = levels.most_common(1)[0] if levels else (None, 0)
            if level is not None and hits >= _SNIFF_SHARE * len(values) and hits >= 3:
                self._columns.append(_Column(index, level, False))
        self._columns.sort(key=lambda c: c.index)

    def _context_columns(
        self, values: Callable[[int], Sequence[str]], count: int
    ) -> dict[str, list[Sequence[str]]]:
        """For each level, the (district, province) columns giving context to its values: a
        commune is read with the row's district and province, a district with the province."""
        by_level: dict[str, Sequence[str]] = {}
        for column in self._columns:
            if not column.codes and column.level not in by_level:
                by_level[column.level] = values(column.index)
        empty = [""] * count
        province, district = by_level.get(PROVINCE, empty), by_level.get(DISTRICT, empty)
        return {
            COMMUNE: [district, province],
            DISTRICT: [empty, province],
            PROVINCE: [empty, empty],
        }

    def _count(self, column: _Column, parts: list[Sequence[str]], start: int) -> None:
        """Count the batch's keys: (value, district, province) from the columns ``parts``."""
        batch = count_keys(parts)
        for key in [k for k in batch if not k[0]]:
            del batch[key]  # empty cells
        counts = column.counts
        new = [k for k in batch if k not in counts]
        room = MAX_DISTINCT - len(counts)
        if len(new) > room:
            refused = set(new[room:])
            column.overflow += sum(batch[k] for k in refused)
            new = new[:room]
            for key in refused:
                del batch[key]
        counts.update(batch)
        # Row numbers of the values first seen in this batch (up to MAX_ROWS, from this batch):
        # once no new value comes, a batch costs no loop in Python.
        wanted = {k: min(batch[k], MAX_ROWS) for k in new}
        if not wanted:
            return
        rows = column.rows
        keys = zip(*parts, strict=True)
        for offset, key in enumerate(keys):
            if key in wanted:
                found = rows.setdefault(key, [])
                found.append(start + offset)
                if len(found) >= wanted[key]:
                    del wanted[key]
                    if not wanted:
                        break

    def places(
        self, catalogue: PlaceCatalogue, *, seconds: float = PLACE_SECONDS
    ) -> tuple[PlaceColumn, ...]:
        """Look the kept values up and return the notes of the columns that name units."""
        deadline = time.monotonic() + seconds
        result = []
        for column in self._columns:
            checked = _check_column(self.header[column.index], column, catalogue, deadline)
            if checked is not None:
                result.append(checked)
        return tuple(result)


def _check_column(
    name: str, column: _Column, catalogue: PlaceCatalogue, deadline: float
) -> PlaceColumn | None:
    current = obsolete = unknown = 0
    old: list[PlaceValue] = []
    strange: list[PlaceValue] = []
    complete = column.overflow == 0
    for key, count in column.counts.most_common():
        if time.monotonic() > deadline:
            complete = False
            break
        value, district, province = key
        found = match_unit(catalogue, value, district, province, column.level)
        rows = tuple(column.rows.get(key, ())[:MAX_ROWS])
        shown = " · ".join(c for c in (district, province) if c)
        if found is None:
            unknown += count
            if len(strange) < MAX_EXAMPLES:
                strange.append(PlaceValue(value, count, rows, context=shown))
        elif found.obsolete or (found.ambiguous and all(u.obsolete for u in found.candidates)):
            obsolete += count
            if len(old) < MAX_EXAMPLES:
                units = tuple(CurrentUnit(u.code, u.name) for u in found.current[:MAX_SUGGESTIONS])
                old.append(PlaceValue(value, count, rows, units, shown, found.ambiguous))
        else:
            current += count
    cells = current + obsolete + unknown
    if not cells or (current + obsolete) < MIN_RECOGNIZED * cells:
        return None
    return PlaceColumn(
        column=name,
        level=column.level,
        codes=column.codes,
        cells=cells + column.overflow,
        current=current,
        obsolete=obsolete,
        unknown=unknown,
        obsolete_values=tuple(old),
        unknown_values=tuple(strange),
        complete=complete,
    )


def match_unit(
    catalogue: PlaceCatalogue,
    value: str,
    district: str = "",
    province: str = "",
    level: str = COMMUNE,
) -> PlaceMatch | None:
    """Look a value of a ``level`` column up with its row's district and province.

    Without a province the city's units are tried first (the portal is the city's), then
    the whole country's. A province or district written without its type word is read as
    one ("Bình Dương" in a province column is the old province, not today's ward).
    """
    province_code = _province_code(catalogue, province) if province else None
    if level != COMMUNE and value_level(value) is None:
        for word in _TYPE_WORDS[level]:
            found = _lookup(catalogue, f"{word} {value}", district, province_code)
            if found is not None and found.unit is not None and found.unit.level == level:
                return found
    return _lookup(catalogue, value, district, province_code)


def _lookup(
    catalogue: PlaceCatalogue, value: str, district: str, province_code: str | None
) -> PlaceMatch | None:
    district_name = district or None
    found = catalogue.match(value, province_code=province_code or CITY, district=district_name)
    if found is None and province_code is None:
        found = catalogue.match(value, district=district_name)
    if found is None and district_name is not None:
        found = catalogue.match(value, province_code=province_code or CITY)
    return found


def _province_code(catalogue: PlaceCatalogue, text: str) -> str | None:
    found = match_unit(catalogue, text, level=PROVINCE)
    if found is None or found.unit is None or found.unit.level != PROVINCE:
        return None
    return found.unit.province_code
