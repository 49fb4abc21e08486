"""The lifecycle of SPEC §3 as data: allowed transitions and who may make them.

The table is the single statement of the rules; ``next_state`` applies it and
``Workflow`` (datasets.workflow) records each transition as activity.
"""

from __future__ import annotations

from enum import StrEnum

from datasets.errors import TransitionNotAllowed
from datasets.model import Dataset, DatasetState, RevisionStatus
from publishers import Actor, Permission, require_on


class Transition(StrEnum):
    """A lifecycle action."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    EDIT = "edit"
    DELETE = "delete"


# Dataset states (a dataset that has never been published, or is withdrawn).
DATASET_TRANSITIONS: dict[tuple[DatasetState, Transition], DatasetState] = {
    (DatasetState.DRAFT, Transition.SUBMIT): DatasetState.SUBMITTED,
    (DatasetState.DRAFT, Transition.EDIT): DatasetState.DRAFT,
    (DatasetState.SUBMITTED, Transition.APPROVE): DatasetState.PUBLISHED,
    (DatasetState.SUBMITTED, Transition.REJECT): DatasetState.REJECTED,
    (DatasetState.REJECTED, Transition.SUBMIT): DatasetState.SUBMITTED,
    (DatasetState.REJECTED, Transition.EDIT): DatasetState.DRAFT,
    (DatasetState.PUBLISHED, Transition.WITHDRAW): DatasetState.WITHDRAWN,
    (DatasetState.WITHDRAWN, Transition.SUBMIT): DatasetState.SUBMITTED,
    (DatasetState.WITHDRAWN, Transition.EDIT): DatasetState.WITHDRAWN,
}

# A pending revision of a published dataset: the dataset stays published meanwhile.
REVISION_TRANSITIONS: dict[tuple[RevisionStatus, Transition], RevisionStatus] = {
    (RevisionStatus.DRAFT, Transition.EDIT): RevisionStatus.DRAFT,
    (RevisionStatus.DRAFT, Transition.SUBMIT): RevisionStatus.SUBMITTED,
    (RevisionStatus.SUBMITTED, Transition.APPROVE): RevisionStatus.APPROVED,
    (RevisionStatus.SUBMITTED, Transition.REJECT): RevisionStatus.REJECTED,
    (RevisionStatus.REJECTED, Transition.SUBMIT): RevisionStatus.SUBMITTED,
    (RevisionStatus.REJECTED, Transition.EDIT): RevisionStatus.DRAFT,
}

PERMISSION_FOR: dict[Transition, Permission] = {
    Transition.SUBMIT: Permission.SUBMIT,
    Transition.APPROVE: Permission.APPROVE,
    Transition.REJECT: Permission.REJECT,
    Transition.WITHDRAW: Permission.WITHDRAW,
    Transition.EDIT: Permission.EDIT_DATASET,
    Transition.DELETE: Permission.DELETE_DRAFT,
}

# Transitions that need a written comment (SPEC §3).
COMMENT_REQUIRED = frozenset({Transition.REJECT, Transition.WITHDRAW})


def next_state(state: DatasetState, transition: Transition) -> DatasetState:
    """Return the dataset state after ``transition``; raise ``TransitionNotAllowed``."""
    try:
        return DATASET_TRANSITIONS[(state, transition)]
    except KeyError:
        raise TransitionNotAllowed(
            f"cannot {transition.value} a {state.value} dataset",
            transition=transition.value,
            state=state.value,
        ) from None


def next_revision_status(status: RevisionStatus, transition: Transition) -> RevisionStatus:
    """Return the pending revision's status after ``transition``; raise if not allowed."""
    try:
        return REVISION_TRANSITIONS[(status, transition)]
    except KeyError:
        raise TransitionNotAllowed(
            f"cannot {transition.value} a {status.value} revision",
            transition=transition.value,
            state=status.value,
        ) from None


def advance(
    state: DatasetState, status: RevisionStatus, transition: Transition
) -> tuple[DatasetState, RevisionStatus]:
    """Return the dataset state and working revision status after ``transition``.

    A published dataset stays published: only its pending revision moves. Otherwise the
    dataset moves by ``DATASET_TRANSITIONS`` and its revision by ``REVISION_TRANSITIONS``.
    Raises ``TransitionNotAllowed`` when either table refuses.
    """
    if state is not DatasetState.PUBLISHED:
        state = next_state(state, transition)
    return state, next_revision_status(status, transition)


def allowed_transitions(dataset: Dataset) -> frozenset[Transition]:
    """Return the transitions the tables allow on ``dataset`` now (permissions aside).

    Editing a published dataset with no pending revision opens one; deleting is for a
    draft that was never published.
    """
    state = DatasetState(dataset.state)
    revision = dataset.working_revision
    status = RevisionStatus(revision.status) if revision is not None else None
    allowed = {t for (s, t) in DATASET_TRANSITIONS if s is state}
    if state is DatasetState.PUBLISHED:
        if status is None:
            allowed.add(Transition.EDIT)
        allowed.update(t for (s, t) in REVISION_TRANSITIONS if s is status)
    elif status is RevisionStatus.SUBMITTED:
        allowed.discard(Transition.EDIT)  # under review: reject it first
    if state is DatasetState.DRAFT and dataset.live_revision_id is None:
        allowed.add(Transition.DELETE)
    return frozenset(allowed)


def require_on_dataset(actor: Actor, permission: Permission, dataset: Dataset) -> None:
    """Check ``permission`` on ``dataset``: ``NotFound`` for whoever may not see it at all
    (a draft, a submission or a withdrawn dataset outside their organizations),
    ``PermissionDenied`` for whoever sees it but may not do this."""
    public = dataset.state == DatasetState.PUBLISHED.value
    require_on(actor, permission, dataset.organization_id, public=public)
