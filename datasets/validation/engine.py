"""The fast validation engine: Frictionless' semantics, whole-column checks in batches.

Frictionless (5.21.0) opens the resource as usual, so the encoding, the CSV dialect (sniffed),
the header, the header errors and the cell readers are its own. The data rows are then read
with the csv module under that same dialect, in batches of ``BATCH_ROWS`` rows. Rows whose
length differs from the field count, and rows where a column checker saw a possible problem
(or every cell missing), are read by Frictionless' ``Row``, which produces the exact errors.
Unique and primary-key checks replay Frictionless' bookkeeping with the same cast values,
remembered by ``KeyMemory`` (a dict that moves to a temporary SQLite file past a size, so
memory stays bounded however long the file).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import frictionless
from frictionless import errors as fl_errors
from frictionless.formats.csv.control import CsvControl
from frictionless.table.row import Row, create_cell_handlers

from datasets.validation.arrow_engine import arrow_batches_possible, run_arrow
from datasets.validation.checks import ColumnChecker, build_checker
from datasets.validation.keys import KeyMemory

__all__ = ["BATCH_ROWS", "EngineUnsupported", "Observer", "run_fast_engine"]

# Hears each batch of data rows before it is checked: the rows, and the same batch as columns
# when every row has the schema's width (the engine transposes it for its checks anyway, so a
# column-wise observer need not do it again); None otherwise.
Observer = Callable[[list[list[str]], Sequence[tuple[str, ...]] | None], None]

BATCH_ROWS = 20_000
# The engine replays internals of this exact release (pinned in setup.cfg); any other
# version is validated by Frictionless itself until the tests have been run against it.
_VERIFIED_FRICTIONLESS = "5.21.0"
# Failures of the source that Frictionless reports as errors of its own (encoding-error,
# source-error...): the engine hands the whole file to Frictionless instead.
_SOURCE_FAILURES = (csv.Error, UnicodeError, LookupError, OSError)


class EngineUnsupported(Exception):
    """Raised when the fast engine cannot promise Frictionless' result for this input."""


@dataclass
class _Plan:
    path: Path
    encoding: str
    newline: str | None
    csv_dialect: Any
    dialect: Any
    simple_header: bool
    handlers: Any
    field_names: list[str]
    checkers: list[ColumnChecker]
    unique: list[int]
    primary: list[int]
    header_errors: list[Any]
    fields: list[Any] = field(default_factory=list)
    missing: list[list[str]] = field(default_factory=list)  # missing values of each field
    memory: list[KeyMemory] = field(default_factory=list)


def run_fast_engine(
    resource: Any,
    *,
    limit_errors: int,
    progress: Callable[[int], None] | None,
    observe: Observer | None = None,
) -> tuple[int, list[Any], bool]:
    """Validate an unopened ``frictionless.Resource``; return (rows read, errors, truncated).

    ``observe`` receives every batch of data rows before it is checked, when the file is a
    plain comma-separated CSV with one header row (each data row is then one record of the
    file, in order); otherwise it receives nothing.
    Raises EngineUnsupported when Frictionless must validate this resource itself.
    """
    plan = _plan(resource)
    plain = plan.simple_header and getattr(plan.csv_dialect, "delimiter", ",") == ","
    try:
        return _run(plan, limit_errors, progress, observe if plain else None)
    finally:
        for memory in plan.memory:
            memory.close()


def _run(
    plan: _Plan,
    limit_errors: int,
    progress: Callable[[int], None] | None,
    observe: Observer | None,
) -> tuple[int, list[Any], bool]:
    try:
        if arrow_batches_possible(plan):  # issue 24: a plain file, parsed by Arrow
            return run_arrow(plan, limit_errors, progress, observe, _suspect_errors, BATCH_ROWS)
    except (*_SOURCE_FAILURES, ValueError) as exc:  # Arrow's errors are ValueErrors
        raise EngineUnsupported("source") from exc
    found: list[Any] = list(plan.header_errors)
    read = 0
    width = len(plan.checkers)
    try:
        with plan.path.open(encoding=plan.encoding, newline=plan.newline) as text:
            for numbers, rows in _batches(plan, csv.reader(text, plan.csv_dialect)):
                columns = list(zip(*rows, strict=True)) if _regular(rows, width) else None
                if observe is not None:
                    observe(rows, columns)
                if read == 0 and limit_errors and len(found) >= limit_errors:
                    return 1, found[:limit_errors], True
                for index, row_errors in _batch_errors(plan, numbers, rows, columns):
                    found.extend(row_errors)
                    if limit_errors and len(found) >= limit_errors:
                        return read + index + 1, found[:limit_errors], True
                read += len(rows)
                if progress is not None:
                    progress(read)
    except _SOURCE_FAILURES as exc:
        raise EngineUnsupported("source") from exc
    return read, found, False


