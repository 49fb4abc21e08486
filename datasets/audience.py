"""The view of a dataset for one reader: the projection their access allows (issue 18).

``PublicCatalog`` gives everyone the catalog record; for a dataset at any level but
``public`` that record has no resources. ``Readers.view`` gives a reader the same record
with the resources of the projection ``Sharing.access_for`` allows them:

- ``Projection.PUBLIC``: the public files (a ``registered`` dataset read by an account);
- ``Projection.AGENCY``: per resource, the agency file (encrypted in the vault; the
  resource carries its ``agency_key``) or, where no agency decisions were set, the public
  file; a grant limited to columns narrows the schema, and the download narrows the file;
- ``Projection.NONE``: the catalog record as it is.

Nothing is cached here: a revoked or expired grant takes effect on the next read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from datasets.access import (
    NO_ACCESS,
    PUBLIC_ACCESS,
    Access,
    Projection,
    decide_access,
    narrow_columns,
)
from datasets.model import Dataset, Revision, RevisionResource
from datasets.public import PublicDataset, PublicResource, public_resources
from datasets.sharing import Sharing, agency_columns
from publishers import Actor


@dataclass(frozen=True)
class ReaderView:
    """A dataset as one reader may read it, and the access that decided it."""

    dataset: PublicDataset
    access: Access


class Readers:
    """Build ``ReaderView``s; every data surface reads datasets through it."""

    def __init__(self, sessions: sessionmaker[Session], sharing: Sharing) -> None:
        self._sessions = sessions
        self._sharing = sharing

    def view(self, actor: Actor, record: PublicDataset) -> ReaderView:
        """Return ``record`` (a catalog record) with the resources ``actor`` may read."""
        if record.access_level == "public":
            return ReaderView(record, PUBLIC_ACCESS)
        if actor.is_anonymous:  # no grant to read: the decision needs no statement
            return ReaderView(
                record, decide_access(record.access_level, actor, record.organization.id)
            )
        with self._sessions() as session:
            dataset = session.scalar(
                select(Dataset)
                .where(Dataset.id == record.id)
                .options(
                    joinedload(Dataset.live_revision)
                    .selectinload(Revision.entries)
                    .joinedload(RevisionResource.version)
                )
            )
            if dataset is None or dataset.live_revision is None:
                return ReaderView(record, NO_ACCESS)
            access = self._sharing.access_for(session, actor, dataset)
            if not access.reads_data:
                return ReaderView(record, access)
            resources = public_resources(dataset.live_revision, record.created)
            if access.projection is Projection.AGENCY:
                resources = _agency_resources(dataset.live_revision, resources, access)
            return ReaderView(replace(record, resources=resources), access)

    def requestable_columns(self, dataset_name: str) -> list[str]:
        """The columns a request for a published dataset may name: its agency projection's
        column names (names only, as in the data dictionary); empty when not published."""
        with self._sessions() as session:
            dataset = session.scalar(select(Dataset).where(Dataset.name == dataset_name))
            if dataset is None or dataset.live_revision is None:
                return []
            return agency_columns(dataset)

    def record(
        self,
        actor: Actor,
        view: ReaderView,
        *,
        surface: str,
        resource_id: str = "",
        rows: int | None = None,
    ) -> None:
        """Log a read of non-public data made through ``view`` (nothing for public data)."""
        self._sharing.record(
            actor, view.access, view.dataset.id, surface=surface, resource_id=resource_id, rows=rows
        )


def _agency_resources(
    live: Revision, public: tuple[PublicResource, ...], access: Access
) -> tuple[PublicResource, ...]:
    """Swap each public file for its agency file where one exists; narrow the columns."""
    versions = {e.resource_id: e.version for e in live.entries}
    out = []
    for resource in public:
        version = versions.get(resource.id)
        if version is None or resource.url:
            out.append(resource)
            continue
        schema = resource.table_schema
        if version.agency_key:
            schema = version.agency_schema or schema
            # The agency decisions laid over the public ones, as the agency file was made.
            decided = {d["column"]: d for d in version.decisions or ()}
            decided.update({d["column"]: d for d in version.agency_decisions or ()})
            resource = replace(
                resource,
                sha256=None,
                size=version.agency_size,
                agency_key=version.agency_key,
                protections=tuple((c, d.get("kind", ""), d["action"]) for c, d in decided.items()),
            )
        if schema is not None and access.columns is not None:
            schema = _narrow_schema(schema, access)
        out.append(
            replace(
                resource,
                table_schema=schema,
                column_stats=None,
                projection=Projection.AGENCY.value,
                columns=access.columns,
            )
        )
    return tuple(out)


def _narrow_schema(schema: dict[str, Any], access: Access) -> dict[str, Any]:
    fields = schema.get("fields") or []
    keep = set(narrow_columns((f.get("name", "") for f in fields), access))
    narrowed = {**schema, "fields": [f for f in fields if f.get("name") in keep]}
    narrowed.pop("primaryKey", None)
    return narrowed
