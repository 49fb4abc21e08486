"""Column checkers of the fast validation engine.

A checker looks at one column of a batch of well-formed rows (as many cells as fields) and
returns the positions of the cells that *might* carry an error, the positions of missing
cells, and (when asked) the cast values. Acceptance is sound: a cell is reported clean only
when Frictionless' own cell reader would read it without a note. Everything flagged is then
re-read row by row by Frictionless itself, so the final errors are Frictionless' errors.

Whole-column C-level operations (``map(int, ...)``, ``min``, set inclusion) do the common
case; any doubt (an exception, an unusual option) drops to Frictionless' cell reader for that
column, which is exact but slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = ["ColumnCheck", "ColumnChecker", "build_checker"]

# Returned by a checker: (suspect positions, missing positions, cast values or None).
ColumnCheck = tuple[list[int], list[int], list[Any] | None]
ColumnChecker = Callable[[Sequence[str]], ColumnCheck]
# A fast caster reads every (non-missing) cell or raises; it never returns a wrong value.
_Caster = Callable[[list[str]], list[Any]]

_NUMBER_OPTIONS = {"group_char", "decimal_char", "bare_number", "float_number"}
_BLOCK = 256
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


class _NotFast(Exception):
    """Raised by a fast path that cannot decide; the exact path takes over."""


_FAST_FAILURES = (_NotFast, ValueError, TypeError, ArithmeticError)


def _cast_integer(cells: list[str]) -> list[Any]:
    # Frictionless reads int(cell.strip()); int() strips the same whitespace itself.
    return list(map(int, cells))


def _cast_number(cells: list[str]) -> list[Any]:
    # Frictionless reads Decimal(cell.strip()) by default; Decimal() strips whitespace too.
    return list(map(Decimal, cells))


def _cast_date(cells: list[str]) -> list[Any]:
    # The default format is strptime("%Y-%m-%d"). fromisoformat() also takes other ISO
    # forms (20200101, weeks), so a value is accepted only when it prints back unchanged.
    values = list(map(date.fromisoformat, cells))
    if list(map(date.isoformat, values)) != cells:
        raise _NotFast
    return values


def _cast_string(cells: list[str]) -> list[Any]:
    return cells


def _cast_year(cells: list[str]) -> list[Any]:
    if set(map(len, cells)) != {4}:
        raise _NotFast
    values = list(map(int, cells))
    if values and (min(values) < 0 or max(values) > 9999):
        raise _NotFast
    return values


def _boolean_caster(field: Any) -> _Caster:
    mapping: dict[str, bool] = {}
    for value in field.true_values:
        mapping[value] = True
    for value in field.false_values:
        mapping[value] = False

    def cast(cells: list[str]) -> list[Any]:
        if not set(cells) <= mapping.keys():
            raise _NotFast
        return [mapping[cell] for cell in cells]

    return cast


def _select_caster(field: Any) -> _Caster | None:
    kind = field.type
    defined = set(field.list_defined())
    if kind in ("string", "any") and field.format == "default":
        return _cast_string
    if kind == "integer" and "bare_number" not in defined:
        return _cast_integer
    if kind == "number" and not (_NUMBER_OPTIONS & defined):
        return _cast_number
    if kind == "date" and field.format == "default":
        return _cast_date
    if kind == "year":
        return _cast_year
    if kind == "boolean":
        return _boolean_caster(field)
    return None


def _constraint_suspects(field: Any, values: list[Any], *, skip: set[int]) -> list[int]:
    """Return positions in ``values`` that may break a value constraint.

    Positions in ``skip`` (already suspect, or missing) are left out of the checks.
    """
    if skip:
        kept = [i for i in range(len(values)) if i not in skip]
        found = _constraint_suspects(field, [values[i] for i in kept], skip=set())
        return [kept[i] for i in found]
    reader = field.create_value_reader()
    constraints = field.constraints
    suspects: set[int] = set()
    for name in field.supported_constraints:
        constraint = constraints.get(name)
        if constraint is None or name in ("required", "unique") or not values:
            continue
        if name in _BOUNDS:
            bound = reader(constraint)
            if name in ("minimum", "exclusiveMinimum"):
                lowest = min(values)
                if lowest > bound or (name == "minimum" and lowest == bound):
                    continue
            else:
                highest = max(values)
                if highest < bound or (name == "maximum" and highest == bound):
                    continue
            # Some value is out of bounds: flag the batch's values past the bound.
            suspects.update(_outside(values, name, bound))
        elif name in ("minLength", "maxLength"):
            lengths = list(map(len, values))
            if name == "minLength" and min(lengths) >= constraint:
                continue
            if name == "maxLength" and max(lengths) <= constraint:
                continue
            suspects.update(i for i, n in enumerate(lengths) if not _length_ok(name, n, constraint))
        elif name == "pattern":
            matcher = re.compile(f"^{constraint}$").match
            matches = list(map(matcher, values))
            if None in matches:
                suspects.update(i for i, m in enumerate(matches) if m is None)
        elif name == "enum":
            allowed = list(map(reader, constraint))
            if not set(values) <= set(allowed):
                suspects.update(i for i, v in enumerate(values) if v not in allowed)
        else:
            raise _NotFast
    return sorted(suspects)


def _length_ok(name: str, length: int, constraint: int) -> bool:
    return length >= constraint if name == "minLength" else length <= constraint


def _outside(values: list[Any], name: str, bound: Any) -> list[int]:
    if name == "minimum":
        return [i for i, v in enumerate(values) if not v >= bound]
    if name == "maximum":
        return [i for i, v in enumerate(values) if not v <= bound]
    if name == "exclusiveMinimum":
        return [i for i, v in enumerate(values) if not v > bound]
    return [i for i, v in enumerate(values) if not v < bound]


def _positions_of(cells: list[str], tokens: Sequence[str]) -> list[int]:
    """Return the sorted positions of ``tokens`` in ``cells`` (C-level scans: usually none)."""
    found: list[int] = []
    for token in tokens:
        # all() tests truthiness without comparisons: the cheapest scan for the usual "".
        if (token == "" and all(cells)) or token not in cells:
            continue
        index = cells.index(token)
        while True:
            found.append(index)
            try:
                index = cells.index(token, index + 1)
            except ValueError:
                break
    return sorted(found)


def _without(cells: list[str], positions: list[int]) -> list[str]:
    """Return ``cells`` without the (sorted, distinct) ``positions``, by slices."""
    if not positions:
        return cells
    kept: list[str] = []
    previous = 0
    for position in positions:
        kept.extend(cells[previous:position])
        previous = position + 1
    kept.extend(cells[previous:])
    return kept


def _complement(size: int, positions: list[int]) -> list[int]:
    """Return the positions of ``range(size)`` not in the sorted ``positions``."""
    kept: list[int] = []
    previous = 0
    for position in positions:
        kept.extend(range(previous, position))
        previous = position + 1
    kept.extend(range(previous, size))
    return kept


def build_checker(field: Any, missing_values: Sequence[str], *, need_values: bool) -> ColumnChecker:
    """Return the checker of one Frictionless field (``frictionless.Field``).

    ``missing_values`` are the strings read as a missing cell for this field (field level or
    schema level, as Frictionless resolves them). Values are returned only when asked
    (unique and primary-key columns) and are exactly the values Frictionless would cast.
    """
    exact_reader = field.create_cell_reader()
    caster = _select_caster(field)
    required = bool(field.constraints.get("required"))

    def exact(column: Sequence[str]) -> ColumnCheck:
        suspects: list[int] = []
        missing: list[int] = []
        values: list[Any] = []
        for index, cell in enumerate(column):
            value, notes = exact_reader(cell)
            if notes:
                suspects.append(index)
            elif value is None:
                missing.append(index)
            values.append(value)
        return suspects, missing, values if need_values else None

    def cast(cells: list[str]) -> tuple[list[Any], list[int], list[Any]]:
        """Cast with the fast caster; return (values, suspect positions, None of missing)."""
        assert caster is not None
        try:
            return caster(cells), [], []
        except _FAST_FAILURES:
            pass
        # Some cell needs a closer look: cast block by block, then cell by cell, and ask
        # Frictionless only about the cells the fast caster refuses.
        values: list[Any] = []
        suspects: list[int] = []
        missing: list[int] = []
        for start in range(0, len(cells), _BLOCK):
            block = cells[start : start + _BLOCK]
            try:
                values.extend(caster(block))
                continue
            except _FAST_FAILURES:
                pass
            for offset, cell in enumerate(block):
                try:
                    values.extend(caster([cell]))
                    continue
                except _FAST_FAILURES:
                    pass
                value, notes = exact_reader(cell)
                if notes:
                    suspects.append(start + offset)
                elif value is None:
                    missing.append(start + offset)
                values.append(value)
        return values, suspects, missing

    def fast(column: Sequence[str]) -> ColumnCheck:
        cells = list(column)
        absent = _positions_of(cells, missing_values)
        subset = _without(cells, absent)
        casted, sub_suspects, sub_missing = cast(subset)
        known = set(sub_suspects) | set(sub_missing)
        local = set(_constraint_suspects(field, casted, skip=known)).union(sub_suspects)
        if absent:
            present = _complement(len(cells), absent)
            local = {present[i] for i in local}
            sub_missing = [present[i] for i in sub_missing]
        missing = sorted(absent + sub_missing)
        if required and missing:
            local.update(missing)
            missing = []
        values: list[Any] | None = None
        if need_values:
            values = casted
            if absent:
                values = [None] * len(cells)
                for position, value in zip(present, casted, strict=True):
                    values[position] = value
        return sorted(local), missing, values

    if caster is None:
        return exact

    def check(column: Sequence[str]) -> ColumnCheck:
        try:
            return fast(column)
        except _FAST_FAILURES:
            return exact(column)

    return check
