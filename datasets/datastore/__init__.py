"""The tabular datastore: typed tables of published tabular resources.

``open_datastore`` picks the backend from a URL; the portal derives it from ``DATABASE_URL``
(``datastore_url_for``): SQLite in the data dir by default, PostgreSQL beside a PostgreSQL
catalog database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datasets.datastore.aggregating import MAX_FACET_SIZE, MAX_FACETS, MAX_GROUPS
from datasets.datastore.base import (
    AGGREGATE_FUNCTIONS,
    FIELD_TYPES,
    SQL_MAX_BYTES,
    AggregateQuery,
    BadQuery,
    BoundingBox,
    Datastore,
    DatastoreError,
    DatastoreField,
    DatastoreInfo,
    DatastoreQuery,
    DatastoreResult,
    Facet,
    FacetQuery,
    LoadFailed,
    SqlNotAllowed,
    SqlTimeout,
    SqlTooLarge,
    Superseded,
    UnknownField,
    UnknownResource,
)
from datasets.datastore.casting import fields_from_table_schema, read_typed_rows
from datasets.datastore.conditions import (
    MAX_CONDITIONS,
    MAX_IN_VALUES,
    MAX_VALUE_CHARS,
    OPERATORS,
    check_bounds,
    split_operator,
)
from datasets.datastore.postgres import PostgresDatastore
from datasets.datastore.querying import MAX_LIMIT
from datasets.datastore.sqlite import SqliteDatastore

__all__ = [
    "AGGREGATE_FUNCTIONS",
    "FIELD_TYPES",
    "MAX_CONDITIONS",
    "MAX_FACETS",
    "MAX_FACET_SIZE",
    "MAX_GROUPS",
    "MAX_IN_VALUES",
    "MAX_LIMIT",
    "MAX_VALUE_CHARS",
    "OPERATORS",
    "PUBLIC_DATASTORE",
    "SHARED_DATASTORE",
    "SQL_MAX_BYTES",
    "AggregateQuery",
    "BadQuery",
    "BoundingBox",
    "Datastore",
    "DatastoreError",
    "DatastoreField",
    "DatastoreInfo",
    "DatastoreQuery",
    "DatastoreResult",
    "Facet",
    "FacetQuery",
    "LoadFailed",
    "PostgresDatastore",
    "SqlNotAllowed",
    "SqlTimeout",
    "SqlTooLarge",
    "SqliteDatastore",
    "Superseded",
    "UnknownField",
    "UnknownResource",
    "UnsupportedDatastore",
    "check_bounds",
    "fields_from_table_schema",
    "open_datastore",
    "read_typed_rows",
    "split_operator",
]


class UnsupportedDatastore(ValueError):
    """The datastore URL names a scheme no backend handles."""


def _open_sqlite(url: str, data_dir: Path, name: str) -> Datastore:
    path = url.split(":", 1)[1].removeprefix("//") if ":" in url else ""
    if path and name != PUBLIC_DATASTORE:  # beside the named file, never the same one
        named = Path(path)
        return SqliteDatastore(named.with_name(f"{named.stem}-{name}{named.suffix}"))
    return SqliteDatastore(Path(path) if path else data_dir / f"{name}.sqlite3")


def _open_postgres(url: str, data_dir: Path, name: str) -> Datastore:
    return PostgresDatastore(url, schema=name)


# The datastore of public tables (the SQL endpoint reads it) and the one of shared tables
# (datasets at the registered, agencies and restricted levels: nothing but the portal's
# own checked surfaces reads it; issue 18). Each is its own SQLite file or PostgreSQL
# schema, with its own reader role.
PUBLIC_DATASTORE = "datastore"
SHARED_DATASTORE = "datastore_shared"

_BACKENDS: dict[str, Callable[[str, Path, str], Datastore]] = {
    "sqlite": _open_sqlite,  # embedded default
    "postgresql": _open_postgres,  # scaled alternative
    "postgresql+psycopg": _open_postgres,
}


def open_datastore(url: str, data_dir: Path, name: str = PUBLIC_DATASTORE) -> Datastore:
    """Open the datastore the URL names; an empty URL means SQLite in ``data_dir``.

    ``sqlite://`` (or ``sqlite:`` / empty) is ``data_dir/datastore.sqlite3``;
    ``sqlite:///abs/path.sqlite3`` names another file; ``postgresql://...`` uses the
    ``datastore`` schema of that database. ``name`` picks another datastore beside it
    (``SHARED_DATASTORE``: ``datastore_shared.sqlite3`` or the ``datastore_shared``
    schema). Raises ``UnsupportedDatastore`` naming the
    scheme (never the URL, which may hold a password).
    """
    scheme = url.split(":", 1)[0] if url else "sqlite"
    if scheme not in _BACKENDS:
        known = ", ".join(sorted(_BACKENDS))
        raise UnsupportedDatastore(f"unsupported datastore backend {scheme!r}; use one of: {known}")
    return _BACKENDS[scheme](url, data_dir, name)
