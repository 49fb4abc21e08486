"""The tabular datastore interface: value types, errors and the ``Datastore`` protocol.

A datastore holds one typed table per published tabular resource, so the records API,
``datastore_search`` and ``datastore_search_sql`` can query rows without reading files.
Implementations: ``SqliteDatastore`` (embedded default, its own SQLite file) and
``PostgresDatastore`` (its own schema in a PostgreSQL database).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

FIELD_TYPES = ("text", "integer", "number", "boolean", "date", "datetime")
SQL_MAX_BYTES = 16 * 1024 * 1024  # default byte cap of a search_sql result (as JSON)
"""The column types of the datastore (Table Schema types are mapped onto these)."""


@dataclass(frozen=True)
class DatastoreField:
    """A column of a datastore table: its name and one of ``FIELD_TYPES``."""

    name: str
    type: str


@dataclass(frozen=True)
class DatastoreInfo:
    """What a loaded table holds: the cached row count and its columns in order."""

    row_count: int
    fields: tuple[DatastoreField, ...]


@dataclass(frozen=True)
class BoundingBox:
    """Rows whose point lies in a longitude/latitude box (edges included).

    ``latitude`` and ``longitude`` name the table's numeric coordinate columns.
    """

    latitude: str
    longitude: str
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class DatastoreQuery:
    """A structured query over one resource's rows.

    ``filters`` match exactly: several columns combine with AND, several values of one
    column with OR; values are strings as they arrive from a query string and are cast
    to the column's type. ``q`` matches rows holding every word of it in some text
    column, ignoring case and Vietnamese diacritics. ``sort`` lists ``(column,
    descending)``; NULL sorts first ascending and last descending unless ``nulls`` says.
    ``cursor`` is the opaque ``next_cursor`` of a previous page of the same query.
    """

    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    q: str | None = None
    fields: Sequence[str] | None = None
    sort: Sequence[tuple[str, bool]] = ()
    limit: int = 100
    offset: int = 0
    cursor: str | None = None
    distinct: bool = False
    include_total: bool = True
    # ``_id``, the row's number in the table, answered first (as CKAN's datastore does);
    # ``_id`` may also be named in ``fields``, ``filters`` and ``sort`` whatever this says.
    with_id: bool = False
    # Where NULLs of a sort column go ("first" or "last"), overriding the default order;
    # pages of such a query are numbered by offset rather than by key.
    nulls: Mapping[str, str] = field(default_factory=dict)
    # Only rows whose coordinates lie in this box (``_bbox``); None: no box.
    bbox: BoundingBox | None = None
    # Comparisons ``(column, operator, raw value)`` ANDed with ``filters``; the operators
    # are ``datasets.datastore.conditions.OPERATORS`` (``gt``, ``in``, ``contains``, ...).
    conditions: Sequence[tuple[str, str, str]] = ()

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the rows (so the cached row count is not the total)."""
        return bool(self.filters or self.conditions or self.q or self.distinct or self.bbox)


@dataclass(frozen=True)
class AggregateQuery:
    """Groups of one resource's rows and what to compute per group (no SQL from callers).

    ``where`` filters the rows as ``search`` does (its ``filters``, ``conditions`` and
    ``q``; nothing else of it is read). ``measures`` lists ``(function, column)`` with a
    function of ``AGGREGATE_FUNCTIONS``; each answer row holds the ``group`` columns,
    ``count`` when asked (or when nothing else is) and ``<function>_<column>``. ``sort``
    names answer columns; pages are numbered by offset (``cursor`` from ``next_cursor``).
    The whole statement runs within ``timeout_ms`` (``SqlTimeout`` past it).
    """

    where: DatastoreQuery = field(default_factory=DatastoreQuery)
    group: Sequence[str] = ()
    count: bool = False
    measures: Sequence[tuple[str, str]] = ()
    sort: Sequence[tuple[str, bool]] = ()
    limit: int = 100
    cursor: str | None = None
    timeout_ms: int = 5000


AGGREGATE_FUNCTIONS = ("sum", "avg", "min", "max", "distinct")


@dataclass(frozen=True)
class FacetQuery:
    """The ``size`` most frequent values of each of ``columns`` among the rows of ``where``."""

    where: DatastoreQuery = field(default_factory=DatastoreQuery)
    columns: Sequence[str] = ()
    size: int = 10
    timeout_ms: int = 5000


@dataclass(frozen=True)
class Facet:
    """One column's most frequent values with their counts, most frequent first.

    ``more`` is True when the column holds other values beyond these.
    """

    column: str
    type: str
    values: list[tuple[Any, int]]
    more: bool


@dataclass(frozen=True)
class DatastoreResult:
    """One page of rows with JSON-ready values (dates as ISO strings).

    ``total`` is the number of matching rows (None when not asked for),
    ``next_cursor`` is None on the last page, and ``truncated`` is True when
    ``search_sql`` stopped at its row limit.
    """

    fields: tuple[DatastoreField, ...]
    records: list[dict[str, Any]]
    total: int | None
    next_cursor: str | None
    truncated: bool = False


class DatastoreError(Exception):
    """Base of datastore errors: a stable ``code`` and a message safe to show users."""

    code = "datastore_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownResource(DatastoreError):
    """The resource has no table in the datastore (never loaded, or dropped)."""

    code = "unknown_resource"


class UnknownField(DatastoreError):
    """A filter, sort or field names a column the table does not have."""

    code = "unknown_field"

    def __init__(self, field_name: str) -> None:
        super().__init__(f"unknown field: {field_name!r}")
        self.field = field_name


