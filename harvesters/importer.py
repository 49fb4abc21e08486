"""Import one stripped record through the same editor and workflow as an upload.

The harvester acts as the organization's publisher (``harvest-<source>``: create, edit,
upload, submit). When the source does not require review and no personal-data finding
was left undecided, a second system account, ``harvest-<source>-steward``, approves.
Two accounts keep the workflow's rule that nobody approves their own submission true to
its letter; the human decision behind the automatic approval is the sysadmin's
``require_review: false`` on the source, which the approval comment names.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets import (
    DatasetEditor,
    DatasetMetadata,
    ResourceInput,
    StagedUpload,
    Workflow,
)
from datasets.errors import SubmissionBlocked
from datasets.model import Dataset, DatasetState
from datasets.personal import Action, ColumnDecision
from harvesters.base import RemoteRecord, RemoteResource, file_sha256
from harvesters.decision import ImportPlan, plan_import
from harvesters.sanitize import StrippedRecord
from publishers import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportTarget:
    """Where and as whom a record is imported."""

    source_name: str
    source_type: str
    organization_id: str
    publisher: Actor
    steward: Actor
    require_review: bool
    default_license: str = ""


@dataclass(frozen=True)
class ImportResult:
    """The local dataset, whether it was new, and whether it waits for a steward."""

    dataset_name: str
    dataset_id: str
    created: bool
    held: bool
    reason: str
    resources: dict[str, str]  # remote key -> "local resource id|stored sha256"
    detail: str = ""  # of the held reason (the source licence, the undecided columns)
    blocked: bool = False  # the submission was blocked: the draft is kept (``BlockedDraft``)


class BlockedDraft(Exception):
    """The record's submission was blocked (``error``): its draft and files are kept for a
    steward, and the harvest object points at the draft (``dataset_id``, ``resources``) so
    the next run takes the record into it again instead of creating another draft."""

    def __init__(self, error: SubmissionBlocked, dataset_id: str, resources: dict[str, str]):
        super().__init__(str(error))
        self.error = error
        self.dataset_id = dataset_id
        self.resources = resources


class Importer:
    """Create or update local datasets from stripped records."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        editor: DatasetEditor,
        workflow: Workflow,
        clock: Callable[[], datetime],
        notify: Callable[[str, str], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._editor = editor
        self._workflow = workflow
        self._clock = clock
        # Tells the organization's stewards about a submission that waits for them.
        self._notify = notify

    def run(
        self,
        stripped: StrippedRecord,
        target: ImportTarget,
        dataset_id: str | None,
        previous: Mapping[str, str],
    ) -> ImportResult:
        """Import ``stripped``: create or update, resources, provenance, submit, approve.

        What is stored and whether it is held is ``plan`` 's decision, the one a dry run
        reports; ``ImportRefused`` (from ``plan``) means nothing was changed; ``BlockedDraft``
        that the draft was kept.
        """
        record = stripped.record
        plan = self.plan(stripped, target, dataset_id)
        meta = plan.meta
        name = self._existing_name(dataset_id)
        created = name is None
        if name is None:
            name = self._editor.create(target.publisher, target.organization_id, meta).name
        else:
            meta = self._keep_local(name, meta, licence=plan.keep_local_licence)
            self._editor.update_metadata(target.publisher, name, meta, expected_version=None)
        resources = self._sync_resources(
            target.publisher, name, record.resources, previous, stripped.applied, target
        )
        dataset_id = self._set_provenance(name, target, record)
        hold = plan.hold
        try:
            # Only a held submission waits for a steward: its tables are staged meanwhile.
            self._workflow.submit(target.publisher, name, stage=hold is not None)
        except SubmissionBlocked as exc:
            raise BlockedDraft(exc, dataset_id, resources) from exc
        if hold is not None:
            # Only a held submission waits for anyone: one published at once is no news to
            # the stewards (a 10,000-dataset job would otherwise mail them 10,000 times).
            self.tell_stewards(dataset_id)
        else:
            self._workflow.approve(
                target.steward,
                name,
                comment=f"Automatic approval: harvest source {target.source_name} "
                "does not require review.",
            )
        reason, detail = (hold.reason, hold.detail) if hold else ("", "")
        return ImportResult(name, dataset_id, created, hold is not None, reason, resources, detail)

    def plan(
        self, stripped: StrippedRecord, target: ImportTarget, dataset_id: str | None
    ) -> ImportPlan:
        """Decide what importing ``stripped`` does, changing nothing (dry and real runs)."""
        return plan_import(
            stripped,
            target.default_license,
            target.require_review,
            stored_license=self._stored_license(dataset_id),
        )

    def _stored_license(self, dataset_id: str | None) -> str | None:
        if dataset_id is None:
            return None
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            stored = dataset and (dataset.working_revision or dataset.live_revision)
            return stored.license_id if stored else None

    def tell_stewards(self, dataset_id: str) -> None:
        """Tell the organization's stewards that a harvested submission waits for them."""
        if self._notify is None:
            return
        try:
            self._notify("submit", dataset_id)
        except Exception:  # a notification never undoes an import
            log.exception("notification failed", extra={"dataset_id": dataset_id})

    def _keep_local(self, name: str, meta: DatasetMetadata, *, licence: bool) -> DatasetMetadata:
        """Keep the access level and instructions stored locally: a source never sets them,
        and a re-import must not open up data its local publisher restricted. With
        ``licence`` (the source's licence held the dataset), keep the stored licence too.

        They are read from the revision the update lands on: the working one (a pending
        change of level included), else the live one.
        """
        with self._sessions() as session:
            dataset = session.scalars(select(Dataset).where(Dataset.name == name)).one()
            stored = dataset.working_revision or dataset.live_revision
            if stored is None:
                return meta
            return replace(
                meta,
                access_level=stored.access_level,
                access_instructions=stored.access_instructions,
                license_id=stored.license_id if licence else meta.license_id,
            )

    def _existing_name(self, dataset_id: str | None) -> str | None:
        if dataset_id is None:
            return None
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            return dataset.name if dataset is not None else None

    def _sync_resources(
        self,
        actor: Actor,
        name: str,
        resources: tuple[RemoteResource, ...],
        previous: Mapping[str, str],
        applied: Mapping[str, tuple[ColumnDecision, ...]],
        target: ImportTarget,
    ) -> dict[str, str]:
        result: dict[str, str] = {}
        for resource in resources:
            old_id, _, old_sha = previous.get(resource.key, "").partition("|")
            info = ResourceInput(name=resource.name[:300], description=resource.description)
            if resource.path is not None:
                sha = file_sha256(resource.path)
                if old_id and old_sha == sha:
                    resource.path.unlink(missing_ok=True)
                    result[resource.key] = f"{old_id}|{sha}"
                    continue
                staged = StagedUpload(
                    resource.path, sha, resource.path.stat().st_size, resource.filename
                )
                version = self._editor.add_upload(
                    actor,
                    name,
                    staged,
                    info,
                    resource_id=old_id or None,
                    decisions=applied_decisions(
                        applied.get(resource.key, ()), target.source_name, actor
                    ),
                )
                result[resource.key] = f"{version.resource_id}|{sha}"
                continue
            if old_id and old_sha == resource.url:
                result[resource.key] = previous[resource.key]
                continue
            if old_id:
                self._editor.remove_resource(actor, name, old_id)
            link = self._editor.add_link(actor, name, resource.url, info, fmt=resource.format)
            result[resource.key] = f"{link.resource_id}|{resource.url}"
        for key, value in previous.items():
            if key not in result:
                self._editor.remove_resource(actor, name, value.partition("|")[0])
        return result

    def _set_provenance(self, name: str, target: ImportTarget, record: RemoteRecord) -> str:
        with self._sessions.begin() as session:
            # Only the dataset row: its revisions are not needed here.
            dataset = session.scalars(
                select(Dataset).where(Dataset.name == name).with_for_update()
            ).one()
            dataset.harvest_source = target.source_name
            dataset.harvest_source_type = target.source_type
            dataset.harvest_remote_id = record.remote_id[:300]
            dataset.harvest_remote_url = record.url[:1000] if _is_web(record.url) else None
            dataset.harvested_at = self._clock()
            return dataset.id

    def withdraw(self, dataset_id: str, steward: Actor, source_name: str) -> str | None:
        """Take a dataset whose approval was lost off the public surfaces; return its name."""
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None:
                return None
            name, state = dataset.name, DatasetState(dataset.state)
        comment = f"No longer approved at harvest source {source_name}."
        if state is DatasetState.PUBLISHED:
            self._workflow.withdraw(steward, name, comment)
        elif state is DatasetState.SUBMITTED:
            self._workflow.reject(steward, name, comment)
        return name


def applied_decisions(
    decisions: Sequence[ColumnDecision], source_name: str, actor: Actor
) -> list[ColumnDecision]:
    """Return the upload's decisions for columns the source's policy already stripped.

    The stored file holds the stripped values (hashed, masked, generalized, redacted, or
    kept by a justified rule): processing must publish them as they are, not apply the
    organization's defaults to them a second time (a hash of a hash joins with nothing).
    So each becomes a *keep* that says what was done; dropped columns are gone already.
    """
    result = []
    for decision in decisions:
        if decision.action is Action.DROP:
            continue
        if decision.action is Action.KEEP:
            why = decision.justification
        else:
            why = (
                f"{decision.action.value} applied before storage by the policy of harvest "
                f"source {source_name}"
            )
        result.append(
            replace(decision, action=Action.KEEP, justification=why, decided_by=actor.user_id or "")
        )
    return result


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def policy_fingerprint(source_policy: Mapping[str, Any], organization_policy: str) -> str:
    """Return a text that changes whenever the policy a source strips with changes."""
    return json.dumps([dict(source_policy), organization_policy], sort_keys=True, default=str)


def scratch_dir(staging: Path) -> Path:
    """Return the staging folder for harvest scratch files (created when missing)."""
    folder = staging / "harvest"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
