"""CKAN ``package_search`` parameters → ``SearchQuery`` and how to shape the answer.

Supported: ``q``, ``fq`` and ``fq_list`` (Solr syntax, see ``solr_query``; ``*:*`` means
everything), ``facet`` (``false`` leaves facets out), ``facet.field`` (a list, or JSON text of
one), ``facet.limit``, ``facet.mincount``, ``rows`` (0 or more; above 1000, the first 1000 rows
are answered, as CKAN does), ``start``, ``sort`` (several keys), ``fl`` and
``include_private``/``include_drafts`` (read by ``read.package_search``).

The parameters come as ``app.ckan_api.params`` reads them: strings from a query string or a
form, JSON values from a JSON body, a list for a repeated key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from app.ckan_api.solr_query import MAX_CLAUSES, MAX_PARAMETER_CHARS, parse_solr
from search_index import MAX_QUERY_CHARS, MAX_QUERY_WORDS, And, QueryNode
from search_index.documents import FACET_FIELDS, SearchQuery, SortOrder
from search_index.errors import SearchQueryError
from search_index.query_tree import positive_words

MAX_ROWS = 1000
DEFAULT_ROWS = 10
MAX_FQ_LIST = 20
MAX_SORT_KEYS = 4
DEFAULT_SORT = "score desc, metadata_modified desc"

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
# CKAN's sort fields → the index's sort keys.
_SORT_KEYS = {
    "score": "score",
    "metadata_modified": "modified",
    "metadata_created": "created",
    "title_string": "title",
    "name": "name",
    "id": "id",
    "views_recent": "popularity",
    "views_total": "popularity",
}
# The portal's single orders, for callers that read ``SearchQuery.sort``.
_SORT_ORDERS = {
    ("score", True): SortOrder.RELEVANCE,
    ("modified", True): SortOrder.MODIFIED,
    ("title", False): SortOrder.TITLE,
    ("name", False): SortOrder.TITLE,
    ("popularity", True): SortOrder.POPULARITY,
    ("id", False): SortOrder.ID,
}


def parse_package_search(params: Mapping[str, Any]) -> SearchQuery:
    """Return the ``SearchQuery`` that CKAN's ``package_search`` ``params`` ask for.

    ``q``, ``fq`` and every ``fq_list`` entry are parsed as Solr syntax (``solr_query``) and
    must all match. Raises ``SearchQueryError`` with a CKAN-like message for refused syntax,
    a bad ``rows``/``start``, an unknown sort or facet field, or a list where one value is
    expected.
    """
    parts: list[QueryNode] = []
    clauses = 0
    words = ""
    text = (_single(params, "q") or "").strip()
    if text:
        if len(text) > MAX_PARAMETER_CHARS:
            raise SearchQueryError(
                f"q: at most {MAX_PARAMETER_CHARS} characters, and its search text at most "
                f"{MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} words"
            )
        node, count = parse_solr(text, "q", lenient_fields=True)
        parts.append(node)
        clauses += count
        words = " ".join(positive_words(node))
    for name, value in _filter_queries(params):
        node, count = parse_solr(value, name, lenient_fields=False)
        parts.append(node)
        clauses += count
    if clauses > MAX_CLAUSES:
        raise SearchQueryError(f"the query may have at most {MAX_CLAUSES} clauses")
    match = parts[0] if len(parts) == 1 else And(tuple(parts))
    keys = parse_sort_keys(_single(params, "sort"))
    return SearchQuery(
        # The words of ``q`` (not under NOT) rank and highlight; ``match`` does the matching.
        # Past MAX_QUERY_CHARS/MAX_QUERY_WORDS this is ``QueryTooLong``, as on every surface.
        text=words,
        match=None if not parts else match,
        sort=_SORT_ORDERS.get(keys[0], SortOrder.RELEVANCE),
        sort_keys=keys,
        offset=_integer(params, "start", 0, 0, None),
        # Above the cap, CKAN answers the first MAX_ROWS rows rather than an error.
        limit=min(_integer(params, "rows", DEFAULT_ROWS, 0, None), MAX_ROWS),
        facets=_facet_fields(params.get("facet.field")) if facets_wanted(params) else (),
        facet_limit=_integer(params, "facet.limit", 50, -1, None),
    )


def _filter_queries(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``fq`` and the entries of ``fq_list`` (a list, JSON text of one, or one string)."""
    found: list[tuple[str, str]] = []
    fq = _single(params, "fq")
    if fq is not None and fq.strip():
        found.append(("fq", fq))
    raw = params.get("fq_list")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip().startswith("[") else [raw]
        except ValueError:
            raise SearchQueryError('fq_list: must be a JSON list such as ["tags:a"]') from None
    if raw is None:
        return found
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise SearchQueryError('fq_list: must be a list of strings such as ["tags:a"]')
    if len(raw) > MAX_FQ_LIST:
        raise SearchQueryError(f"fq_list: at most {MAX_FQ_LIST} entries")
    found += [("fq_list", v) for v in raw if v.strip()]
    return found


def facets_wanted(params: Mapping[str, Any]) -> bool:
    """Whether ``facet`` asks for facets (``true`` by default, as CKAN)."""
    return _boolean(params, "facet", True)


def facet_mincount(params: Mapping[str, Any]) -> int:
    """The ``facet.mincount``: facet values with fewer hits are left out (default 1)."""
    return _integer(params, "facet.mincount", 1, 0, None)


def result_fields(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The package keys ``fl`` asks for (comma or space separated, or a list); () for all."""
    raw = params.get("fl")
    names = raw if isinstance(raw, list) else re.split(r"[\s,]+", str(raw or ""))
    if not all(isinstance(n, str) for n in names):
        raise SearchQueryError("fl: must be field names such as name,title")
    fields = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    return () if fields in ((), ("*",)) else fields


def include_flags(params: Mapping[str, Any]) -> tuple[bool, bool]:
    """CKAN's ``include_private`` and ``include_drafts`` (both false by default)."""
    return _boolean(params, "include_private", False), _boolean(params, "include_drafts", False)


def _boolean(params: Mapping[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = _single(params, name) or ""
    if word.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if word.strip().lower() in ("false", "0", "no", "off"):
        return False
    raise SearchQueryError(f"{name}: must be true or false")


def parse_sort_keys(value: str | None) -> tuple[tuple[str, bool], ...]:
    """Return the ``(key, descending)`` pairs of a CKAN ``sort`` string, every clause in order
    (``score desc, metadata_modified desc`` by default)."""
    if value is None or not value.strip():
        value = DEFAULT_SORT
    keys: list[tuple[str, bool]] = []
    for clause in value.split(","):
        parts = clause.split()
        if len(parts) == 1:
            parts.append("asc")
        field = _SORT_KEYS.get(parts[0]) if len(parts) == 2 else None
        direction = parts[1].lower() if len(parts) == 2 else ""
        if field is None or direction not in ("asc", "desc"):
            allowed = ", ".join(_SORT_KEYS)
            raise SearchQueryError(
                f"sort: unsupported {clause.strip()!r}; use fields among {allowed} "
                "with asc or desc, separated by commas"
            )
        keys.append((field, direction == "desc"))
    if len(keys) > MAX_SORT_KEYS:
        raise SearchQueryError(f"sort: at most {MAX_SORT_KEYS} keys")
    return tuple(keys)


def parse_sort(value: str | None) -> SortOrder:
    """Return the portal order closest to a CKAN ``sort`` string (its first key)."""
    return _SORT_ORDERS.get(parse_sort_keys(value)[0], SortOrder.RELEVANCE)


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
