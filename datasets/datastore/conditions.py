"""Comparison operators of a ``DatastoreQuery`` (``col__gt=10``), as parameterised SQL.

Each condition names a column, an operator of ``OPERATORS`` and the raw value from the
query string; the value is cast to the column's type (a value that does not parse is a
``BadQuery`` naming the column and the type). ``contains`` and ``startswith`` build
``LIKE`` patterns in which ``%``, ``_`` and ``\\`` of the value are literal; both backends
ignore the case of ASCII letters only (SQLite's ``LIKE``, PostgreSQL's ``ILIKE`` under
the ``"C"`` collation every text column has), so they answer alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from datasets.datastore.base import BadQuery, DatastoreField, UnknownField
from datasets.datastore.casting import cast_filter_value

if TYPE_CHECKING:
    from datasets.datastore.querying import Dialect

OPERATORS = ("gt", "gte", "lt", "lte", "ne", "in", "contains", "startswith", "isnull")
MAX_CONDITIONS = 20
"""Most filters (equality and operators together) one query may hold."""
MAX_VALUE_CHARS = 1000
"""Longest value of one filter (an ``in`` list as a whole)."""
MAX_IN_VALUES = 100
"""Most values of one ``in`` list."""

_COMPARE = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_TEXT_ONLY = ("contains", "startswith")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def split_operator(key: str) -> tuple[str, str | None]:
    """Split ``col__op`` into ``(col, op)``; ``(key, None)`` when no operator ends it."""
    column, sep, op = key.rpartition("__")
    if sep and column and op in OPERATORS:
        return column, op
    return key, None


def escape_like(value: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` so a ``LIKE ... ESCAPE '\\'`` pattern matches them."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_bounds(
    filters: Mapping[str, Sequence[str]], conditions: Sequence[tuple[str, str, str]]
) -> None:
    """Raise ``BadQuery`` past the number of filters or the length of a value."""
    values = [v for vs in filters.values() for v in ([vs] if isinstance(vs, str) else vs)]
    values += [value for _, _, value in conditions]
    if len(values) > MAX_CONDITIONS:
        raise BadQuery(f"at most {MAX_CONDITIONS} filters per query")
    if any(len(v) > MAX_VALUE_CHARS for v in values):
        raise BadQuery(f"a filter value may have at most {MAX_VALUE_CHARS} characters")


def condition_sql(
    by_name: Mapping[str, DatastoreField], column: str, op: str, raw: str, dialect: Dialect
) -> tuple[str, list[Any]]:
    """Return the SQL clause and parameters of ``column <op> raw``.

    Raises ``UnknownField`` for a column the table lacks and ``BadQuery`` for an
    unknown operator or a value that does not fit.
    """
    if column not in by_name:
        raise UnknownField(column)
    field = by_name[column]
    col = "_id" if column == "_id" else dialect.ident(column)
    p = dialect.param
    if op in _COMPARE:
        return f"{col} {_COMPARE[op]} {p}", [cast_filter_value(field, raw)]
    if op == "ne":  # a missing value is not equal to anything
        return f"({col} <> {p} OR {col} IS NULL)", [cast_filter_value(field, raw)]
    if op == "in":
        items = [item.strip() for item in raw.split(",")] if raw.strip() else []
        if not items or len(items) > MAX_IN_VALUES:
            raise BadQuery(f"{column}__in takes 1 to {MAX_IN_VALUES} comma-separated values")
        cast = [cast_filter_value(field, item) for item in items]
        return f"{col} IN ({', '.join([p] * len(cast))})", cast
    if op == "isnull":
        word = raw.strip().lower()
        if word not in (*_TRUE, *_FALSE):
            raise BadQuery(f"{column}__isnull takes true or false")
        return f"{col} {'IS' if word in _TRUE else 'IS NOT'} NULL", []
    if op in _TEXT_ONLY:
        if field.type != "text":
            raise BadQuery(f"{column}__{op} applies to text columns; {column!r} is {field.type}")
        pattern = escape_like(raw)
        pattern = f"%{pattern}%" if op == "contains" else f"{pattern}%"
        return f"{col} {dialect.like} {p} ESCAPE '\\'", [pattern]
    raise BadQuery(f"unknown operator: {op}")
