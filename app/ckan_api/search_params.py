"""CKAN ``package_search`` parameters → ``SearchQuery``.

Supported: ``q`` (free text; ``*:*`` means everything; ``field:value`` clauses on the facet
fields act as filters), ``fq`` (space-separated ``field:value`` clauses on ``organization``,
``tags``, ``res_format``, ``license_id``, ``groups``/``theme``, ``access_level`` and
``metadata_modified:[X TO Y]``, with ``-`` negation and an optional ``+``), ``facet.field`` (a
list, or JSON text of one), ``facet.limit``, ``rows`` (0 or more; above 1000, the first 1000
rows are answered, as CKAN does), ``start`` and ``sort``. Anything else CKAN clients send
along (``include_private``, ``facet``, ...) is ignored.

The parameters come as ``app.ckan_api.params`` reads them: strings from a query string or a
form, JSON values from a JSON body, a list for a repeated key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from search_index.documents import FACET_FIELDS, SearchQuery, SortOrder
from search_index.errors import SearchQueryError

MAX_ROWS = 1000
DEFAULT_ROWS = 10

# CKAN's Solr field names → our facet fields ("groups" are the portal's themes).
_FIELD_ALIASES = {
    "organization": "organization",
    "tags": "tags",
    "res_format": "res_format",
    "license_id": "license_id",
    "groups": "theme",
    "theme": "theme",
    "access_level": "access_level",  # the portal's own field (issue 18)
}
_SORT_FIELDS = {
    ("score", "desc"): SortOrder.RELEVANCE,
    ("metadata_modified", "desc"): SortOrder.MODIFIED,
    ("title_string", "asc"): SortOrder.TITLE,
    ("name", "asc"): SortOrder.TITLE,
    ("views_recent", "desc"): SortOrder.POPULARITY,
    ("views_total", "desc"): SortOrder.POPULARITY,
    ("id", "asc"): SortOrder.ID,
}
_CLAUSE_RE = re.compile(
    r'(?P<sign>[-+]?)(?P<field>[A-Za-z_][\w.]*):(?P<value>"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)'
)
_RANGE_RE = re.compile(r"^\[\s*(?P<low>\S+)\s+TO\s+(?P<high>\S+)\s*\]$")
_NOW_RE = re.compile(r"^NOW(?:(?P<sign>[-+])(?P<n>\d+)(?P<unit>DAYS?|HOURS?|MONTHS?|YEARS?))?$")


def parse_package_search(params: Mapping[str, Any]) -> SearchQuery:
    """Return the ``SearchQuery`` that CKAN's ``package_search`` ``params`` ask for.

    Raises ``SearchQueryError`` with a CKAN-like message for a bad ``rows``/``start``, an
    unknown sort or facet field, an unknown ``fq`` field, a malformed range, or a list where
    one value is expected.
    """
    filters: dict[str, list[str]] = {}
    exclude: dict[str, list[str]] = {}
    bounds: list[datetime | None] = [None, None]
    text = (_single(params, "q") or "").strip()
    text = "" if text in ("*:*", "*") else _take_clauses(text, filters, exclude, bounds, False)
    leftover = _take_clauses(_single(params, "fq") or "", filters, exclude, bounds, True)
    if leftover.strip():
        raise SearchQueryError(f"fq: cannot parse {leftover.strip()[:60]!r}; use field:value")
    return SearchQuery(
        text=text,
        filters={k: tuple(v) for k, v in filters.items()},
        exclude={k: tuple(v) for k, v in exclude.items()},
        modified_from=bounds[0],
        modified_to=bounds[1],
        sort=parse_sort(_single(params, "sort")),
        offset=_integer(params, "start", 0, 0, None),
        # Above the cap, CKAN answers the first MAX_ROWS rows rather than an error.
        limit=min(_integer(params, "rows", DEFAULT_ROWS, 0, None), MAX_ROWS),
        facets=_facet_fields(params.get("facet.field")),
        facet_limit=_integer(params, "facet.limit", 50, -1, None),
    )


def parse_sort(value: str | None) -> SortOrder:
    """Return the order a CKAN ``sort`` string asks for (``score desc, metadata_modified desc``).

    The first clause decides; later clauses are CKAN's tie-breakers and must be valid too.
    """
    if value is None or not value.strip():
        return SortOrder.RELEVANCE
    orders: list[SortOrder] = []
    for clause in value.split(","):
        parts = clause.split()
        if len(parts) == 1:
            parts.append("asc")
        key = (parts[0], parts[1].lower()) if len(parts) == 2 else ("", "")
        if key not in _SORT_FIELDS:
            allowed = ", ".join(f"{f} {d}" for f, d in _SORT_FIELDS)
            raise SearchQueryError(f"sort: unsupported {clause.strip()!r}; use one of: {allowed}")
        orders.append(_SORT_FIELDS[key])
    return orders[0]


def _single(params: Mapping[str, Any], name: str) -> str | None:
    """Return one parameter as text (a JSON number or boolean too); None when absent."""
    value = params.get(name)
    if isinstance(value, (list, dict)):
        raise SearchQueryError(f"{name}: must be a single value")
    return None if value is None else str(value)


def _integer(params: Mapping[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    raw = _single(params, name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SearchQueryError(f"{name}: Invalid integer") from None
    if value < low or (high is not None and value > high):
        limit = f" and {high}" if high is not None else ""
        raise SearchQueryError(f"{name}: Must be between {low}{limit}")
    return value


def _facet_fields(raw: Any) -> tuple[str, ...]:
    """Return the facet fields of ``facet.field``: a list, or JSON text of one (GET, forms)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return FACET_FIELDS
    names = raw
    if isinstance(raw, str):
        try:
            names = json.loads(raw)
        except ValueError:
            names = [raw]  # a bare field name, as some clients send
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SearchQueryError('facet.field: must be a JSON list such as ["organization"]')
    out: list[str] = []
    for name in names:
        field = _FIELD_ALIASES.get(name)
        if field is None:
            raise SearchQueryError(f"facet.field: unknown field {name!r}")
        if field not in out:
            out.append(field)
    return tuple(out)


