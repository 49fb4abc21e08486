"""Personal-data decisions entered for a resource's columns (remove, mask, keep...).

``record_decisions`` works inside the caller's transaction; ``DatasetEditor`` opens it and
queues the rebuild of the public file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from datasets.model import Dataset, ResourceVersion, Revision, RevisionStatus, VersionStatus
from datasets.personal import GENERALIZABLE, Action, ColumnDecision
from datasets.queries import get_dataset
from datasets.revisions import editable_version, find_entry, record_activity, working_revision
from publishers import Actor, InvalidInput, NotFound, Permission, can


def record_decisions(
    session: Session,
    actor: Actor,
    name: str,
    resource_id: str,
    decisions: Sequence[Mapping[str, str]],
    clock: Callable[[], datetime],
    *,
    agency: bool = False,
    emptied: Callable[[ResourceVersion, list[ColumnDecision]], list[str]] | None = None,
) -> ResourceVersion:
    """Check ``decisions`` (as entered) and record them on the resource's editable version.

    A version that is already live is never changed: the decisions go to a copy in the
    working revision. The version is marked to process again. With ``agency`` they are the
    decisions of the agency projection (issue 18), laid over the earlier agency decisions;
    a column without one is stripped as in the public file. A steward reviewing a submitted
    revision decides on it as it stands: it stays in review (approval waits for the rebuild).
    ``emptied`` names the columns the entered decisions would leave empty (refused: dropping
    the column says so honestly).
    """
    dataset = get_dataset(session, name, for_update=True)
    revision = _revision_to_decide(session, actor, dataset, clock)
    entry = find_entry(revision, resource_id)
    if entry is None:
        raise NotFound("resource not found")
    version = editable_version(session, dataset, entry, clock)
    if agency:
        base = {d.column: d for d in map(ColumnDecision.from_json, version.agency_decisions or ())}
        cleaned = check_decisions(actor, dataset.organization_id, version, decisions, base=base)
    else:
        cleaned = check_decisions(actor, dataset.organization_id, version, decisions)
    entered = {d.get("column", "") for d in decisions}
    empty = emptied(version, [d for d in cleaned if d.column in entered]) if emptied else []
    if empty:
        raise InvalidInput("decisions would empty a column", {c: ["would_empty"] for c in empty})
    if agency:
        version.agency_decisions = [d.to_json() for d in cleaned]
    else:
        version.decisions = [d.to_json() for d in cleaned]
    version.status = VersionStatus.PROCESSING.value
    record_activity(
        session,
        dataset,
        actor.user_id,
        "decide-agency" if agency else "decide",
        now=clock(),
        details={
            "resource_id": resource_id,
            "decisions": [{"column": d.column, "action": d.action.value} for d in cleaned],
        },
    )
    return version


def _revision_to_decide(
    session: Session, actor: Actor, dataset: Dataset, clock: Callable[[], datetime]
) -> Revision:
    """The revision whose decisions change: the one under review for a steward who may
    approve it, else the working revision opened for editing (refused under review)."""
    revision = dataset.working_revision
    if (
        revision is not None
        and RevisionStatus(revision.status) is RevisionStatus.SUBMITTED
        and can(actor, Permission.APPROVE, dataset.organization_id)
    ):
        dataset.lock_version += 1
        dataset.modified = clock()
        return revision
    return working_revision(session, actor, dataset, None, clock)


def check_decisions(
    actor: Actor,
    organization_id: str,
    version: ResourceVersion,
    decisions: Sequence[Mapping[str, str]],
    *,
    base: dict[str, ColumnDecision] | None = None,
) -> list[ColumnDecision]:
    """Return the recorded decisions (or ``base``) with ``decisions`` (as entered) laid over.

    ``keep`` needs a steward and a written justification. Raises ``InvalidInput`` with
    the problems by column.
    """
    findings = {f.column: f for f in version.column_findings}
    errors: dict[str, list[str]] = {}
    cleaned: list[ColumnDecision] = []
    for decision in decisions:
        column, action = decision.get("column", ""), decision.get("action", "")
        justification = decision.get("justification", "").strip()
        if column not in findings:
            errors.setdefault(column or "column", []).append("unknown_column")
            continue
        try:
            chosen = Action(action)
        except ValueError:
            errors.setdefault(column, []).append("unknown_action")
            continue
        if chosen is Action.GENERALIZE and findings[column].kind not in GENERALIZABLE:
            errors.setdefault(column, []).append("cannot_generalize")
        if chosen is Action.KEEP:
            if not can(actor, Permission.DECIDE_KEEP, organization_id):
                errors.setdefault(column, []).append("keep_needs_steward")
            if not justification:
                errors.setdefault(column, []).append("justification_required")
        cleaned.append(
            ColumnDecision(
                column=column,
                kind=findings[column].kind,
                action=chosen,
                justification=justification,
                decided_by=actor.user_id or "",
            )
        )
    if errors:
        raise InvalidInput("invalid decisions", errors)
    merged = version.decisions_by_column() if base is None else dict(base)
    merged.update({d.column: d for d in cleaned})
    return list(merged.values())