def _plan(resource: Any) -> _Plan:
    if frictionless.settings.VERSION != _VERIFIED_FRICTIONLESS:
        raise EngineUnsupported("frictionless version")
    try:
        resource.open()
    except Exception as exc:  # Frictionless turns this into its own report
        raise EngineUnsupported("open") from exc
    try:
        return _plan_open(resource)
    finally:
        resource.close()


def _plan_open(resource: Any) -> _Plan:
    dialect = resource.dialect
    supported = (
        isinstance(resource, frictionless.resources.TableResource)
        and resource.format in ("csv", "tsv")
        and resource.scheme == "file"
        and not resource.compression
        and not resource.innerpath
        and not resource.schema.foreign_keys
        and dialect.header_case
        and (resource.labels or resource.fragment)
    )
    if not supported:
        raise EngineUnsupported("resource")
    fields = list(resource.header.get_expected_fields())
    if not fields:
        raise EngineUnsupported("no fields")
    names = [item.name for item in fields]
    unique = [i for i, item in enumerate(fields) if item.constraints.get("unique")]
    primary_key = list(resource.schema.primary_key)
    primary = [names.index(name) for name in primary_key] if set(primary_key) <= set(names) else []
    keyed = set(unique) | set(primary)
    checkers = []
    missing_values = []
    for index, item in enumerate(fields):
        missing = item.missing_values
        if not item.has_defined("missing_values") and item.schema:
            missing = item.schema.missing_values
        missing_values.append(list(missing))
        checkers.append(build_checker(item, list(missing), need_values=index in keyed))
    simple = bool(
        dialect.header
        and list(dialect.header_rows) == [1]
        and not dialect.comment_char
        and not dialect.comment_rows
        and not dialect.skip_blank_rows
    )
    plan = _Plan(
        path=Path(resource.normpath),
        encoding=resource.encoding,
        newline="" if resource.format == "csv" else None,
        csv_dialect=CsvControl.from_dialect(dialect).to_python(),
        dialect=dialect,
        simple_header=simple,
        handlers=create_cell_handlers(fields),
        field_names=names,
        checkers=checkers,
        unique=unique,
        primary=primary,
        header_errors=list(resource.header.errors),
        fields=fields,
        missing=missing_values,
    )
    plan.memory = [KeyMemory() for _ in range(len(unique) + bool(primary))]
    return plan


def _batches(plan: _Plan, reader: Iterator[list[str]]) -> Iterator[tuple[Sequence[int], list[Any]]]:
    if plan.simple_header:
        if next(reader, None) is None:
            return
        number = 2
        while rows := list(islice(reader, BATCH_ROWS)):
            yield range(number, number + len(rows)), rows
            number += len(rows)
        return
    stream = plan.dialect.read_enumerated_content_stream(reader)
    while pairs := list(islice(stream, BATCH_ROWS)):
        yield [pair[0] for pair in pairs], [pair[1] for pair in pairs]


def _regular(rows: list[Any], width: int) -> bool:
    """True when every row of the batch has ``width`` cells (and the batch has a row)."""
    return bool(rows) and list(map(len, rows)).count(width) == len(rows)


def _batch_errors(
    plan: _Plan,
    numbers: Sequence[int],
    rows: list[Any],
    columns: Sequence[tuple[str, ...]] | None,
) -> list[tuple[int, list[Any]]]:
    """Return (index in batch, Frictionless errors) for each row with errors, in order.

    ``columns`` is the batch transposed when every row has the schema's width, else None.
    """
    width = len(plan.checkers)
    regular: list[int] | None = None
    suspects: set[int] = set()
    if columns is None:
        lengths = list(map(len, rows))
        regular = [i for i, length in enumerate(lengths) if length == width]
        suspects = {i for i, length in enumerate(lengths) if length != width}
        subset = [rows[i] for i in regular]
        columns = list(zip(*subset, strict=True)) if subset else None
    values = _check_columns(plan, columns, len(rows), regular, suspects)
    return _suspect_errors(plan, numbers, rows, suspects, values)


def _suspect_errors(
    plan: _Plan,
    numbers: Sequence[int],
    rows: Sequence[Any],
    suspects: set[int],
    values: dict[int, list[Any]],
) -> list[tuple[int, list[Any]]]:
    """Frictionless' errors of the suspect rows and of the key checks, by index in batch."""
    if not plan.memory:
        return [(i, _exact_row(plan, rows[i], numbers[i]).errors) for i in sorted(suspects)]
    return _with_integrity(plan, numbers, rows, suspects, values)


