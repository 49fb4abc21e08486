"""Rows written to a published table by agency systems and sensors (issue 17).

``LiveFeed.write`` takes one batch (``datasets.live_batch``) for a resource of a published
dataset, from a caller who may edit the dataset's organization's datasets. Within one
transaction that holds the resource's row (writes to one resource run one at a time):

1. the batch is applied to the live version's normalized table (the vault's unstripped
   copy) into a new file and the changed rows are validated against the approved Table
   Schema; any error refuses the batch whole (``BatchRefused``);
2. the cells the batch gave are scanned for personal data; a finding the approved
   decisions do not strip pauses the feed (``FeedPaused``): the batch is not stored, the
   pause is recorded on the resource for a steward, and every later write is refused until
   one resumes it;
3. the new table goes to the vault, the public file (and the agency file) are stripped
   again from it by the approved decisions (``Processor.strip_again``, as a decision change
   does), and the datastore table of the dataset's level is replaced
   (``Processor.load_version``). Downloads, conversions, the records API and
   ``datastore_search`` all read those, so they change at once, together.

Each write is in the audit log. The work is the table's size, not the batch's: tables past
``MAX_TABLE_ROWS`` take new rows by upload only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from datasets.access import AccessLevel
from datasets.datastore_sync import SHARED_LEVELS
from datasets.live_batch import Batch, apply_batch, check_declared, fresh_findings
from datasets.model import Dataset, DatasetState, Resource, ResourceVersion, RevisionResource
from datasets.personal import DEFAULT_POLICY, Action, ColumnDecision, Finding, Policy, decide
from datasets.processing import Processor
from datasets.vault import Vault
from publishers import Actor, Audit, Conflict, DomainError, NotFound, Permission, require
from publishers.db import utcnow

# Levels whose tables are in a datastore (public or shared); catalog-only is in none.
_LOADED_LEVELS = frozenset({AccessLevel.PUBLIC.value, *SHARED_LEVELS})


class NotWritable(DomainError):
    """The resource takes no live rows: ``reason`` is ``not_published``, ``not_table``,
    ``under_review`` (a changed copy of it waits for approval) or ``datastore_failed``
    (the datastore refused the new table; nothing was stored)."""

    code = "not_writable"


class FeedPaused(Conflict):
    """The feed is paused for a steward (``findings``: column and kind, never values)."""

    code = "feed_paused"


@dataclass(frozen=True)
class Written:
    """What a write did: rows added, changed or deleted, and the table's rows after it."""

    resource_id: str
    affected: int
    row_count: int
    fields: tuple[dict[str, Any], ...]


