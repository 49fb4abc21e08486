"""Column checks on Arrow arrays for the fast engine (issue 24).

The same contract as ``checks``: a checker returns the positions of the cells that *might*
carry an error, the positions of missing cells and (when asked) the values Frictionless
would cast; Frictionless' own ``Row`` then reads every suspect row. Acceptance is sound and
narrower than Frictionless': a cell is clean only when it has a plain form whose reading is
certain (``-?digits`` for an integer, ``-?digits[.digits]`` for a number, ``YYYY-MM-DD``
with a real day for a date); anything else is suspect. Bounds on numbers are checked on
doubles with a margin, so a value near a bound is suspect too. A field whose type, format or
constraints are not covered here gets no Arrow checker: the engine gives that column to the
Python checker (``checks``) as a list of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ArrowCheck", "ArrowChecker", "build_arrow_checker"]

# (suspect positions, missing positions, cast values or None), positions as NumPy arrays.
ArrowCheck = tuple[np.ndarray, np.ndarray, list[Any] | None]
ArrowChecker = Callable[[pa.Array], ArrowCheck]

_INTEGER = r"^-?[0-9]{1,18}$"
_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_MARGIN = 1e-9  # relative: a double within this of a bound is decided by Frictionless
# Properties that do not change how a cell is read (custom ones are ignored by Frictionless).
_NEUTRAL = frozenset(
    {"name", "title", "description", "constraints", "type", "format", "schema", "custom"}
    | {"missing_values", "example", "rdf_type"}
)
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # the digits of "YYYY-MM-DD"


def build_arrow_checker(
    field: Any, missing_values: Sequence[str], *, need_values: bool
) -> ArrowChecker | None:
    """Return the Arrow checker of a ``frictionless.Field``, or None when it has none."""
    kind = field.type
    if field.format != "default" or set(field.list_defined()) - _NEUTRAL:
        return None
    constraints = {k: v for k, v in field.constraints.items() if v is not None}
    required = bool(constraints.pop("required", False))
    constraints.pop("unique", None)
    if kind == "string":
        if not set(constraints) <= {"enum", "minLength", "maxLength"}:
            return None
        check = _string_check(constraints, need_values)
    elif kind in ("integer", "number"):
        if not set(constraints) <= set(_BOUNDS) or (need_values and kind == "number"):
            return None
        reader = field.create_value_reader()
        bounds = {name: reader(value) for name, value in constraints.items()}
        allowed: tuple[type, ...] = (int,) if kind == "integer" else (int, Decimal)
        if any(isinstance(b, bool) or not isinstance(b, allowed) for b in bounds.values()):
            return None
        check = _integer_check(bounds, need_values) if kind == "integer" else _number_check(bounds)
    elif kind == "date":
        if need_values or constraints:
            return None
        check = _date_check
    else:
        return None
    missing_set = pa.array(list(missing_values), type=pa.string())

    def checker(column: pa.Array) -> ArrowCheck:
        absent = (
            pc.is_in(column, value_set=missing_set).to_numpy(zero_copy_only=False)
            if len(missing_set)
            else np.zeros(len(column), dtype=bool)
        )
        bad, values = check(column)
        bad &= ~absent
        missing = np.flatnonzero(absent)
        if required and len(missing):
            bad |= absent
            missing = missing[:0]
        if values is not None and absent.any():
            for position in np.flatnonzero(absent).tolist():
                values[position] = None
        return np.flatnonzero(bad), missing, values if need_values else None

    return checker


_Check = Callable[[pa.Array], tuple[np.ndarray, list[Any] | None]]


def _flags(mask: Any) -> np.ndarray:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def _string_check(constraints: dict[str, Any], need_values: bool) -> _Check:
    allowed = pa.array([str(v) for v in constraints["enum"]]) if "enum" in constraints else None

    def check(column: pa.Array) -> tuple[np.ndarray, list[Any] | None]:
        bad = np.zeros(len(column), dtype=bool)
        if allowed is not None:
            bad |= ~_flags(pc.is_in(column, value_set=allowed))
        if "minLength" in constraints or "maxLength" in constraints:
            lengths = pc.utf8_length(column).to_numpy(zero_copy_only=False)
            if "minLength" in constraints:
                bad |= lengths < int(constraints["minLength"])
            if "maxLength" in constraints:
                bad |= lengths > int(constraints["maxLength"])
        return bad, column.to_pylist() if need_values else None

    return check


def _bytes_of(column: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The start and end of each value (no nulls) in its UTF-8 bytes, and the bytes."""
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)
    offsets = offsets[column.offset : column.offset + len(column) + 1].astype(np.int64)
    buffer = column.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    return offsets[:-1], offsets[1:], data


