"""Apply lifecycle transitions (SPEC §3): submit, approve, reject, withdraw, delete.

Each transition checks permission and conditions, records activity, commits, and only
then runs the after-commit callbacks (search index, caches). Transitions that change
what is public mark the dataset ``index_stale`` in their own transaction; the index update
clears the mark, so a crash or a failed callback leaves it set (start-up reconciliation and
``opendata index rebuild`` repair it). A failed callback never undoes the transition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from datasets.datastore_staging import JOB_STAGE_DATASTORE, JOB_SWEEP_STAGED
from datasets.errors import SubmissionBlocked, SubmissionProblem, TransitionNotAllowed
from datasets.lifecycle import (
    COMMENT_REQUIRED,
    PERMISSION_FOR,
    Transition,
    advance,
    allowed_transitions,
    next_revision_status,
    next_state,
    require_on_dataset,
)
from datasets.model import (
    Activity,
    Dataset,
    DatasetState,
    Revision,
    RevisionStatus,
)
from datasets.queries import LOAD_OPTIONS, get_dataset
from datasets.queue import TaskQueue
from datasets.revisions import open_revision, record_activity
from datasets.submission_checks import CheckedVersion, resource_problems, submission_problems
from datasets.vocab import LICENSES
from publishers import (
    Accounts,
    Actor,
    Audit,
    InvalidInput,
    PermissionDenied,
    organizations_where,
    utcnow,
)
from publishers import Permission as P

log = logging.getLogger(__name__)

AfterCommit = Callable[[str], None]
# Called after a transition commits with (action, dataset id): notifications.
Listener = Callable[[str, str], None]
JOB_LOAD_DATASTORE = "load_datastore"


@dataclass(frozen=True)
class ReviewItem:
    """A submission waiting for a steward."""

    dataset_name: str
    dataset_id: str
    organization_id: str
    title: str
    submitted_by: str | None
    submitted_at: datetime | None
    is_revision: bool  # a pending revision of a published dataset


class Workflow:
    """Lifecycle transitions of datasets."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        queue: TaskQueue,
        after_commit: Sequence[AfterCommit] = (),
        clock: Callable[[], datetime] = utcnow,
        *,
        audit: Audit | None = None,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._queue = queue
        # Every transition is written to the audit log in the transaction that makes it,
        # whichever surface (web pages, REST API, CKAN API, CLI) asked for it.
        self._audit = audit
        self._after_commit = list(after_commit)
        self._clock = clock
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Register a callback run with (action, dataset id) after a transition commits."""
        self._listeners.append(listener)

    def add_after_commit(self, callback: AfterCommit) -> None:
        """Register a callback run with the dataset id after a public change commits."""
        self._after_commit.append(callback)

    def submit(self, actor: Actor, name: str, *, stage: bool = True) -> Dataset:
        """Submit the working revision for review; raise ``SubmissionBlocked`` with reasons.

        ``stage``: queue the staging of its tables in the datastore, so that an approval
        only swaps them in (``datasets.datastore_staging``); a caller approving at once
        passes False (the approval would load them anyway).
        """
        with self._sessions.begin() as session:
            dataset = self._load(session, name, actor, Transition.SUBMIT)
            tabular = self._submit(session, actor, dataset)
        if stage:
            self._stage(tabular)
        self._notify("submit", dataset.id)
        return dataset

    def stage(self, name: str) -> None:
        """Queue the staging of the tables of the dataset's submission waiting for review
        (for a caller that submitted with ``stage=False`` and did not approve after all)."""
        with self._sessions() as session:
            revision = get_dataset(session, name).working_revision
            if revision is None or revision.status != RevisionStatus.SUBMITTED.value:
                return
            tabular = [e.version_id for e in revision.entries if e.version.is_tabular]
        self._stage(tabular)

    def _stage(self, version_ids: Sequence[str]) -> None:
        for version_id in version_ids:
            try:
                self._queue.enqueue(JOB_STAGE_DATASTORE, {"version_id": version_id})
            except KeyError:  # a queue without the handler (a harvest's): approval loads
                return

    def submit_in(self, session: Session, actor: Actor, dataset: Dataset) -> None:
        """``submit`` inside the caller's transaction (a harvest batch), on a loaded dataset.

        The caller commits, then calls ``after_commit("submit", dataset.id)``. Its tables
        are not staged: the batch approves at once, and the approval loads them.
        """
        self._check(session, dataset, actor, Transition.SUBMIT)
        self._submit(session, actor, dataset)

    def _submit(self, session: Session, actor: Actor, dataset: Dataset) -> list[str]:
        """Submit ``dataset``'s working revision; return the ids of its tabular versions."""
        state = DatasetState(dataset.state)
        revision = dataset.working_revision
        if state is DatasetState.WITHDRAWN and revision is None:
            revision = open_revision(session, dataset, actor.user_id)
        if revision is None:
            raise TransitionNotAllowed("nothing to submit", transition="submit", state=state)
        if state is DatasetState.PUBLISHED:
            revision.status = next_revision_status(
                RevisionStatus(revision.status), Transition.SUBMIT
            ).value
        else:
            dataset.state = next_state(state, Transition.SUBMIT).value
            revision.status = RevisionStatus.SUBMITTED.value
        problems = submission_problems(revision)
        if problems:
            raise SubmissionBlocked(problems)
        revision.submitted_by, revision.submitted_at = actor.user_id, self._clock()
        self._record(session, dataset, actor, "submit", state, dataset.state)
        return [e.version_id for e in revision.entries if e.version.is_tabular]

    def approve(
        self, actor: Actor, name: str, comment: str = "", *, license_id: str = ""
    ) -> Dataset:
        """Publish the submitted revision: the live pointer moves in one transaction.

        A revision whose licence was not chosen (a harvested dataset held for its licence)
        needs ``license_id``, one the portal offers; otherwise it is refused with the
        ``licence_not_chosen`` problem. A ``license_id`` given for any other revision replaces
        its licence too.
        """
        with self._sessions.begin() as session:
            dataset = self._load(session, name, actor, Transition.APPROVE)
            tabular = self._approve(session, actor, dataset, comment, license_id)
        self.after_commit("approve", dataset.id, tabular)
        return dataset

    def approve_in(
        self, session: Session, actor: Actor, dataset: Dataset, comment: str = ""
    ) -> list[str]:
        """``approve`` inside the caller's transaction (a harvest batch), on a loaded dataset.

        Returns the tabular versions to load; the caller commits, then calls
        ``after_commit("approve", dataset.id, those)``.
        """
        self._check(session, dataset, actor, Transition.APPROVE)
        return self._approve(session, actor, dataset, comment, "")

    def after_commit(self, action: str, dataset_id: str, tabular: Sequence[str] = ()) -> None:
        """What follows a committed transition: datastore loads, callbacks, listeners."""
        for version_id in tabular:
            self._queue.enqueue(JOB_LOAD_DATASTORE, {"version_id": version_id})
        if action in ("approve", "withdraw"):
            self._run_after_commit(dataset_id)
        self._notify(action, dataset_id)

    def _approve(
        self, session: Session, actor: Actor, dataset: Dataset, comment: str, license_id: str
    ) -> list[str]:
        revision = self._submitted_revision(dataset, Transition.APPROVE)
        if (
            revision.submitted_by == actor.user_id
            and self._accounts.count_stewards(dataset.organization_id) > 1
        ):
            raise PermissionDenied("cannot approve own submission", reason="own_submission")
        problems = submission_problems(revision)
        if license_id and license_id not in LICENSES:
            raise InvalidInput("unknown licence", {"license_id": ["unknown_license"]})
        if license_id:
            revision.license_id = license_id
        elif revision.license_id not in LICENSES:
            problems.append(SubmissionProblem("licence_not_chosen"))
        if problems:
            raise SubmissionBlocked(problems)
        before = dataset.state
        state, status = advance(
            DatasetState(before), RevisionStatus(revision.status), Transition.APPROVE
        )
        now = self._clock()
        revision.status = status.value
        revision.decided_by, revision.decided_at = actor.user_id, now
        dataset.live_revision_id = revision.id
        dataset.working_revision_id = None
        dataset.state = state.value
        dataset.published = dataset.published or now
        dataset.modified = now
        # Cleared by the index update after the commit: a crash in between leaves the
        # mark, and start-up reconciliation indexes the dataset (issue 14).
        dataset.index_stale = True
        self._record(session, dataset, actor, "approve", before, dataset.state, comment)
        return [e.version_id for e in revision.entries if e.version.is_tabular]

    def reject(self, actor: Actor, name: str, comment: str) -> Dataset:
        """Send the submission back with a required comment."""
        with self._sessions.begin() as session:
            dataset = self._load(session, name, actor, Transition.REJECT, comment)
            revision = self._submitted_revision(dataset, Transition.REJECT)
            before = dataset.state
            state, status = advance(
                DatasetState(before), RevisionStatus(revision.status), Transition.REJECT
            )
            revision.status = status.value
            revision.decided_by, revision.decided_at = actor.user_id, self._clock()
            dataset.state = state.value
            self._record(session, dataset, actor, "reject", before, dataset.state, comment)
        self._sweep_staged()
        self._notify("reject", dataset.id)
        return dataset

    def withdraw(self, actor: Actor, name: str, comment: str) -> Dataset:
        """Take a published dataset off every public surface (kept for audit)."""
        with self._sessions.begin() as session:
            dataset = self._load(session, name, actor, Transition.WITHDRAW, comment)
            before = dataset.state
            dataset.state = next_state(DatasetState(before), Transition.WITHDRAW).value
            dataset.modified = self._clock()
            dataset.index_stale = True  # as for an approval: cleared once the index agrees
            self._record(session, dataset, actor, "withdraw", before, dataset.state, comment)
        self._run_after_commit(dataset.id)
        self._sweep_staged()
        self._notify("withdraw", dataset.id)
        return dataset

    def delete_draft(self, actor: Actor, name: str) -> None:
        """Delete a dataset that was never published; others are withdrawn instead."""
        with self._sessions.begin() as session:
            dataset = self._load(session, name, actor, Transition.DELETE)
            if Transition.DELETE not in allowed_transitions(dataset):
                raise TransitionNotAllowed("only drafts", transition="delete", state=dataset.state)
            dataset.working_revision_id = None
            session.flush()
            session.delete(dataset)
            self._audit_in(session, actor, "delete_draft", dataset, {"from": dataset.state})
        log.info("draft deleted", extra={"dataset_id": dataset.id})

    def review_queue(self, actor: Actor) -> list[ReviewItem]:
        """Return the submissions ``actor`` may decide, oldest first."""
        orgs = organizations_where(actor, P.APPROVE)
        with self._sessions() as session:
            query = (
                select(Dataset, Revision)
                .join(Revision, Dataset.working_revision_id == Revision.id)
                .where(Revision.status == RevisionStatus.SUBMITTED.value)
                .order_by(Revision.submitted_at)
            )
            if not actor.is_sysadmin:
                query = query.where(Dataset.organization_id.in_(orgs))
            return [
                ReviewItem(
                    dataset_name=d.name,
                    dataset_id=d.id,
                    organization_id=d.organization_id,
                    title=r.title_vi,
                    submitted_by=r.submitted_by,
                    submitted_at=r.submitted_at,
                    is_revision=d.state == DatasetState.PUBLISHED.value,
                )
                for d, r in session.execute(query).all()
            ]

    def datasets_of(self, organization_ids: frozenset[str]) -> list[Dataset]:
        """Return the datasets of those organizations (any state), newest change first."""
        if not organization_ids:
            return []
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Dataset)
                    .where(Dataset.organization_id.in_(organization_ids))
                    .options(*LOAD_OPTIONS)
                    .order_by(Dataset.modified.desc())
                    .limit(200)
                ).all()
            )

    def activity(self, dataset_id: str, *, limit: int = 100) -> list[Activity]:
        """Return the dataset's activity, newest first."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Activity)
                    .where(Activity.dataset_id == dataset_id)
                    .order_by(Activity.created.desc())
                    .limit(limit)
                ).all()
            )

    # -- internals -----------------------------------------------------------------

    def _load(
        self, session: Session, name: str, actor: Actor, transition: Transition, comment: str = ""
    ) -> Dataset:
        dataset = get_dataset(session, name, for_update=True)
        self._check(session, dataset, actor, transition, comment)
        return dataset

    def _check(
        self,
        session: Session,
        dataset: Dataset,
        actor: Actor,
        transition: Transition,
        comment: str = "",
    ) -> None:
        require_on_dataset(actor, PERMISSION_FOR[transition], dataset)
        if transition in COMMENT_REQUIRED and not comment.strip():
            raise InvalidInput("comment required", {"comment": ["required"]})
        self._claim(session, dataset, transition)

    @staticmethod
    def _claim(session: Session, dataset: Dataset, transition: Transition) -> None:
        """Compare-and-set on the row's version: of transitions decided on the same state,
        exactly one commits; the others raise ``TransitionNotAllowed`` (409).

        PostgreSQL's row lock already serializes them; SQLite reads outside a write
        transaction, so two requests could both see "submitted" and both write. The
        conditional UPDATE takes the write lock and sees the newest committed row.
        """
        seen = dataset.lock_version
        claimed = cast(
            "CursorResult[Any]",
            session.execute(
                update(Dataset)
                .where(Dataset.id == dataset.id, Dataset.lock_version == seen)
                .values(lock_version=seen + 1)
                .execution_options(synchronize_session=False)
            ),
        )
        if claimed.rowcount != 1:
            raise TransitionNotAllowed(
                "dataset changed meanwhile", transition=transition.value, state=dataset.state
            )
        set_committed_value(dataset, "lock_version", seen + 1)

    def _submitted_revision(self, dataset: Dataset, transition: Transition) -> Revision:
        revision = dataset.working_revision
        if revision is None or revision.status != RevisionStatus.SUBMITTED.value:
            raise TransitionNotAllowed(
                "nothing submitted", transition=transition.value, state=dataset.state
            )
        return revision

    def _record(
        self,
        session: Session,
        dataset: Dataset,
        actor: Actor,
        action: str,
        before: str,
        after: str,
        comment: str = "",
    ) -> None:
        record_activity(
            session,
            dataset,
            actor.user_id,
            action,
            from_state=before,
            to_state=after,
            comment=comment.strip(),
            now=self._clock(),
        )
        # The comment stays in the activity: it is free text and may name people.
        self._audit_in(session, actor, action, dataset, {"from": before, "to": after})

    def _audit_in(
        self,
        session: Session,
        actor: Actor,
        action: str,
        dataset: Dataset,
        details: dict[str, object],
    ) -> None:
        if self._audit is not None:
            self._audit.record_in(
                session,
                actor.user_id,
                f"dataset.{action}",
                f"dataset:{dataset.name}",
                details={"dataset_id": dataset.id, **details},
            )

    def _sweep_staged(self) -> None:
        """Queue the sweep of staged tables no submission waits for any more (a rejected
        one's); the job process's recovery sweeps too, should this job be lost."""
        try:
            self._queue.enqueue(JOB_SWEEP_STAGED, {})
        except KeyError:
            return

    def _notify(self, action: str, dataset_id: str) -> None:
        for listener in self._listeners:
            try:
                listener(action, dataset_id)
            except Exception:  # a notification never undoes a transition
                log.exception("notification failed", extra={"dataset_id": dataset_id})

    def _run_after_commit(self, dataset_id: str) -> None:
        for callback in self._after_commit:
            try:
                callback(dataset_id)
            except Exception:
                log.exception("after-commit update failed", extra={"dataset_id": dataset_id})
                with self._sessions.begin() as session:
                    dataset = session.get(Dataset, dataset_id)
                    if dataset is not None:
                        dataset.index_stale = True


__all__ = [
    "LOAD_OPTIONS",
    "CheckedVersion",
    "ReviewItem",
    "SubmissionProblem",
    "Workflow",
    "resource_problems",
    "submission_problems",
]