def _check_columns(
    plan: _Plan,
    columns: Sequence[tuple[str, ...]] | None,
    count: int,
    regular: list[int] | None,
    suspects: set[int],
) -> dict[int, list[Any]]:
    """Run every column checker on the regular rows; extend ``suspects``; return key values.

    ``columns`` holds the regular rows' cells (all ``count`` rows of the batch when
    ``regular`` is None, else the rows listed in ``regular``); None when there is none.
    """
    if not columns:
        return {}
    blank: set[int] | None = None
    values: dict[int, list[Any]] = {}
    for index, checker in enumerate(plan.checkers):
        bad, missing, column_values = checker(columns[index])
        if regular is not None:
            bad = [regular[i] for i in bad]
            missing = [regular[i] for i in missing]
        suspects.update(bad)
        blank = set(missing) if blank is None else blank.intersection(missing)
        if column_values is not None:
            if regular is None:
                values[index] = column_values
            else:
                spread: list[Any] = [None] * count
                for position, value in zip(regular, column_values, strict=True):
                    spread[position] = value
                values[index] = spread
    # A row whose every cell is missing is a blank-row: Frictionless decides.
    suspects.update(blank or ())
    return values


def _exact_row(plan: _Plan, cells: list[Any], number: int) -> Any:
    return Row(list(cells), handlers=plan.handlers, row_number=number)


def _with_integrity(
    plan: _Plan,
    numbers: Sequence[int],
    rows: Sequence[Any],
    suspects: set[int],
    values: dict[int, list[Any]],
) -> list[tuple[int, list[Any]]]:
    exact = {i: _exact_row(plan, rows[i], numbers[i]) for i in sorted(suspects)}
    found: dict[int, list[Any]] = {i: list(row.errors) for i, row in exact.items() if row.errors}
    for slot, column in enumerate(_key_columns(plan, len(rows), exact, values)):
        memory = plan.memory[slot]
        if memory.fresh_run(column, numbers):  # an id column: new keys, no conflict
            memory.record(column, numbers)
            continue
        is_primary = slot >= len(plan.unique)
        counts = Counter(column)
        seen = memory.find(key for key in counts if key is not None)
        conflicts = _conflicts(counts, seen, is_primary, composite=len(plan.primary) > 1)
        # Keys seen once, and never before, break no rule: remember them in one call.
        if not conflicts and None not in counts:
            memory.record(column, numbers)
            continue
        keep = [i for i, key in enumerate(column) if key is not None and key not in conflicts]
        memory.record([column[i] for i in keep], [numbers[i] for i in keep])
        if not conflicts:
            continue
        recent = dict(seen)
        for i in [i for i, key in enumerate(column) if key in conflicts]:
            note = _remember(recent, column[i], numbers[i], is_primary)
            if note is None:
                continue
            row = exact.get(i) or _exact_row(plan, rows[i], numbers[i])
            if is_primary:
                error = fl_errors.PrimaryKeyError.from_row(row, note=note)
            else:
                name = plan.field_names[plan.unique[slot]]
                error = fl_errors.UniqueError.from_row(row, note=note, field_name=name)
            found.setdefault(i, []).append(error)
        memory.record(list(recent), list(recent.values()))
    return sorted(found.items())


def _key_columns(
    plan: _Plan, size: int, exact: dict[int, Any], values: dict[int, list[Any]]
) -> list[list[Any]]:
    """Return one list of cast keys per unique field, then the primary key (if any).

    A one-field primary key is kept as the bare value (equal tuples of one item are equal
    values) and a missing one as None; a composite key is a tuple.
    """
    empty: list[Any] = [None] * size
    columns = [list(values.get(index, empty)) for index in plan.unique]
    if len(plan.primary) == 1:
        columns.append(list(values.get(plan.primary[0], empty)))
    elif plan.primary:
        parts = [values.get(index, empty) for index in plan.primary]
        columns.append(list(zip(*parts, strict=True)))
    for i, row in exact.items():
        for slot, index in enumerate(plan.unique):
            columns[slot][i] = row[plan.field_names[index]]
        if len(plan.primary) == 1:
            columns[-1][i] = row[plan.field_names[plan.primary[0]]]
        elif plan.primary:
            columns[-1][i] = tuple(row[plan.field_names[index]] for index in plan.primary)
    return columns


_EMPTY_KEY = object()


def _conflicts(
    counts: Counter[Any], seen: dict[Any, int], is_primary: bool, *, composite: bool
) -> set[Any]:
    """Return the keys of the batch that repeat (in it or in memory), or are empty keys."""
    repeated = {key for key, count in counts.items() if count > 1}
    repeated.update(seen)
    if is_primary:
        if composite:
            repeated.update(key for key in counts if set(key) == {None})
        elif None in counts:
            repeated.add(None)
    repeated.discard(_EMPTY_KEY)
    if not (is_primary and not composite):
        repeated.discard(None)
    return repeated


def _remember(memory: dict[Any, int], key: Any, number: int, is_primary: bool) -> str | None:
    """Record ``key`` at row ``number``; return Frictionless' note when it breaks a rule."""
    if is_primary and (key is None or (isinstance(key, tuple) and set(key) == {None})):
        return 'cells composing the primary keys are all "None"'
    if key is None:
        return None
    match = memory.get(key)
    memory[key] = number
    if match:
        return f"the same as in the row at position {match}"
    return None