class LiveFeed:
    """Writes of batches of rows to published tables, and the pause of a feed."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: Vault,
        processor: Processor,
        audit: Audit,
        policy_for: Callable[[str], Policy],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._processor = processor
        self._audit = audit
        self._policy_for = policy_for
        self._clock = clock

    def write(self, actor: Actor, resource_id: str, batch: Batch) -> Written:
        """Apply ``batch`` to the resource's published table (see the module's docstring).

        Raises ``NotFound``, ``PermissionDenied``, ``NotWritable``, ``FeedPaused`` and
        ``BatchRefused``; nothing is stored when any is raised.
        """
        paused: list[Finding] = []
        with self._sessions.begin() as session:
            resource, dataset = self._editable(session, actor, resource_id)
            # Holds the resource's row to the commit: writes to one table run one at a time.
            session.execute(
                update(Resource)
                .where(Resource.id == resource_id)
                .values(feed_writes=Resource.feed_writes + 1)
            )
            session.refresh(resource)
            if resource.feed_paused:
                raise FeedPaused("the feed is paused", findings=resource.feed_paused["findings"])
            version = self._live_version(session, dataset, resource_id)
            assert version.normalized_key is not None
            schema = version.table_schema or {}
            fields = tuple((version.public_schema or {}).get("fields", []))
            if batch.method != "delete" and not batch.records:
                check_declared(schema, batch)  # datastore_create with fields only
                return Written(resource_id, 0, version.row_count or 0, fields)
            with self._vault.decrypted(version.normalized_key, ".csv") as src:
                dst = self._vault.scratch_file(".csv")
                try:
                    applied = apply_batch(src, dst, schema, batch, self._vault.scratch_dir)
                    paused = fresh_findings(
                        applied.header,
                        applied.given,
                        version.column_findings,
                        version.column_decisions,
                    )
                    if not paused:
                        version.normalized_key = self._vault.store_file(dst)
                finally:
                    dst.unlink(missing_ok=True)
            if paused:
                self._pause(session, actor, resource, dataset, paused)
            else:
                version.row_count = applied.row_count
                self._publish(session, version, dataset)
                self._audit.record_in(
                    session,
                    actor.user_id,
                    "resource.rows_written",
                    f"resource:{resource_id}",
                    details={
                        "dataset_id": dataset.id,
                        "method": batch.method,
                        "rows": applied.affected,
                    },
                )
        if paused:
            raise FeedPaused(
                "the feed is paused",
                findings=[{"column": f.column, "kind": str(f.kind)} for f in paused],
            )
        return Written(resource_id, applied.affected, applied.row_count, fields)

    def paused(self, dataset_id: str) -> dict[str, dict[str, Any]]:
        """Return the paused feeds of the dataset: resource id → ``{"at", "findings"}``."""
        with self._sessions() as session:
            rows = session.execute(
                select(Resource.id, Resource.feed_paused).where(
                    Resource.dataset_id == dataset_id, Resource.feed_paused.is_not(None)
                )
            ).all()
        return {
            rid: {"at": pause.get("at", ""), "findings": pause.get("findings", [])}
            for rid, pause in rows
            if pause
        }

    def resume(self, actor: Actor, resource_id: str) -> None:
        """A steward resumes a paused feed, accepting what the scan found: each finding
        becomes the column's finding with the organization's policy decision (the built-in
        defaults after it), and the published files and table are stripped again by it."""
        with self._sessions.begin() as session:
            resource = session.get(Resource, resource_id)
            if resource is None:
                raise NotFound("no such resource")
            dataset = session.get(Dataset, resource.dataset_id)
            assert dataset is not None
            require(actor, Permission.APPROVE, dataset.organization_id)
            pause = resource.feed_paused
            if not pause:
                return
            resource.feed_paused = None
            version = self._live_version(session, dataset, resource_id)
            accepted = [Finding.from_json(f) for f in pause.get("accepted", [])]
            if accepted:
                self._accept(version, dataset.organization_id, accepted)
                self._publish(session, version, dataset)
            self._audit.record_in(
                session,
                actor.user_id,
                "resource.feed_resumed",
                f"resource:{resource_id}",
                details={"dataset_id": dataset.id, "findings": pause.get("findings", [])},
            )

    def _accept(self, version: ResourceVersion, organization_id: str, found: list[Finding]) -> None:
        columns = {f.column for f in found}
        decided, _undecided = decide(found, self._policy_for(organization_id), DEFAULT_POLICY)
        by_column = {d.column: d for d in decided}
        findings = [f for f in version.column_findings if f.column not in columns] + found
        kept = [d for d in version.column_decisions if d.column not in by_column]
        # A finding no rule decides is dropped from the public file (the fail-safe).
        chosen = [
            by_column.get(f.column) or ColumnDecision(f.column, f.kind, Action.DROP) for f in found
        ]
        version.findings = [f.to_json() for f in findings]
        version.decisions = [d.to_json() for d in kept + chosen]

    def _editable(
        self, session: Session, actor: Actor, resource_id: str
    ) -> tuple[Resource, Dataset]:
        resource = session.get(Resource, resource_id)
        dataset = session.get(Dataset, resource.dataset_id) if resource is not None else None
        if resource is None or dataset is None:
            raise NotFound("no such resource")
        require(actor, Permission.EDIT_DATASET, dataset.organization_id)
        if dataset.state != DatasetState.PUBLISHED.value:
            raise NotWritable("the dataset is not published", reason="not_published")
        return resource, dataset

    @staticmethod
    def _live_version(session: Session, dataset: Dataset, resource_id: str) -> ResourceVersion:
        def version_in(revision_id: str | None) -> str | None:
            return session.scalar(
                select(RevisionResource.version_id).where(
                    RevisionResource.revision_id == revision_id,
                    RevisionResource.resource_id == resource_id,
                )
            )

        live_id = version_in(dataset.live_revision_id)
        version = session.get(ResourceVersion, live_id) if live_id else None
        if (
            version is None
            or not version.is_tabular
            or version.normalized_key is None
            or not version.public_sha256
        ):
            raise NotWritable("the resource is not a published table", reason="not_table")
        working = dataset.working_revision_id
        if working and working != dataset.live_revision_id:
            pending = version_in(working)
            if pending is not None and pending != live_id:
                raise NotWritable("a changed copy awaits review", reason="under_review")
        return version

    def _pause(
        self,
        session: Session,
        actor: Actor,
        resource: Resource,
        dataset: Dataset,
        found: list[Finding],
    ) -> None:
        findings = [{"column": f.column, "kind": str(f.kind)} for f in found]
        resource.feed_paused = {
            "at": self._clock().isoformat(),
            "by": actor.user_id,
            "findings": findings,
            "accepted": [f.to_json() for f in found],
        }
        self._audit.record_in(
            session,
            actor.user_id,
            "resource.feed_paused",
            f"resource:{resource.id}",
            details={"dataset_id": dataset.id, "findings": findings},
        )

    def _publish(self, session: Session, version: ResourceVersion, dataset: Dataset) -> None:
        """Strip the table again and reload its datastore table; a load that fails undoes
        the whole write (the old table stays, so every surface still agrees)."""
        self._processor.strip_again(version)
        loaded = self._processor.load_version(session, version)
        live = dataset.live_revision
        level = live.access_level if live is not None else None
        if not loaded and level in _LOADED_LEVELS:
            raise NotWritable("the datastore could not take the table", reason="datastore_failed")
        dataset.modified = self._clock()  # the public views' stamp: their caches renew
