"""Facets of a resource page's preview: the frequent values of a few columns, as filters.

The columns are those the published table's statistics show to hold a handful of
different values (categories, districts, yes/no). Each value links to the preview
filtered by it (``f_<column>=<value>``, several AND together); the counts are those of
the rows the preview currently shows, read from the datastore within a time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.context import services
from datasets.datastore import DatastoreError, DatastoreQuery, FacetQuery
from datasets.public import PublicResource

FACET_COLUMNS = 3
FACET_VALUES = 8
MAX_DISTINCT = 30  # a column with more different values than this is not a category
TIME_LIMIT_MS = 2000
PREFIX = "f_"


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what it shows, the argument that filters by it, its count."""

    label: str
    arg: str | None  # None: an empty cell, which cannot be picked
    count: int
    selected: bool


@dataclass(frozen=True)
class PreviewFacet:
    """A column of the preview's facets with its most frequent values."""

    column: str
    values: tuple[FacetValue, ...]
    more: bool


def facet_columns(resource: PublicResource) -> list[str]:
    """The columns worth faceting, in table order (at most ``FACET_COLUMNS``)."""
    stats = (resource.column_stats or {}).get("columns", [])
    rows = resource.row_count or 0
    picked = []
    for column in stats:
        distinct = column.get("distinct")
        if not isinstance(distinct, int) or not 2 <= distinct <= MAX_DISTINCT:
            continue
        if distinct >= rows:  # every row its own value: an identifier, not a category
            continue
        picked.append(str(column["name"]))
    return picked[:FACET_COLUMNS]


def chosen_filters(args: Mapping[str, str], columns: list[str]) -> dict[str, list[str]]:
    """The ``f_<column>`` arguments of the facet columns, as datastore filters."""
    return {c: [args[PREFIX + c]] for c in columns if args.get(PREFIX + c) not in (None, "")}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def preview_facets(
    resource: PublicResource, columns: list[str], filters: dict[str, list[str]]
) -> tuple[PreviewFacet, ...]:
    """The facets of the filtered preview; none when the datastore cannot answer in time."""
    if not columns:
        return ()
    timeout = min(services().settings.sql_timeout_ms, TIME_LIMIT_MS)
    query = FacetQuery(
        where=DatastoreQuery(filters=filters),
        columns=columns,
        size=FACET_VALUES,
        timeout_ms=timeout,
    )
    try:
        found = services().datastore.facets(resource.id, query)
    except DatastoreError:
        return ()
    facets = []
    for facet in found:
        chosen = filters.get(facet.column, [None])[0]
        values = tuple(
            FacetValue(
                label=_text(value) if value is not None else "",
                arg=_text(value) if value is not None else None,
                count=count,
                selected=value is not None and _text(value) == chosen,
            )
            for value, count in facet.values
        )
        facets.append(PreviewFacet(facet.column, values, facet.more))
    return tuple(facets)
