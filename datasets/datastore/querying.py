"""Translate a ``DatastoreQuery`` into parameterised SQL, the same way for every backend.

Identifiers are validated against the table's columns and quoted; every value (filter
values, full-text words, cursor positions, limits) is a bound parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datasets.datastore.base import (
    BadQuery,
    BoundingBox,
    DatastoreField,
    DatastoreQuery,
    SqlNotAllowed,
    UnknownField,
)
from datasets.datastore.casting import cast_filter_value, query_words, quote_ident
from datasets.datastore.conditions import condition_sql

MAX_LIMIT = 32_000
"""Largest page a single ``search`` call returns (the web API caps pages lower)."""

TextMatch = Callable[[list[str]], tuple[str, Any]]


@dataclass(frozen=True)
class Dialect:
    """The few ways SQLite and PostgreSQL differ for these queries."""

    param: str  # "?" or "%s"
    explicit_nulls: bool  # write NULLS FIRST/LAST (PostgreSQL's defaults differ)
    percent_escape: bool  # "%" in identifiers must be doubled (psycopg)
    like: str = "LIKE"  # ASCII-case-insensitive pattern match ("ILIKE" on PostgreSQL)
    real: str = "REAL"  # the floating-point type an average is cast to

    def ident(self, name: str) -> str:
        """Quote ``name`` for this dialect's SQL text."""
        quoted = quote_ident(name)
        return quoted.replace("%", "%%") if self.percent_escape else quoted


@dataclass(frozen=True)
class PlannedQuery:
    """SQL for one page; the first ``key_count`` selected values are the keyset key."""

    fields: tuple[DatastoreField, ...]
    sql: str
    params: list[Any]
    key_count: int
    count_sql: str
    count_params: list[Any]
    keyset: bool
    offset: int


ROW_ID = DatastoreField("_id", "integer")
"""The row number every table has; answered only when asked (``with_id`` or by name)."""


def select_fields(
    table_fields: Sequence[DatastoreField], query: DatastoreQuery
) -> tuple[DatastoreField, ...]:
    """Return the columns a query answers; raise ``UnknownField``."""
    by_name = {ROW_ID.name: ROW_ID, **{f.name: f for f in table_fields}}
    first = (ROW_ID,) if query.with_id else ()
    if query.fields is None:
        return (*first, *table_fields)
    chosen: list[DatastoreField] = list(first)
    for name in query.fields:
        if name not in by_name:
            raise UnknownField(name)
        if by_name[name] not in chosen:
            chosen.append(by_name[name])
    if not chosen:
        raise BadQuery("no fields selected")
    return tuple(chosen)


def encode_cursor(payload: dict[str, Any]) -> str:
    """Encode a cursor payload as an opaque URL-safe string."""
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Decode a cursor from ``encode_cursor``; raise ``BadQuery`` when it is malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadQuery("malformed cursor") from None
    if not isinstance(payload, dict):
        raise BadQuery("malformed cursor")
    return payload


def where_clauses(
    by_name: dict[str, DatastoreField],
    query: DatastoreQuery,
    dialect: Dialect,
    text_match: TextMatch,
) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (ANDed) of ``query``'s filters, operators and ``q``."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, values in query.filters.items():
        if name not in by_name:
            raise UnknownField(name)
        if isinstance(values, str):
            values = [values]
        if not values:
            continue
        cast = [cast_filter_value(by_name[name], v) for v in values]
        marks = ", ".join([dialect.param] * len(cast))
        clauses.append(f"{dialect.ident(name)} IN ({marks})")
        params.extend(cast)
    if query.bbox is not None:
        clauses.append(_inside_box(by_name, query.bbox, dialect, params))
    for column, op, raw in query.conditions:
        literal = f"{column}__{op}"
        if column not in by_name and literal in by_name:  # a column named like "a__gt"
            value = cast_filter_value(by_name[literal], raw)
            clause, values = f"{dialect.ident(literal)} = {dialect.param}", [value]
        else:
            clause, values = condition_sql(by_name, column, op, raw, dialect)
        clauses.append(clause)
        params.extend(values)
    if query.q:
        words = query_words(query.q)
        if words:
            clause, param = text_match(words)
            clauses.append(clause)
            params.append(param)
    return clauses, params


