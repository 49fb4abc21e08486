"""Which datastore table a caller reads for a resource, and how much of it (issue 18).

The records API and CKAN's ``datastore_search`` read rows through ``open_table``:

- a dataset at the ``public`` level: its table in the public datastore, for everyone;
- any other level: ``Readers.view`` decides. A caller who may read it gets the table of
  the dataset's projection in the *shared* datastore (the public file for ``registered``,
  the agency file for ``agencies``/``restricted``), narrowed to the columns of their grant;
  every read is logged with its row count. Anyone else gets ``NotFound`` when anonymous
  and ``PermissionDenied`` when signed in, never rows.

The SQL endpoint never connects to the shared datastore, so a shared table cannot be
reached by SQL however the query is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.context import services
from datasets import PublicDataset, PublicResource
from datasets.access import AccessLevel
from datasets.audience import ReaderView
from datasets.column_labels import field_texts
from datasets.datastore import BadQuery, Datastore, DatastoreQuery, UnknownField
from publishers import Actor, NotFound, PermissionDenied


@dataclass(frozen=True)
class TableRead:
    """The table one caller reads for one resource."""

    store: Datastore
    resource_id: str
    dataset_id: str
    filename: str
    actor: Actor
    reader: ReaderView | None = None  # None: a public dataset (nothing to log)
    # The Table Schema of the file read (its column titles and descriptions, issue 21).
    schema: Mapping[str, Any] | None = None
    # ``labels()`` when the caller has them already (built once per schema); never changed.
    texts: Mapping[str, dict[str, Any]] | None = None

    def labels(self) -> Mapping[str, dict[str, Any]]:
        """``{column: field_texts entry}`` of the table read: titles in vi and en."""
        if self.texts is not None:
            return self.texts
        return {f["name"]: f for f in field_texts(self.schema)}

    @property
    def columns(self) -> tuple[str, ...] | None:
        """The columns the caller's grant allows; None: every column of the table."""
        return self.reader.access.columns if self.reader is not None else None

    def narrow(self, query: DatastoreQuery) -> DatastoreQuery:
        """Return ``query`` limited to the grant's columns; raise ``UnknownField``.

        A column outside the grant is treated as absent wherever it is named (fields,
        filters, sort), so nothing about its values can be learned. Full-text search
        (``q``) matches every text column, so it is refused on a narrowed grant.
        """
        allowed = self.columns
        if allowed is None:
            return query
        named = [*query.filters, *(column for column, _desc in query.sort), *(query.fields or ())]
        if query.bbox is not None:
            named += [query.bbox.latitude, query.bbox.longitude]
        self.allow([*named, *(column for column, _op, _value in query.conditions)])
        if query.q:
            raise BadQuery("full-text search is not available with a grant limited to columns")
        fields: Sequence[str] | None = query.fields
        if not fields:
            fields = [f.name for f in self.store.info(self.resource_id).fields if f.name in allowed]
        return replace(query, fields=fields)

    def allow(self, names: Sequence[str]) -> None:
        """Raise ``UnknownField`` for the first of ``names`` the grant does not hold.

        Aggregates and facets name their columns here: a column outside the grant is
        unknown to them as it is to filters, so no count, sum or value of it is answered.
        """
        allowed = self.columns
        if allowed is None:
            return
        for name in names:
            if name not in allowed and name != "_id":  # the row number reveals no value
                raise UnknownField(name)

    def log(self, surface: str, rows: int | None) -> None:
        """Record the read in the access log (nothing for a public dataset)."""
        if self.reader is not None:
            services().readers.record(
                self.actor, self.reader, surface=surface, resource_id=self.resource_id, rows=rows
            )


def open_table(actor: Actor, record: PublicDataset | None, resource_id: str) -> TableRead:
    """Return the table ``actor`` reads for ``resource_id`` of the catalog ``record``.

    Raises ``NotFound`` (no such tabular resource, or an anonymous caller without access)
    or ``PermissionDenied`` (a signed-in caller without access).
    """
    if record is None:
        raise NotFound("resource not found")
    if record.access_level == AccessLevel.PUBLIC.value:
        resource = _tabular(record.resources, resource_id)
        return TableRead(
            services().datastore,
            resource_id,
            record.id,
            resource.filename,
            actor,
            schema=resource.table_schema,
        )
    reader = services().readers.view(actor, record)
    if not reader.access.reads_data:
        if actor.is_anonymous:
            raise NotFound("resource not found")
        raise PermissionDenied("no access to this dataset's data", reason="no_access")
    resource = _tabular(reader.dataset.resources, resource_id)
    return TableRead(
        services().shared_datastore,
        resource_id,
        record.id,
        resource.filename,
        actor,
        reader,
        schema=resource.table_schema,
    )


def _tabular(resources: Sequence[PublicResource], resource_id: str) -> PublicResource:
    found = next((r for r in resources if r.id == resource_id), None)
    if found is None or not found.is_tabular:
        raise NotFound("resource not found")
    return found
