"""The fast engine's reading of a plain CSV file with Arrow (issue 24).

A UTF-8 comma-separated file without a byte-order mark, carriage return or NUL, whose few
lines with a double quote are each a whole record, has one record per line; a line without a
quote has one cell per comma-separated piece: what the csv module reads is then known from
the bytes. The file is cut into batches of ``BATCH_ROWS`` lines (the very batches the
csv-module path makes, so observers see the same batches); NumPy counts each line's cells,
the lines of the schema's width are parsed by Arrow's CSV reader (C++) and checked column by
column (``arrow_checks``, or the Python checker for a column it does not cover), and the
other lines (another width, a quote, a long line) are read by the csv module, line by line.
Suspect rows are read by Frictionless' ``Row`` exactly as on the csv-module path, and the
unique and primary-key bookkeeping is the same code, so the errors are the same.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datasets.validation.arrow_checks import ArrowChecker, build_arrow_checker

if TYPE_CHECKING:
    from datasets.validation.engine import Observer, _Plan

__all__ = ["ArrowColumn", "arrow_batches_possible", "plain_file", "plain_row_batches", "run_arrow"]

# Reads of 2 MiB: larger ones grew the heap (the allocator keeps such blocks around).
_CHUNK_BYTES = 2 * 1024 * 1024
_NEWLINE, _COMMA, _QUOTE = 10, 44, 34
# A line this long may hold a field past the csv module's limit: the csv module reads it.
_LONG_LINE = 131_072


def arrow_batches_possible(plan: _Plan) -> bool:
    """True when ``plan``'s file can be read the Arrow way (a plain UTF-8 comma CSV)."""
    dialect = plan.csv_dialect
    simple = (
        plan.simple_header
        and plan.encoding == "utf-8"
        and plan.newline == ""
        and getattr(dialect, "delimiter", None) == ","
        and getattr(dialect, "quotechar", '"') == '"'
        and not getattr(dialect, "skipinitialspace", False)
        and getattr(dialect, "escapechar", None) is None
        and len(plan.checkers) >= 2  # an empty line is then never a row of the right width
    )
    return simple and plain_file(plan.path)


def plain_file(path: Path) -> bool:
    """True when the file can be read by lines: no byte-order mark, carriage return or NUL,
    and every line holding a double quote (at most about 1 %) is a whole record by itself
    (no quoted line break): those lines are then read by the csv module, line by line."""
    for block, first in _line_blocks(path):
        if first and block.startswith(b"\xef\xbb\xbf"):
            return False
        if b"\r" in block or b"\x00" in block:
            return False
        if b'"' in block and not _quoted_lines_whole(block):
            return False
    return True


def _line_blocks(path: Path) -> Iterator[tuple[bytes, bool]]:
    """The file in blocks of whole lines (a last line without its line feed gets one)."""
    pending = b""
    first = True
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            data = pending + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut], first
                first = False
            pending = data[cut:]
    if pending:
        yield pending + b"\n", first


def _quoted_lines_whole(block: bytes) -> bool:
    lines = block.count(b"\n")
    quoted = 0
    at = block.find(b'"')
    while at != -1:
        start = block.rfind(b"\n", 0, at) + 1
        end = block.find(b"\n", at)
        quoted += 1
        if quoted > lines // 100 + 8:
            return False  # many quoted lines: the csv module reads the file
        try:
            line = block[start:end].decode("utf-8")
            records = list(csv.reader([line + "\n"]))
        except (UnicodeDecodeError, csv.Error):
            return False
        if len(records) != 1 or any("\n" in cell for cell in records[0]):
            return False  # a quoted field goes on past the line
        at = block.find(b'"', end)
    return True


@dataclass
class _Batch:
    """``BATCH_ROWS`` lines (or fewer, at the end) of the file, as bytes."""

    first: int  # the row number of the first line (the header is row 1)
    data: bytes  # the lines, each ending with a line feed
    starts: np.ndarray
    ends: np.ndarray  # positions of each line's line feed
    # Cells per line as the csv module counts them (0 for an empty line); -1 for a line the
    # csv module must read (a double quote, a long line).
    cells: np.ndarray

    @property
    def size(self) -> int:
        return len(self.starts)

    def cells_of(self, index: int) -> list[str]:
        """The cells of a line as the csv module reads them (a quoted line too)."""
        line = self.data[self.starts[index] : self.ends[index]].decode("utf-8")
        return next(csv.reader([line]), [])


def _line_batches(path: Path, rows: int) -> Iterator[_Batch]:
    """Yield the data lines of the file (the header line skipped) in batches of ``rows``."""
    number = 2
    pending = b""
    header = True
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK_BYTES)
            data = pending + chunk
            if not chunk and data and not data.endswith(b"\n"):
                data += b"\n"
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE)
            begin = 0
            if header and len(ends):
                header = False
                begin = int(ends[0]) + 1
                ends = ends[1:]
            while len(ends) >= rows or (not chunk and len(ends)):
                taken, ends = ends[:rows], ends[rows:]
                stop = int(taken[-1]) + 1
                part = data[begin:stop]
                local = taken - begin
                starts = np.empty_like(local)
                starts[0] = 0
                starts[1:] = local[:-1] + 1
                yield _Batch(number, part, starts, local, _cell_counts(part, starts, local))
                number += len(taken)
                begin = stop
            pending = data[begin:]
            if not chunk:
                return