def _inside_box(
    by_name: dict[str, DatastoreField], box: BoundingBox, dialect: Dialect, params: list[Any]
) -> str:
    """The condition "the row's point lies in ``box``"; its four bounds go to ``params``."""
    for name in (box.latitude, box.longitude):
        if name not in by_name:
            raise UnknownField(name)
        if by_name[name].type not in ("number", "integer"):
            raise BadQuery(f"the coordinate column {name!r} is not numeric")
    p = dialect.param
    lat, lon = dialect.ident(box.latitude), dialect.ident(box.longitude)
    params.extend([box.min_lat, box.max_lat, box.min_lon, box.max_lon])
    return f"({lat} BETWEEN {p} AND {p} AND {lon} BETWEEN {p} AND {p})"


def _after(
    keys: list[tuple[str, bool]], values: list[Any], dialect: Dialect
) -> tuple[str, list[Any]]:
    """The condition "strictly after ``values``" in the order of ``keys``.

    NULL sorts first ascending and last descending (SQLite's order, made explicit for
    PostgreSQL). When every value is set and every key sorts the same way, a row-value
    comparison lets the index seek straight to the position.
    """
    p = dialect.param
    cols = [dialect.ident(name) if name != "_id" else "_id" for name, _ in keys]
    if all(v is not None for v in values) and len({d for _, d in keys}) == 1:
        desc = keys[0][1]
        marks = ", ".join([p] * len(values))
        terms = [f"({', '.join(cols)}) {'<' if desc else '>'} ({marks})"]
        params = list(values)
        if desc:  # NULLs come after every value in a descending order
            for i in range(len(keys) - 1):
                eqs = [f"{cols[j]} = {p}" for j in range(i)]
                terms.append(" AND ".join([*eqs, f"{cols[i]} IS NULL"]))
                params.extend(values[:i])
        return "(" + " OR ".join(f"({t})" for t in terms) + ")", params
    terms = []
    params = []
    for i, (_, desc) in enumerate(keys):
        conj: list[str] = []
        term_params: list[Any] = []
        for j in range(i):
            if values[j] is None:
                conj.append(f"{cols[j]} IS NULL")
            else:
                conj.append(f"{cols[j]} = {p}")
                term_params.append(values[j])
        value = values[i]
        if desc and value is None:
            continue  # nothing sorts after NULL in a descending key
        if value is None:
            conj.append(f"{cols[i]} IS NOT NULL")
        elif desc:
            conj.append(f"({cols[i]} < {p} OR {cols[i]} IS NULL)")
            term_params.append(value)
        else:
            conj.append(f"{cols[i]} > {p}")
            term_params.append(value)
        terms.append("(" + " AND ".join(conj) + ")")
        params.extend(term_params)
    return ("(" + " OR ".join(terms) + ")" if terms else "(1 = 0)"), params


def order_by(
    keys: list[tuple[str, bool]], dialect: Dialect, nulls: Mapping[str, str] | None = None
) -> str:
    parts = []
    for name, desc in keys:
        col = "_id" if name == "_id" else dialect.ident(name)
        where = (nulls or {}).get(name)
        if where is not None:
            position = f" NULLS {where.upper()}"
        else:
            position = (" NULLS LAST" if desc else " NULLS FIRST") if dialect.explicit_nulls else ""
        parts.append(f"{col} {'DESC' if desc else 'ASC'}{position}")
    return ", ".join(parts)


def _custom_nulls(query: DatastoreQuery) -> bool:
    """Whether ``query.nulls`` moves NULLs from their default place; raise ``BadQuery``."""
    directions = dict(query.sort)
    custom = False
    for name, where in query.nulls.items():
        if name not in directions or where not in ("first", "last"):
            raise BadQuery("nulls first or last applies to a sort column")
        custom = custom or where != ("last" if directions[name] else "first")
    return custom


def _offset_cursor(query: DatastoreQuery) -> int:
    position = decode_cursor(query.cursor or "").get("o")
    if not isinstance(position, int) or position < 0:
        raise BadQuery("malformed cursor")
    return position


