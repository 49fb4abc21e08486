"""Plan aggregates and facet counts (``AggregateQuery``, ``FacetQuery``) as parameterised SQL.

Shared by both backends: columns are checked against the table and quoted, every value
is a bound parameter, and the same answer comes back from SQLite and PostgreSQL (an
average is cast to a float on both; minimum and maximum keep the column's type).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datasets.datastore.base import (
    AGGREGATE_FUNCTIONS,
    AggregateQuery,
    BadQuery,
    DatastoreField,
    DatastoreResult,
    Facet,
    FacetQuery,
    UnknownField,
)
from datasets.datastore.querying import (
    ROW_ID,
    Dialect,
    TextMatch,
    decode_cursor,
    encode_cursor,
    order_by,
    where_clauses,
)
from datasets.datastore.results import json_ready

MAX_GROUP_COLUMNS = 5
MAX_MEASURES = 20
MAX_GROUPS = 50_000
"""Most groups an aggregate reaches: the last page ends there, an export refuses more."""
MAX_FACETS = 5
MAX_FACET_SIZE = 50
_NUMERIC = ("integer", "number")


@dataclass(frozen=True)
class PlannedAggregate:
    """The SQL of one page of groups (or of every group) and the columns it answers."""

    fields: tuple[DatastoreField, ...]
    sql: str
    params: list[Any]
    offset: int


def _measure(fn: str, field: DatastoreField, dialect: Dialect) -> tuple[str, DatastoreField]:
    col = dialect.ident(field.name)
    name = f"{fn}_{field.name}"
    if fn in ("sum", "avg") and field.type not in _NUMERIC:
        raise BadQuery(f"_{fn} needs a numeric column; {field.name!r} is {field.type}")
    if fn in ("min", "max") and field.type == "boolean":
        raise BadQuery(f"_{fn} needs a number, date or text column; {field.name!r} is boolean")
    if fn == "sum":
        return f"sum({col})", DatastoreField(name, field.type)
    if fn == "avg":
        return f"CAST(avg({col}) AS {dialect.real})", DatastoreField(name, "number")
    if fn == "distinct":
        return f"count(DISTINCT {col})", DatastoreField(name, "integer")
    return f"{fn}({col})", DatastoreField(name, field.type)


def plan_aggregate(
    table: str,
    table_fields: Sequence[DatastoreField],
    query: AggregateQuery,
    dialect: Dialect,
    text_match: TextMatch,
    *,
    paged: bool = True,
) -> PlannedAggregate:
    """Plan ``SELECT groups, aggregates ... GROUP BY groups``.

    Raises ``UnknownField`` and ``BadQuery``.
    """
    columns = {f.name: f for f in table_fields}
    if len(query.group) > MAX_GROUP_COLUMNS or len(set(query.group)) != len(query.group):
        raise BadQuery(f"group by 1 to {MAX_GROUP_COLUMNS} different columns")
    if len(query.measures) > MAX_MEASURES:
        raise BadQuery(f"at most {MAX_MEASURES} aggregates per query")
    for name in [*query.group, *(column for _, column in query.measures)]:
        if name not in columns:
            raise UnknownField(name)
    selected = [dialect.ident(name) for name in query.group]
    fields = [columns[name] for name in query.group]
    if query.count or not query.measures:
        selected.append(f"count(*) AS {dialect.ident('count')}")
        fields.append(DatastoreField("count", "integer"))
    for fn, column in query.measures:
        if fn not in AGGREGATE_FUNCTIONS:
            raise BadQuery(f"unknown aggregate: {fn}")
        expression, field = _measure(fn, columns[column], dialect)
        selected.append(f"{expression} AS {dialect.ident(field.name)}")
        fields.append(field)
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise BadQuery("two answer columns have the same name")
    by_name = {ROW_ID.name: ROW_ID, **columns}
    clauses, params = where_clauses(by_name, query.where, dialect, text_match)
    sql = f"SELECT {', '.join(selected)} FROM {table}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    if query.group:
        sql += " GROUP BY " + ", ".join(dialect.ident(name) for name in query.group)
    for name, _ in query.sort:
        if name not in names:
            raise BadQuery(f"sort by a group column or an aggregate, not {name!r}")
    sorted_names = {name for name, _ in query.sort}
    keys = [*query.sort, *((n, False) for n in query.group if n not in sorted_names)]
    if keys:
        sql += " ORDER BY " + order_by(keys, dialect)
    p = dialect.param
    offset = 0
    if not paged:
        sql += f" LIMIT {p}"
        return PlannedAggregate(tuple(fields), sql, [*params, MAX_GROUPS + 1], 0)
    if query.cursor:
        position = decode_cursor(query.cursor).get("o")
        if not isinstance(position, int) or position < 0:
            raise BadQuery("malformed cursor")
        offset = position
    if query.limit < 1 or offset + query.limit > MAX_GROUPS:
        raise BadQuery(f"pages of groups reach at most group {MAX_GROUPS:,}")
    sql += f" LIMIT {p} OFFSET {p}"
    return PlannedAggregate(tuple(fields), sql, [*params, query.limit + 1, offset], offset)


def _record(fields: Sequence[DatastoreField], row: Sequence[Any]) -> dict[str, Any]:
    record = {}
    for field, value in zip(fields, row, strict=True):
        value = json_ready(value)
        if field.type == "boolean" and value is not None:
            value = bool(value)  # SQLite stores booleans as 0 and 1
        record[field.name] = value
    return record


def aggregate_result(
    plan: PlannedAggregate, rows: Sequence[Sequence[Any]], query: AggregateQuery, *, paged: bool
) -> DatastoreResult:
    """The groups as JSON-ready records with the next page's cursor; raise past ``MAX_GROUPS``."""
    if not paged:
        if len(rows) > MAX_GROUPS:
            raise BadQuery(f"more than {MAX_GROUPS:,} groups: narrow the query with filters")
        return DatastoreResult(plan.fields, [_record(plan.fields, r) for r in rows], None, None)
    page = rows[: query.limit]
    cursor = None
    if len(rows) > query.limit and plan.offset + len(page) < MAX_GROUPS:
        cursor = encode_cursor({"o": plan.offset + len(page)})
    records = [_record(plan.fields, r) for r in page]
    return DatastoreResult(plan.fields, records, None, cursor)