def _take_clauses(
    text: str,
    filters: dict[str, list[str]],
    exclude: dict[str, list[str]],
    bounds: list[datetime | None],
    strict: bool,
) -> str:
    """Move ``field:value`` clauses of ``text`` into the filters; return what is left.

    In ``fq`` (``strict``) an unknown field is an error; in ``q`` it stays free text.
    """
    leftover: list[str] = []
    cursor = 0
    for match in _CLAUSE_RE.finditer(text):
        field, sign = match.group("field"), match.group("sign")
        value = match.group("value")
        if field == "metadata_modified":
            if sign == "-":
                raise SearchQueryError("fq: negated metadata_modified ranges are not supported")
            bounds[0], bounds[1] = _parse_range(value)
        elif field in _FIELD_ALIASES:
            target = exclude if sign == "-" else filters
            target.setdefault(_FIELD_ALIASES[field], []).append(_unquote(value))
        elif field == "dataset_type" and _unquote(value) == "dataset":
            pass  # every document is a dataset; CKAN harvesters send this
        elif strict:
            raise SearchQueryError(f"fq: unknown field {field!r}")
        else:
            continue
        leftover.append(text[cursor : match.start()])
        cursor = match.end()
    leftover.append(text[cursor:])
    rest = " ".join("".join(leftover).split())
    return re.sub(r"(?:^|\s)(?:AND|\+)(?=\s|$)", " ", rest).strip()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value.replace("\\", "")


def _parse_range(value: str) -> tuple[datetime | None, datetime | None]:
    match = _RANGE_RE.match(value)
    if match is None:
        raise SearchQueryError(
            f"fq: malformed metadata_modified range {value!r}; use [2024-01-01T00:00:00Z TO *]"
        )
    return _parse_instant(match.group("low")), _parse_instant(match.group("high"))


def _parse_instant(raw: str) -> datetime | None:
    if raw == "*":
        return None
    now = _NOW_RE.match(raw)
    if now is not None:
        moment = datetime.now(UTC)
        if now.group("n"):
            unit = now.group("unit").rstrip("S")
            days = {"DAY": 1.0, "HOUR": 1 / 24, "MONTH": 30.0, "YEAR": 365.0}[unit]
            delta = timedelta(days=days * int(now.group("n")))
            moment = moment - delta if now.group("sign") == "-" else moment + delta
        return moment
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SearchQueryError(f"fq: malformed date {raw!r} in metadata_modified") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
