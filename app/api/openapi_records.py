"""The query parameters of ``GET .../records`` in the OpenAPI document.

Issue 23 added operators, aggregates and facets.
"""

from __future__ import annotations

from typing import Any

from app.api.openapi_bulk import BBOX_PARAM
from app.api.openapi_parts import param as _p
from app.api.openapi_schemas import N_, SCHEMAS, STR, obj

# ``facets`` is in a records answer only when ``_facet`` asked for it: not required.
SCHEMAS["Records"]["properties"]["facets"] = {
    "type": "array",
    "items": obj(
        {
            "column": STR,
            "type": STR,
            "values": {
                "type": "array",
                "items": obj({"value": {}, "count": {"type": "integer"}}),
            },
            "more": {"type": "boolean"},
        }
    ),
}


def record_params() -> list[dict[str, Any]]:
    """The query parameters of ``records``."""
    return [
        _p("_q", "query", STR, N_("Full text: rows holding every word (accents ignored).")),
        _p("_sort", "query", STR, N_("Comma-separated columns; `-col` sorts descending.")),
        _p("_fields", "query", STR, N_("Comma-separated columns to return.")),
        _p(
            "_limit",
            "query",
            {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
            N_("Rows per page."),
        ),
        _p("_cursor", "query", STR, N_("Keyset cursor taken from `next`.")),
        _p(
            "filters",
            "query",
            {"type": "object", "additionalProperties": STR},
            N_(
                "Filters, ANDed: `<column>=<value>` matches exactly; `<column>__gt`, `__gte`, "
                "`__lt`, `__lte`, `__ne` compare; `__in` takes up to 100 comma-separated values; "
                "`__contains` and `__startswith` match text (`%` and `_` are literal, ASCII "
                "letters ignore case); `__isnull` takes true or false. Values are typed by the "
                "column (a value that does not parse is a 400 naming the column and the type); "
                "at most 20 filters of at most 1,000 characters."
            ),
        )
        | {"style": "form", "explode": True, "example": {"so_cho__gt": "25", "quan": "Quận 1"}},
        _p(
            "_group",
            "query",
            STR,
            N_(
                "Comma-separated columns (at most 5) to group the filtered rows by: the answer "
                "holds one row per group with the group columns and the aggregates asked."
            ),
        )
        | {"example": "quan"},
        _p(
            "_count",
            "query",
            {"type": "boolean"},
            N_("Answer `count`, the rows of each group (the default aggregate)."),
        ),
        _p("_sum", "query", STR, N_("Comma-separated numeric columns: `sum_<column>` per group."))
        | {"example": "so_cho"},
        _p("_avg", "query", STR, N_("Comma-separated numeric columns: `avg_<column>` per group.")),
        _p("_min", "query", STR, N_("Comma-separated columns: `min_<column>` per group.")),
        _p("_max", "query", STR, N_("Comma-separated columns: `max_<column>` per group.")),
        _p(
            "_distinct",
            "query",
            STR,
            N_("Comma-separated columns: `distinct_<column>`, its different values per group."),
        ),
        _p(
            "_facet",
            "query",
            {"type": "array", "items": STR, "maxItems": 5},
            N_(
                "Repeatable (at most 5): the most frequent values of the column among the "
                "filtered rows, with their counts, in `facets` (JSON answers only)."
            ),
        )
        | {"style": "form", "explode": True, "example": ["quan"]},
        _p(
            "_facet_size",
            "query",
            {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            N_("Values listed per facet."),
        ),
        _p(
            "_format",
            "query",
            {
                "type": "string",
                "enum": ["json", "csv", "xlsx", "parquet", "geojson"],
                "default": "json",
            },
            N_(
                "json pages; csv, xlsx, parquet and geojson stream every matching row (geojson: "
                "tables with latitude/longitude columns, rows without valid ones skipped and "
                "counted in `skipped`)."
            ),
        ),
        BBOX_PARAM,
    ]