def _cell_counts(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    raw = np.frombuffer(data, dtype=np.uint8)
    commas = np.flatnonzero(raw == _COMMA)
    cells = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    cells[ends == starts] = 0
    cells[ends - starts >= _LONG_LINE] = -1
    if b'"' in data:
        cells[np.searchsorted(ends, np.flatnonzero(raw == _QUOTE))] = -1
    return np.asarray(cells)


class ArrowColumn(Sequence[str]):
    """A column of strings (an Arrow array without nulls) as a read-only sequence of ``str``.

    Whole-column reads are C-level: ``tolist`` (kept once made), iteration, slices, and
    ``joined``: every value with a NUL before each and after the last, the text the
    personal-data scanner searches (joined by Arrow; ``joined_bytes`` is its UTF-8).
    """

    def __init__(self, array: pa.Array) -> None:
        self._array = array
        self._list: list[str] | None = None
        self._joined: str | None = None
        self._joined_bytes: bytes | None = None

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, index: Any) -> Any:
        if self._list is not None:
            return self._list[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self._array))
            if step != 1:
                return self.tolist()[index]
            return self._array.slice(start, max(0, stop - start)).to_pylist()
        return self._array[index].as_py()

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    @property
    def arrow(self) -> pa.Array:
        """The Arrow array behind the column."""
        return self._array

    def tolist(self) -> list[str]:
        if self._list is None:
            self._list = self._array.to_pylist()
        return self._list

    def joined(self) -> str:
        if self._joined is None:
            self._joined = self.joined_bytes().decode("utf-8")
        return self._joined

    def joined_bytes(self) -> bytes:
        if self._joined_bytes is None:
            array = self._array
            if not len(array):
                return b"\x00"
            whole = pa.ListArray.from_arrays(pa.array([0, len(array)], type=pa.int32()), array)
            inner = pc.binary_join(whole, "\x00")[0].as_buffer()
            self._joined_bytes = b"".join((b"\x00", inner, b"\x00"))
        return self._joined_bytes


class _Rows(Sequence[list[str]]):
    """The rows of a batch, built on demand (suspects only, or an observer)."""

    def __init__(self, batch: _Batch, table: pa.Table | None, regular: np.ndarray) -> None:
        self._batch = batch
        self._table = table
        self._regular = regular  # position of each parsed row in the batch

    def __len__(self) -> int:
        return self._batch.size

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        parsed = int(np.searchsorted(self._regular, index))
        if self._table is None or parsed >= len(self._regular) or self._regular[parsed] != index:
            return self._batch.cells_of(index)
        return [column[parsed].as_py() for column in self._table.columns]