def plan_facets(
    table: str,
    table_fields: Sequence[DatastoreField],
    query: FacetQuery,
    dialect: Dialect,
    text_match: TextMatch,
) -> list[tuple[DatastoreField, str, list[Any]]]:
    """Plan one ``GROUP BY`` per facet column: most frequent first, then by value."""
    columns = {f.name: f for f in table_fields}
    if len(query.columns) > MAX_FACETS or len(set(query.columns)) != len(query.columns):
        raise BadQuery(f"at most {MAX_FACETS} different facet columns")
    if not 1 <= query.size <= MAX_FACET_SIZE:
        raise BadQuery(f"a facet lists 1 to {MAX_FACET_SIZE} values")
    for name in query.columns:
        if name not in columns:
            raise UnknownField(name)
    by_name = {ROW_ID.name: ROW_ID, **columns}
    clauses, params = where_clauses(by_name, query.where, dialect, text_match)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    p = dialect.param
    planned = []
    for name in query.columns:
        col = dialect.ident(name)
        sql = (
            f"SELECT {col}, count(*) FROM {table}{where} GROUP BY {col} "
            f"ORDER BY count(*) DESC, {order_by([(name, False)], dialect)} LIMIT {p}"
        )
        planned.append((columns[name], sql, [*params, query.size + 1]))
    return planned


def facet_result(field: DatastoreField, rows: Sequence[Sequence[Any]], query: FacetQuery) -> Facet:
    """One facet from its rows ``(value, count)`` (one more than ``size`` tells ``more``)."""
    values = []
    for value, count in rows[: query.size]:
        ready = json_ready(value)
        if field.type == "boolean" and ready is not None:
            ready = bool(ready)
        values.append((ready, int(count)))
    return Facet(field.name, field.type, values, len(rows) > query.size)