class BadQuery(DatastoreError):
    """The query is malformed: a bad limit, cursor, filter value or SQL syntax."""

    code = "bad_query"


class LoadFailed(DatastoreError):
    """A CSV could not be loaded; the previously loaded table is left intact."""

    code = "load_failed"


class Superseded(DatastoreError):
    """A newer version of the resource is already loaded; this older load was discarded."""

    code = "superseded"


class SqlNotAllowed(DatastoreError):
    """The SQL is not a single read-only SELECT over datastore tables."""

    code = "sql_not_allowed"


class SqlTimeout(DatastoreError):
    """The SQL ran past its time limit and was stopped."""

    code = "sql_timeout"


class SqlTooLarge(DatastoreError):
    """The SQL's result is larger than its byte limit (``limit`` bytes as JSON)."""

    code = "sql_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the result is larger than {limit} bytes")
        self.limit = limit


class Datastore(Protocol):
    """Typed tables of tabular resources, queried without touching the portal's database."""

    def load(
        self,
        resource_id: str,
        csv_path: Path,
        table_schema: Mapping[str, Any],
        *,
        order: int | None = None,
    ) -> DatastoreInfo:
        """Load a UTF-8 CSV (header row first) as the resource's table, replacing any old one.

        Cells are cast by the Table Schema field types; a cell that does not cast becomes
        NULL. The swap is atomic: readers see the old table or the new one, and a failed
        load (``LoadFailed``) leaves the old table untouched. Memory stays bounded.
        ``order`` ranks the loads of one resource (the publication it comes from): a load
        whose order is below the loaded table's is discarded with ``Superseded``, checked
        atomically with the swap, so concurrent or late loads end on the newest table.
        """
        ...

    def stage(
        self, resource_id: str, csv_path: Path, table_schema: Mapping[str, Any], *, key: str
    ) -> DatastoreInfo:
        """Build the resource's table now, for a later ``load_staged`` with the same ``key``.

        The staged table is committed but reachable by no reader: not by ``search`` nor
        ``info`` (it is not the resource's table) and not by ``search_sql`` (the SQLite
        authorizer allows resource tables only; PostgreSQL's reader role holds no grant on
        it). It replaces any table staged earlier for the resource. Cells cast as in
        ``load``; raises ``LoadFailed`` like it.
        """
        ...

    def load_staged(
        self, resource_id: str, key: str, *, order: int | None = None
    ) -> DatastoreInfo | None:
        """Swap in the table staged for the resource under ``key`` (one transaction, no
        rows copied); None, with nothing changed, when no table is staged under that key.

        ``order`` as in ``load`` (``Superseded`` when the loaded table is newer).
        """
        ...

    def staged(self) -> dict[str, str]:
        """The key of each resource's staged table, by resource id."""
        ...

    def drop_staged(self, resource_id: str, key: str) -> None:
        """Remove the resource's staged table if it is still the one staged under ``key``."""
        ...

    def drop(self, resource_id: str) -> None:
        """Remove the resource's table; dropping an absent table is not an error."""
        ...

    def info(self, resource_id: str) -> DatastoreInfo:
        """Return the cached row count and columns; raise ``UnknownResource``."""
        ...

    def search(self, resource_id: str, query: DatastoreQuery) -> DatastoreResult:
        """Return one page of matching rows.

        Pages are keyset-paginated: following ``next_cursor`` costs the same on the
        thousandth page as on the first, and walking every page returns every matching
        row exactly once in sort order. ``total`` comes from the cached count when the
        query has no filter, ``q`` or ``distinct``. Raises ``UnknownResource``,
        ``UnknownField`` and ``BadQuery``. Values are only ever bound as parameters.
        """
        ...

    def iter_rows(self, resource_id: str, query: DatastoreQuery) -> Iterator[tuple[Any, ...]]:
        """Stream every matching row as a tuple in the order of ``fields_for(query)``.

        ``limit``, ``offset`` and ``cursor`` are ignored: exports are whole results.
        Memory stays bounded; the connection closes when the iterator is exhausted or
        closed. Raises like ``search`` before the first row.
        """
        ...

    def fields_for(self, resource_id: str, query: DatastoreQuery) -> tuple[DatastoreField, ...]:
        """Return the columns ``search`` and ``iter_rows`` answer for ``query``."""
        ...

    def aggregate(
        self, resource_id: str, query: AggregateQuery, *, paged: bool = True
    ) -> DatastoreResult:
        """Return one page of groups (``paged=False``: every group, at most ``MAX_GROUPS``).

        Raises ``UnknownResource``, ``UnknownField``, ``BadQuery`` (a sum or an average of
        a column that is not numeric, more groups than allowed) and ``SqlTimeout``.
        """
        ...

    def facets(self, resource_id: str, query: FacetQuery) -> list[Facet]:
        """Return the facet of each column of ``query``; raise like ``aggregate``."""
        ...

    def search_sql(
        self, sql: str, *, timeout_ms: int, max_rows: int, max_bytes: int = SQL_MAX_BYTES
    ) -> DatastoreResult:
        """Run one read-only SELECT over datastore tables (tables are named by resource id).

        Runs on its own read-only connection that can read datastore tables only, never
        the portal's own tables or any other file. At most ``max_rows`` rows come back
        (``truncated`` tells when more matched). Raises ``SqlNotAllowed`` for anything
        but a single SELECT, ``SqlTimeout`` after ``timeout_ms`` milliseconds (whatever
        the query does, one long function call included), ``SqlTooLarge`` when the rows
        as JSON would exceed ``max_bytes`` (refused before they are held in memory) and
        ``BadQuery`` for SQL errors.
        """
        ...