def _array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _parse(batch: _Batch, regular: np.ndarray, width: int) -> pa.Table | None:
    if not len(regular):
        return None
    data = batch.data if len(regular) == batch.size else _lines(batch, regular)
    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        pa.py_buffer(data),
        # One thread: a batch is small, the other core scans meanwhile, and Arrow's threads
        # each kept a heap of their own (40 MB more at the peak, no faster).
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22, use_threads=False),
        parse_options=pacsv.ParseOptions(
            delimiter=",",
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    if table.num_rows != len(regular):
        raise ValueError("Arrow read another number of rows")  # never expected: bail out
    return table.combine_chunks()


def _lines(batch: _Batch, regular: np.ndarray) -> bytes:
    """The lines at positions ``regular`` (sorted) of the batch, joined: one slice per run of
    consecutive lines (a batch has few irregular lines, and slicing each line cost 1 s per
    million rows)."""
    breaks = np.flatnonzero(np.diff(regular) != 1) + 1
    firsts = regular[np.concatenate(([0], breaks))].tolist()
    lasts = regular[np.concatenate((breaks - 1, [len(regular) - 1]))].tolist()
    starts, ends, data = batch.starts, batch.ends, batch.data
    return b"".join(
        data[starts[first] : ends[last] + 1] for first, last in zip(firsts, lasts, strict=True)
    )


def plain_row_batches(
    path: Path, width: int, rows: int
) -> Iterator[tuple[Sequence[Sequence[str]], list[ArrowColumn] | None]]:
    """Yield the data rows of a ``plain_file`` UTF-8 CSV whose header has ``width`` >= 2
    cells, ``rows`` at a time, as the csv module reads them: (rows, the same as columns when
    every row has ``width`` cells, else None)."""
    for batch in _line_batches(path, rows):
        regular = np.flatnonzero(batch.cells == width)
        table = _parse(batch, regular, width)
        yield _observed(batch, table, regular)


# Irregular lines of a batch spliced into its Arrow columns for the observers; past this
# many, the batch goes to them as rows (the observers pad them as the csv way does).
_SPLICED = 64


def _observed(
    batch: _Batch, table: pa.Table | None, regular: np.ndarray
) -> tuple[Sequence[Sequence[str]], list[ArrowColumn] | None]:
    """The batch for observers: (rows, the columns padded to the width) or (rows, None)."""
    lazy = _Rows(batch, table, regular)
    if table is None:
        return [lazy[i] for i in range(batch.size)], None
    arrays = [_array(column) for column in table.columns]
    if len(regular) == batch.size:
        return lazy, [ArrowColumn(array) for array in arrays]
    odd = np.setdiff1d(np.arange(batch.size), regular, assume_unique=True).tolist()
    if len(odd) > _SPLICED:
        parsed = list(zip(*(array.to_pylist() for array in arrays), strict=True))
        merged: list[Sequence[str]] = []
        taken = 0
        for k, position in enumerate(odd):
            merged.extend(parsed[taken : position - k])
            taken = position - k
            merged.append(batch.cells_of(position))
        merged.extend(parsed[taken:])
        return merged, None
    cells = [batch.cells_of(position) for position in odd]
    columns = []
    for j, array in enumerate(arrays):
        pieces = []
        taken = 0
        for k, position in enumerate(odd):
            if position - k > taken:
                pieces.append(array.slice(taken, position - k - taken))
                taken = position - k
            value = cells[k][j] if j < len(cells[k]) else ""
            pieces.append(pa.array([value], type=pa.string()))
        if taken < len(array):
            pieces.append(array.slice(taken))
        columns.append(ArrowColumn(pa.concat_arrays(pieces)))
    return lazy, columns


def run_arrow(
    plan: _Plan,
    limit_errors: int,
    progress: Callable[[int], None] | None,
    observe: Observer | None,
    batch_errors: Callable[..., list[tuple[int, list[Any]]]],
    batch_rows: int,
) -> tuple[int, list[Any], bool]:
    """The engine's ``_run`` over Arrow batches (``arrow_batches_possible`` said yes).

    ``batch_errors(plan, numbers, rows, suspects, values)`` turns the suspects and key
    values of a batch into Frictionless' errors (the engine's own bookkeeping).
    """
    width = len(plan.checkers)
    keyed = set(plan.unique) | set(plan.primary)
    arrow_checkers: list[ArrowChecker | None] = [
        build_arrow_checker(field, missing, need_values=index in keyed)
        for index, (field, missing) in enumerate(zip(plan.fields, plan.missing, strict=True))
    ]
    found: list[Any] = list(plan.header_errors)
    read = 0
    for batch in _line_batches(plan.path, batch_rows):
        regular = np.flatnonzero(batch.cells == width)
        table = _parse(batch, regular, width)
        rows = _Rows(batch, table, regular)
        pylists: list[ArrowColumn | None] = [None] * width
        if observe is not None:
            seen, columns = _observed(batch, table, regular)
            if columns is not None and len(regular) == batch.size:
                pylists = list(columns)
            observe(seen, columns)  # type: ignore[arg-type]  # lazy rows, Arrow columns
        if read == 0 and limit_errors and len(found) >= limit_errors:
            return 1, found[:limit_errors], True
        suspects, values = _check(plan, arrow_checkers, batch, table, regular, pylists)
        numbers = range(batch.first, batch.first + batch.size)
        for index, row_errors in batch_errors(plan, numbers, rows, suspects, values):
            found.extend(row_errors)
            if limit_errors and len(found) >= limit_errors:
                return read + index + 1, found[:limit_errors], True
        read += batch.size
        if progress is not None:
            progress(read)
    return read, found, False


def _check(
    plan: _Plan,
    arrow_checkers: list[ArrowChecker | None],
    batch: _Batch,
    table: pa.Table | None,
    regular: np.ndarray,
    pylists: list[ArrowColumn | None],
) -> tuple[set[int], dict[int, list[Any]]]:
    """Return the suspect positions of the batch and the key columns' values (spread)."""
    suspects = set(np.flatnonzero(batch.cells != len(plan.checkers)).tolist())
    values: dict[int, list[Any]] = {}
    if table is None:
        return suspects, values
    missing_count = np.zeros(len(regular), dtype=np.int32)
    whole = len(regular) == batch.size
    for index, column in enumerate(table.columns):
        array = _array(column)
        checker = arrow_checkers[index]
        if checker is not None:
            bad, missing, column_values = checker(array)
        else:
            cells = pylists[index]
            bad_list, missing_list, column_values = plan.checkers[index](
                cells.tolist() if cells is not None else array.to_pylist()
            )
            bad = np.asarray(bad_list, dtype=np.int64)
            missing = np.asarray(missing_list, dtype=np.int64)
        suspects.update(regular[bad].tolist())
        missing_count[missing] += 1
        if column_values is not None:
            if whole:
                values[index] = column_values
            else:
                spread: list[Any] = [None] * batch.size
                for position, value in zip(regular.tolist(), column_values, strict=True):
                    spread[position] = value
                values[index] = spread
    # A row whose every cell is missing is a blank-row: Frictionless decides.
    suspects.update(regular[missing_count == len(plan.checkers)].tolist())
    return suspects, values
