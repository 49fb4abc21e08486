"""The query string of ``records``: filters and operators, aggregates, facets (issue 23).

``col=value`` filters exactly; ``col__gt=value`` (and ``__gte``, ``__lt``, ``__lte``,
``__ne``, ``__in``, ``__contains``, ``__startswith``, ``__isnull``) compares, typed by the
column. ``_group``/``_count``/``_sum``/``_avg``/``_min``/``_max``/``_distinct`` turn the
answer into groups; ``_facet`` adds the most frequent values of columns to a JSON answer.
"""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.api.datasets import int_arg
from app.api.responses import BadParameter
from datasets.datastore import (
    MAX_FACET_SIZE,
    AggregateQuery,
    DatastoreQuery,
    FacetQuery,
    check_bounds,
    split_operator,
)

MEASURES = {"_sum": "sum", "_avg": "avg", "_min": "min", "_max": "max", "_distinct": "distinct"}
AGGREGATE_PARAMS = frozenset({"_group", "_count", *MEASURES})
RESERVED = frozenset(
    {"_q", "_sort", "_fields", "_limit", "_cursor", "_format", "_facet", "_facet_size", "_bbox"}
    | AGGREGATE_PARAMS
)
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
DEFAULT_FACET_SIZE = 10
_NO = ("0", "false", "no")


def split(raw: str) -> list[str]:
    """The non-blank items of a comma-separated list."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def _listed(args: MultiDict[str, str], name: str) -> list[str]:
    """Every item of a repeatable, comma-separated parameter, in order."""
    return [item for raw in args.getlist(name) for item in split(raw)]


def _sort(args: MultiDict[str, str]) -> list[tuple[str, bool]]:
    sort = []
    for item in _listed(args, "_sort"):
        column = item.removeprefix("-")
        if not column:
            raise BadParameter("_sort needs a column name")
        sort.append((column, item.startswith("-")))
    return sort


def query_from_args(args: MultiDict[str, str], *, rows: bool = True) -> DatastoreQuery:
    """The datastore query of ``records?...``; raise ``BadParameter``.

    With ``rows=False`` (an aggregate) only what selects rows is read: filters, operators
    and ``_q``; ``_sort`` then names answer columns and is read by ``aggregate_from_args``.
    """
    unknown = [k for k in args if k.startswith("_") and k not in RESERVED]
    if unknown:
        raise BadParameter(f"unknown parameter: {unknown[0]}")
    filters: dict[str, list[str]] = {}
    conditions: list[tuple[str, str, str]] = []
    for key in args:
        if key.startswith("_"):
            continue
        column, op = split_operator(key)
        if op is None:
            filters[key] = args.getlist(key)
        else:
            conditions.extend((column, op, value) for value in args.getlist(key))
    check_bounds(filters, conditions)
    q = args.get("_q", "").strip() or None
    if not rows:
        return DatastoreQuery(filters=filters, conditions=tuple(conditions), q=q)
    return DatastoreQuery(
        filters=filters,
        conditions=tuple(conditions),
        q=q,
        fields=split(args.get("_fields", "")) or None,
        sort=tuple(_sort(args)),
        limit=int_arg("_limit", DEFAULT_LIMIT, 1, MAX_LIMIT, args),
        cursor=args.get("_cursor") or None,
    )


def wants_aggregate(args: MultiDict[str, str]) -> bool:
    """Whether the query asks for groups rather than rows."""
    return any(name in args for name in AGGREGATE_PARAMS)


def aggregate_from_args(
    args: MultiDict[str, str], where: DatastoreQuery, timeout_ms: int
) -> AggregateQuery:
    """The aggregate of ``records?_group=...``; raise ``BadParameter``."""
    if "_fields" in args:
        raise BadParameter("_fields does not apply to aggregates: name _group columns")
    measures = [(fn, column) for param, fn in MEASURES.items() for column in _listed(args, param)]
    count = "_count" in args and args.get("_count", "").strip().lower() not in _NO
    return AggregateQuery(
        where=where,
        group=_listed(args, "_group"),
        count=count,
        measures=measures,
        sort=_sort(args),
        limit=int_arg("_limit", DEFAULT_LIMIT, 1, MAX_LIMIT, args),
        cursor=args.get("_cursor") or None,
        timeout_ms=timeout_ms,
    )


def facets_from_args(
    args: MultiDict[str, str], where: DatastoreQuery, timeout_ms: int
) -> FacetQuery | None:
    """The facets of ``records?_facet=...`` (None when none is asked); raise ``BadParameter``."""
    columns = _listed(args, "_facet")
    # Checked even alone: generated clients send the documented default with every call.
    size = int_arg("_facet_size", DEFAULT_FACET_SIZE, 1, MAX_FACET_SIZE, args)
    if not columns:
        return None
    return FacetQuery(where=where, columns=columns, size=size, timeout_ms=timeout_ms)


def aggregate_columns(query: AggregateQuery) -> list[str]:
    """The table columns an aggregate reads (a grant must hold each)."""
    return [*query.group, *(column for _, column in query.measures)]
