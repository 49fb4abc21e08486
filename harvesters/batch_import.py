"""Import many stripped records in one transaction (a harvest batch).

The same steps as ``Importer.run`` for each record -- create or update, uploads processed
at once, provenance, submit, approve unless held -- and the same domain functions
(``datasets.metadata_edit``, ``datasets.resource_edit``, ``Processor.process_in``,
``Workflow.submit_in``/``approve_in``), but all the records of a batch share one session
and one commit, which also holds each record's harvest object:

- the datasets that exist already are read in one query, with their revisions;
- each record runs in a SAVEPOINT: a record that fails (a domain error, or a defect) is
  rolled back alone and reported; the rest of the batch is still imported. As before, a
  record whose submission is blocked (an invalid table, a failed file) keeps its draft
  with its processed files, for a steward to look at, and a harvest object that makes the
  next run take the record into that draft again;
- the blobs the batch writes (originals, normalized and public tables) are fsynced
  together just before the commit (``datasets.storage.deferred_sync``), not one by one;
- a crash before the commit leaves nothing of the batch: no dataset, no harvest object,
  and the datasets it was updating keep their published state (the next run takes them
  again); blobs already written are content-addressed and referred to by nothing;
- what follows a commit (datastore loads queued, the search index, prunes, listeners,
  the stewards' notices) runs after it, once per dataset.

A transaction is committed after ``MAX_HOLD_SECONDS`` even if records of the batch remain
(they go to the next transaction): on SQLite the write lock is held meanwhile, and other
writers (web requests) wait for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets import DatasetMetadata, ResourceInput, StagedUpload, Workflow
from datasets.errors import SubmissionBlocked
from datasets.metadata_edit import create_dataset, update_metadata
from datasets.model import Dataset, ResourceVersion
from datasets.processing import Processor
from datasets.queries import LOAD_OPTIONS
from datasets.resource_edit import (
    add_link_version,
    add_upload_version_to,
    check_link_url,
    remove_resource,
)
from datasets.storage import deferred_sync
from datasets.vault import Vault
from datasets.workflow import submission_problems
from harvesters.base import RemoteResource, file_sha256
from harvesters.decision import ImportRefused, plan_import
from harvesters.importer import BlockedDraft, ImportResult, ImportTarget, applied_decisions
from harvesters.sanitize import StrippedRecord
from publishers import Actor, DomainError, Permission, require

log = logging.getLogger(__name__)
# Longest a batch keeps one transaction open before committing what it has (seconds).
MAX_HOLD_SECONDS = 2.0


@dataclass
class BatchEntry:
    """One record of a batch and where it goes; ``save`` stores its harvest object."""

    stripped: StrippedRecord
    target: ImportTarget
    dataset_id: str | None
    previous: Mapping[str, str]
    save: Callable[[Session, ImportResult], None]  # the harvest object, in the savepoint


@dataclass
class _Done:
    """What to run once the transaction holding a record has committed."""

    transitions: list[tuple[str, str, list[str]]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)


class BatchImporter:
    """Imports batches of stripped records (see the module's docstring)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: Vault,
        processor: Processor,
        workflow: Workflow,
        clock: Callable[[], datetime],
        tell_stewards: Callable[[str], None],
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._processor = processor
        self._workflow = workflow
        self._clock = clock
        self._tell_stewards = tell_stewards

    def run(self, entries: Sequence[BatchEntry]) -> list[ImportResult | Exception]:
        """Import ``entries``; return, in order, each one's ``ImportResult`` or exception."""
        outcomes: list[ImportResult | Exception] = []
        while len(outcomes) < len(entries):
            outcomes.extend(self._transaction(entries[len(outcomes) :]))
        return outcomes

    def _transaction(self, entries: Sequence[BatchEntry]) -> list[ImportResult | Exception]:
        """Import a prefix of ``entries`` in one transaction (at least one record)."""
        outcomes: list[ImportResult | Exception] = []
        done = _Done()
        started = time.monotonic()
        with deferred_sync() as pending, self._sessions.begin() as session:
            _begin(session)
            ids = [e.dataset_id for e in entries if e.dataset_id]
            existing = (
                {
                    d.id: d
                    for d in session.scalars(
                        select(Dataset).where(Dataset.id.in_(ids)).options(*LOAD_OPTIONS)
                    ).all()
                }
                if ids
                else {}
            )
            for entry in entries:
                mark = len(done.transitions), len(done.held)
                try:
                    with session.begin_nested():
                        outcome = self._import(session, entry, existing, done)
                except Exception as exc:  # rolled back alone; the runner reports it
                    if not isinstance(exc, DomainError | ImportRefused):
                        log.exception("harvest import failed", extra={"count": len(outcomes)})
                    del done.transitions[mark[0] :], done.held[mark[1] :]
                    outcome = exc
                outcomes.append(outcome)
                if time.monotonic() - started > MAX_HOLD_SECONDS:
                    break
            session.flush()
            pending.sync()  # every blob the rows refer to is on disk before they commit
        for action, dataset_id, tabular in done.transitions:
            self._workflow.after_commit(action, dataset_id, tabular)
        for dataset_id in done.held:
            self._tell_stewards(dataset_id)
        return outcomes

    def _import(
        self, session: Session, entry: BatchEntry, existing: Mapping[str, Dataset], done: _Done
    ) -> ImportResult | Exception:
        target = entry.target
        stored = existing.get(entry.dataset_id) if entry.dataset_id else None
        revision = stored and (stored.working_revision or stored.live_revision)
        plan = plan_import(
            entry.stripped,
            target.default_license,
            target.require_review,
            stored_license=revision.license_id if revision else None,
        )
        publisher = target.publisher
        if stored is None:
            require(publisher, Permission.CREATE_DATASET, target.organization_id)
            assert publisher.user_id is not None
            dataset = create_dataset(
                session,
                publisher.user_id,
                target.organization_id,
                plan.meta,
                name="",
                now=self._clock(),
            )
        else:
            dataset = stored
            meta = _keep_local(dataset, plan.meta, licence=plan.keep_local_licence)
            update_metadata(
                session, publisher, dataset.name, meta, expected_version=None, clock=self._clock
            )
        record = entry.stripped.record
        resources = self._resources(session, dataset, entry, publisher)
        dataset.harvest_source = target.source_name
        dataset.harvest_source_type = target.source_type
        dataset.harvest_remote_id = record.remote_id[:300]
        dataset.harvest_remote_url = record.url[:1000] if _is_web(record.url) else None
        dataset.harvested_at = self._clock()
        session.flush()  # the revision's new entries load their versions from here on
        revision = dataset.working_revision
        problems = submission_problems(revision) if revision is not None else []
        if problems:
            # Refused before the submission changes anything, as the one-at-a-time import
            # is: the draft stays, for a steward to look at, and its harvest object points
            # at it so the next run takes the record into it again.
            kept = ImportResult(dataset.name, dataset.id, stored is None, False, "", resources)
            entry.save(session, replace(kept, blocked=True))
            return BlockedDraft(SubmissionBlocked(problems), dataset.id, resources)
        # Neither raises once it has changed something: no SAVEPOINT of their own.
        self._workflow.submit_in(session, publisher, dataset)
        hold = plan.hold
        tabular: list[str] = []
        if hold is None:
            tabular = self._workflow.approve_in(
                session,
                target.steward,
                dataset,
                f"Automatic approval: harvest source {target.source_name} does not require review.",
            )
        done.transitions.append(("submit", dataset.id, []))
        if hold is None:
            done.transitions.append(("approve", dataset.id, tabular))
        else:
            done.held.append(dataset.id)
        reason, detail = (hold.reason, hold.detail) if hold else ("", "")
        result = ImportResult(
            dataset.name, dataset.id, stored is None, hold is not None, reason, resources, detail
        )
        entry.save(session, result)
        return result

    def _resources(
        self, session: Session, dataset: Dataset, entry: BatchEntry, actor: Actor
    ) -> dict[str, str]:
        source_name = entry.target.source_name
        previous = entry.previous
        result: dict[str, str] = {}
        resource: RemoteResource
        for resource in entry.stripped.record.resources:
            old_id, _, old_sha = previous.get(resource.key, "").partition("|")
            info = ResourceInput(name=resource.name[:300], description=resource.description)
            if resource.path is not None:
                sha = file_sha256(resource.path)
                if old_id and old_sha == sha:
                    resource.path.unlink(missing_ok=True)
                    result[resource.key] = f"{old_id}|{sha}"
                    continue
                path = resource.path
                staged = StagedUpload(path, sha, path.stat().st_size, resource.filename)
                try:
                    original = self._vault.store_file(path)
                finally:  # the plaintext never stays in staging, stored or not
                    path.unlink(missing_ok=True)
                decisions = applied_decisions(
                    entry.stripped.applied.get(resource.key, ()), source_name, actor
                )
                version = add_upload_version_to(
                    session,
                    actor,
                    dataset,
                    staged,
                    original,
                    info,
                    resource_id=old_id or None,
                    decisions=decisions,
                    clock=self._clock,
                )
                self._process(session, version, dataset.organization_id)
                result[resource.key] = f"{version.resource_id}|{sha}"
                continue
            if old_id and old_sha == resource.url:
                result[resource.key] = previous[resource.key]
                continue
            if old_id:
                remove_resource(session, actor, dataset.name, old_id, self._clock)
            check_link_url(resource.url)
            link = add_link_version(
                session,
                actor,
                dataset.name,
                resource.url,
                info,
                fmt=resource.format,
                clock=self._clock,
            )
            result[resource.key] = f"{link.resource_id}|{resource.url}"
        for key, value in previous.items():
            if key not in result:
                remove_resource(session, actor, dataset.name, value.partition("|")[0], self._clock)
        return result

    def _process(self, session: Session, version: ResourceVersion, organization_id: str) -> None:
        """Process the upload now, in the batch's transaction: nobody else sees the version
        before it commits, so no lease is needed; ``begin_attempt`` would count one run."""
        self._processor.process_in(session, version, organization_id=organization_id)


def _begin(session: Session) -> None:
    """Open the transaction in the database now: on SQLite, the driver would open it only
    at the first write, and a SAVEPOINT outside a transaction is a transaction of its own
    (its RELEASE commits). ``BEGIN IMMEDIATE`` also takes the write lock at once, waiting
    for other writers as any write does, instead of failing when it upgrades later."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _keep_local(dataset: Dataset, meta: DatasetMetadata, *, licence: bool) -> DatasetMetadata:
    """``Importer._keep_local`` on a loaded dataset: the stored access level and
    instructions (and licence, with ``licence``) of the revision the update lands on."""
    stored = dataset.working_revision or dataset.live_revision
    if stored is None:
        return meta
    return replace(
        meta,
        access_level=stored.access_level,
        access_instructions=stored.access_instructions,
        license_id=stored.license_id if licence else meta.license_id,
    )


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://"))