def _integer_check(bounds: dict[str, Any], need_values: bool) -> _Check:
    def check(column: pa.Array) -> tuple[np.ndarray, list[Any] | None]:
        plain = _flags(pc.match_substring_regex(column, _INTEGER))
        safe = pc.if_else(pa.array(plain), column, "0")
        numbers = pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False)
        bad = ~plain
        for name, bound in bounds.items():
            bad |= _outside(numbers, name, bound)
        values = numbers.tolist() if need_values else None
        return bad, values

    return check


def _number_check(bounds: dict[str, Any]) -> _Check:
    def check(column: pa.Array) -> tuple[np.ndarray, list[Any] | None]:
        plain = _flags(pc.match_substring_regex(column, _NUMBER))
        bad = ~plain
        if bounds:
            safe = pc.if_else(pa.array(plain), column, "0")
            doubles = pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False)
            for name, bound in bounds.items():
                edge = float(bound)
                margin = abs(edge) * _MARGIN + 1e-300
                if name in ("minimum", "exclusiveMinimum"):
                    bad |= doubles <= edge + margin
                else:
                    bad |= doubles >= edge - margin
        return bad, None

    return check


def _date_check(column: pa.Array) -> tuple[np.ndarray, list[Any] | None]:
    """``_DATE`` and a real day, read on the bytes with NumPy (a regular expression and a
    cast of each part took eight times as long)."""
    starts, ends, data = _bytes_of(column)
    plain = ends - starts == 10
    if plain.all():  # the usual column: the bytes as a matrix, one value a row, no copy
        cells = (
            data[starts[0] : starts[0] + 10 * len(plain)].reshape(-1, 10)
            if len(plain)
            else data[:0].reshape(0, 10)
        )
    else:
        cells = data[starts[plain][:, None] + np.arange(10)]
    cells = cells - np.uint8(48)  # "0" is 0; a byte below "0" wraps around past 9
    shape = np.all(cells[:, _DATE_DIGITS] < 10, axis=1) & np.all(cells[:, [4, 7]] == 253, axis=1)
    plain[plain] = shape  # 253: "-" (45) less 48, wrapped
    numbers = cells.astype(np.int32)
    year = np.full(len(plain), 2000, dtype=np.int32)
    month = np.ones(len(plain), dtype=np.int32)
    day = np.ones(len(plain), dtype=np.int32)
    good = numbers[shape]
    year[plain] = good[:, 0] * 1000 + good[:, 1] * 100 + good[:, 2] * 10 + good[:, 3]
    month[plain] = good[:, 5] * 10 + good[:, 6]
    day[plain] = good[:, 8] * 10 + good[:, 9]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    longest = _DAYS[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= longest)
    return ~(plain & real), None


def _outside(numbers: np.ndarray, name: str, bound: int) -> np.ndarray:
    if not -(2**62) < bound < 2**62:
        return np.ones(len(numbers), dtype=bool)  # far outside int64's comfort: ask
    if name == "minimum":
        return np.asarray(numbers < bound)
    if name == "maximum":
        return np.asarray(numbers > bound)
    if name == "exclusiveMinimum":
        return np.asarray(numbers <= bound)
    return np.asarray(numbers >= bound)