def plan_search(
    table: str,
    table_fields: Sequence[DatastoreField],
    query: DatastoreQuery,
    dialect: Dialect,
    text_match: TextMatch,
    *,
    paged: bool = True,
) -> PlannedQuery:
    """Plan the SQL of one page (or, with ``paged=False``, of the whole result).

    ``table`` is the already-quoted table reference. Raises ``UnknownField`` and
    ``BadQuery``.
    """
    if paged and not (0 <= query.limit <= MAX_LIMIT):
        raise BadQuery(f"limit must be between 0 and {MAX_LIMIT}")
    if paged and query.offset < 0:
        raise BadQuery("offset must not be negative")
    by_name = {ROW_ID.name: ROW_ID, **{f.name: f for f in table_fields}}
    fields = select_fields(table_fields, query)
    custom_nulls = _custom_nulls(query)
    for name, _ in query.sort:
        if name not in by_name:
            raise UnknownField(name)
    clauses, params = where_clauses(by_name, query, dialect, text_match)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    field_sql = ", ".join(dialect.ident(f.name) for f in fields)
    count_params = list(params)
    p = dialect.param
    offset = query.offset if paged else 0
    if query.distinct:
        sort_names = [name for name, _ in query.sort]
        if any(by_name[n] not in fields for n in sort_names):
            raise BadQuery("with distinct, sort only by selected fields")
        keys = [*query.sort, *((f.name, False) for f in fields if f.name not in sort_names)]
        if paged and query.cursor:
            offset += _offset_cursor(query)
        order = order_by(keys, dialect, query.nulls)
        sql = f"SELECT DISTINCT {field_sql} FROM {table}{where} ORDER BY {order}"
        count_sql = f"SELECT count(*) FROM (SELECT DISTINCT {field_sql} FROM {table}{where}) d"
        if paged:
            sql += f" LIMIT {p} OFFSET {p}"
            params += [query.limit + 1, offset]
        return PlannedQuery(fields, sql, params, 0, count_sql, count_params, False, offset)
    last_desc = query.sort[-1][1] if query.sort else False
    keys = [*query.sort]
    if not keys or keys[-1][0] != "_id":
        keys.append(("_id", last_desc))
    key_sql = ", ".join("_id" if n == "_id" else dialect.ident(n) for n, _ in keys)
    count_sql = f"SELECT count(*) FROM {table}{where}"
    if custom_nulls:  # NULLs out of their usual place: pages by offset, not by key
        if paged and query.cursor:
            offset += _offset_cursor(query)
        sql = f"SELECT {key_sql}, {field_sql} FROM {table}{where}"
        sql += f" ORDER BY {order_by(keys, dialect, query.nulls)}"
        if paged:
            sql += f" LIMIT {p} OFFSET {p}"
            params += [query.limit + 1, offset]
        return PlannedQuery(fields, sql, params, len(keys), count_sql, count_params, False, offset)
    if paged and query.cursor:
        payload = decode_cursor(query.cursor)
        values = payload.get("k")
        if payload.get("s") != [[n, d] for n, d in query.sort] or not isinstance(values, list):
            raise BadQuery("the cursor belongs to another sort order")
        if len(values) != len(keys) or not isinstance(values[-1], int):
            raise BadQuery("malformed cursor")
        after, after_params = _after(keys, values, dialect)
        where = f"{where} AND {after}" if where else f" WHERE {after}"
        params += after_params
    sql = f"SELECT {key_sql}, {field_sql} FROM {table}{where} ORDER BY {order_by(keys, dialect)}"
    if paged:
        sql += f" LIMIT {p} OFFSET {p}"
        params += [query.limit + 1, offset]
    return PlannedQuery(fields, sql, params, len(keys), count_sql, count_params, True, offset)


def next_cursor_for(
    plan: PlannedQuery, query: DatastoreQuery, last_key: Sequence[Any], page_size: int
) -> str:
    """Return the cursor of the page after the one whose last row had ``last_key``."""
    if plan.keyset:
        return encode_cursor({"s": [[n, d] for n, d in query.sort], "k": list(last_key)})
    return encode_cursor({"o": plan.offset + page_size})


_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


def check_select(sql: str) -> str:
    """Return ``sql`` if it starts as a SELECT (or WITH ... SELECT); raise ``SqlNotAllowed``.

    This is the friendly first check; the backends also enforce read-only access with
    an authorizer or a SELECT-only role and refuse several statements.
    """
    noise = _LEADING_NOISE.match(sql)  # matches the empty string at worst
    body = sql[noise.end() :] if noise else sql
    if not re.match(r"(?i)(select|with)\b", body):
        raise SqlNotAllowed("only a single SELECT statement is allowed")
    return sql
