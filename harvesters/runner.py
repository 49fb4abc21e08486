"""Run one harvest job: gather → filter → fetch → strip → import, then withdraw (STYLE §6).

``run_harvest`` owns each dataset's outcome. The listing is read completely before
anything changes: a source that cannot be listed fails the job and touches nothing, and
a run that would withdraw more than ``max_withdraw_share`` of the datasets previously
harvested (when there were at least 10) stops and reports instead. Each dataset is
fetched, stripped and imported on its own, retried with exponential backoff on
transient errors (timeouts, 5xx, broken connections), and a failure is recorded with a
reason without stopping the job.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datasets.errors import SubmissionBlocked, TransitionNotAllowed
from datasets.personal import Policy, policy_from_dict
from harvesters.base import HarvestSource, RemoteRef
from harvesters.config import SourceConfig
from harvesters.dcat import approved_status
from harvesters.errors import HarvestError
from harvesters.importer import Importer, ImportRefused, ImportTarget, policy_fingerprint
from harvesters.model import HarvestObject
from harvesters.report import HarvestReport, ItemReport, Outcome
from harvesters.sanitize import StrippedRecord, remove_files, strip
from publishers import Accounts, Actor, DomainError, InvalidInput

log = logging.getLogger(__name__)
T = TypeVar("T")
MIN_FOR_SAFETY_STOP = 10
# A database or a bare file states no licence: like an upload, it gets the form's default.
_UPLOAD_LICENSE = {"sql": "cc-by-4.0", "file": "cc-by-4.0"}
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SourceContext:
    """The registered source a job runs for (ids, not ORM rows)."""

    source_id: str
    name: str
    type: str
    organization_id: str
    config: SourceConfig
    publisher: Actor
    steward: Actor


@dataclass(frozen=True)
class RunnerDeps:
    """What the runner needs from the portal, injected by the composition root."""

    sessions: sessionmaker[Session]
    accounts: Accounts
    importer: Importer
    hash_key: bytes
    scratch: Path
    clock: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep
    attempts: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled each time


@dataclass
class _Known:
    remote_id: str
    alt_id: str
    dataset_id: str | None
    stamp: str
    content_hash: str
    resources: dict[str, str]
    withdrawn: bool


@dataclass
class _Run:
    context: SourceContext
    deps: RunnerDeps
    dry_run: bool
    known: dict[str, _Known] = field(default_factory=dict)
    by_alt: dict[str, _Known] = field(default_factory=dict)


def is_approved(ref: RemoteRef, config: SourceConfig) -> bool:
    """Return whether the source marked the dataset approved (every configured filter holds)."""
    facts = ref.facts
    if config.approval_tag and config.approval_tag.lower() not in {t.lower() for t in facts.tags}:
        return False
    if config.approval_extra is not None:
        key, wanted = config.approval_extra
        if wanted.lower() not in {v.lower() for v in facts.fields.get(key, ())}:
            return False
    if config.approval_status and not approved_status(facts.status, config.approval_status):
        return False
    return not config.remote_orgs or ref.org in config.remote_orgs


def with_retries(deps: RunnerDeps, action: Callable[[], T]) -> tuple[T, int]:
    """Run ``action``; retry transient harvest errors with exponential backoff."""
    attempt = 1
    while True:
        try:
            return action(), attempt
        except HarvestError as exc:
            if not exc.transient or attempt >= deps.attempts:
                exc.attempts = attempt
                raise
            deps.sleep(deps.backoff * 2 ** (attempt - 1))
            attempt += 1


def run_harvest(
    source: HarvestSource,
    context: SourceContext,
    deps: RunnerDeps,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> HarvestReport:
    """Run one job for ``source`` and return its report (never raises for a dataset)."""
    run = _Run(context, deps, dry_run)
    report = HarvestReport(source=context.name, dry_run=dry_run)
    _load_known(run)
    try:
        refs, _attempts = with_retries(deps, lambda: list(source.gather()))
    except HarvestError as exc:
        report.status, report.error = "failed", exc.code
        log.warning("harvest gather failed", extra={"source": context.name, "code": exc.code})
        return report
    wanted: dict[str, RemoteRef] = {}
    for ref in refs:
        if is_approved(ref, context.config) and ref.remote_id not in wanted:
            wanted[ref.remote_id] = ref
    gone = _to_withdraw(run, wanted)
    active = [k for k in run.known.values() if not k.withdrawn and k.dataset_id]
    share = len(gone) / len(active) if active else 0.0
    if len(active) >= MIN_FOR_SAFETY_STOP and share > context.config.max_withdraw_share:
        report.status = "stopped"
        report.error = f"would_withdraw:{len(gone)}/{len(active)}"
        return report
    total = len(wanted) + len(gone)
    for done, ref in enumerate(wanted.values(), start=1):
        report.items.append(_harvest_one(run, source, ref))
        if progress:
            progress(done, total, ref.remote_id)
    for done, known in enumerate(gone, start=len(wanted) + 1):
        report.items.append(_withdraw(run, known))
        if progress:
            progress(done, total, known.remote_id)
    return report


def _load_known(run: _Run) -> None:
    with run.deps.sessions() as session:
        rows = session.scalars(
            select(HarvestObject).where(HarvestObject.source_id == run.context.source_id)
        ).all()
        for row in rows:
            known = _Known(
                row.remote_id,
                row.alt_id,
                row.dataset_id,
                row.stamp,
                row.content_hash,
                dict(row.resources or {}),
                row.withdrawn,
            )
            run.known[row.remote_id] = known
            if row.alt_id:
                run.by_alt[row.alt_id] = known


def _match(run: _Run, ref: RemoteRef) -> _Known | None:
    return run.known.get(ref.remote_id) or (run.by_alt.get(ref.alt_id) if ref.alt_id else None)


def _to_withdraw(run: _Run, wanted: Mapping[str, RemoteRef]) -> list[_Known]:
    matched = {id(k) for ref in wanted.values() if (k := _match(run, ref)) is not None}
    return [
        k
        for k in run.known.values()
        if id(k) not in matched and not k.withdrawn and k.dataset_id is not None
    ]


def _policy_for(run: _Run, organization_id: str) -> tuple[Policy, str, str]:
    """Return the source's policy over the organization's *stored* defaults, and more.

    The portal-wide built-in defaults are deliberately not used here: with nobody in the
    loop, only a rule someone wrote down (the source's, or the organization's) may decide
    what happens to personal data; anything else holds the dataset for a steward.
    """
    org = run.deps.accounts.find_organization(organization_id)
    stored = org.policy if org is not None else ""
    base = policy_from_dict(json.loads(stored)) if stored else Policy()
    policy = run.context.config.source_policy().over(base)
    fingerprint = policy_fingerprint(run.context.config.policy, stored)
    return policy, fingerprint, org.email if org is not None else ""


def _organization_for(run: _Run, remote_org: str) -> str:
    local = run.context.config.org_map.get(remote_org)
    if not local:
        return run.context.organization_id
    org = run.deps.accounts.find_organization(local)
    if org is None:
        raise ImportRefused("unknown_local_organization", local)
    return org.id


def _harvest_one(run: _Run, source: HarvestSource, ref: RemoteRef) -> ItemReport:
    known = _match(run, ref)
    same_stamp = bool(ref.stamp) and known is not None and ref.stamp == known.stamp
    if known and known.remote_id == ref.remote_id and not known.withdrawn and same_stamp:
        return ItemReport(ref.remote_id, Outcome.UNCHANGED)
    scratch = Path(tempfile.mkdtemp(dir=run.deps.scratch, prefix="item-"))
    attempts = 1
    try:
        record, attempts = with_retries(run.deps, lambda: source.fetch(ref, scratch))
        organization_id = _organization_for(run, record.org)
        policy, fingerprint, mailbox = _policy_for(run, organization_id)
        stripped = strip(
            record,
            policy,
            hash_key=run.deps.hash_key,
            organization_mailbox=mailbox,
            policy_fingerprint=fingerprint,
        )
        same = known is not None and known.content_hash == stripped.content_hash
        if known and known.dataset_id and not known.withdrawn and same:
            remove_files(stripped.record.resources)
            if not run.dry_run:
                _save(run, ref, known.dataset_id, stripped.content_hash, known.resources)
            return ItemReport(ref.remote_id, Outcome.UNCHANGED, attempts=attempts)
        return _import(run, ref, known, stripped, organization_id, attempts)
    except HarvestError as exc:
        attempts = getattr(exc, "attempts", attempts)
        return ItemReport(
            ref.remote_id, Outcome.FAILED, reason=exc.code, detail=str(exc)[:300], attempts=attempts
        )
    except ImportRefused as exc:
        return ItemReport(ref.remote_id, Outcome.FAILED, reason=exc.code, detail=exc.detail)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _import(
    run: _Run,
    ref: RemoteRef,
    known: _Known | None,
    stripped: StrippedRecord,
    organization_id: str,
    attempts: int,
) -> ItemReport:
    outcome = Outcome.UPDATED if known and known.dataset_id else Outcome.CREATED
    if run.dry_run:
        remove_files(stripped.record.resources)
        return ItemReport(ref.remote_id, outcome, attempts=attempts)
    context = run.context
    target = ImportTarget(
        source_name=context.name,
        source_type=context.type,
        organization_id=organization_id,
        publisher=_actor_in(run, context.publisher, organization_id),
        steward=_actor_in(run, context.steward, organization_id),
        require_review=context.config.require_review,
        default_license=context.config.default_license or _UPLOAD_LICENSE.get(context.type, ""),
    )
    dataset_id = known.dataset_id if known else None
    try:
        result = run.deps.importer.run(
            stripped, target, dataset_id, known.resources if known else {}
        )
    except SubmissionBlocked as exc:
        codes = sorted({str(r.get("code")) for r in exc.reasons})
        return ItemReport(
            ref.remote_id,
            Outcome.FAILED,
            reason="submission_blocked",
            detail=", ".join(codes),
            attempts=attempts,
        )
    except TransitionNotAllowed:
        return ItemReport(
            ref.remote_id,
            Outcome.FAILED,
            reason="under_review",
            detail="a steward has not decided the previous harvest yet",
        )
    except InvalidInput as exc:
        fields = ", ".join(f"{k}: {'/'.join(v)}" for k, v in exc.errors.items())
        return ItemReport(ref.remote_id, Outcome.FAILED, reason="invalid_metadata", detail=fields)
    except DomainError as exc:
        return ItemReport(ref.remote_id, Outcome.FAILED, reason=type(exc).__name__)
    finally:
        remove_files(stripped.record.resources)
    _save(run, ref, result.dataset_id, stripped.content_hash, result.resources)
    if not result.created:
        outcome = Outcome.UPDATED
    return ItemReport(
        ref.remote_id,
        outcome,
        dataset=result.dataset_name,
        reason=result.reason,
        held=result.held,
        attempts=attempts,
    )


def _actor_in(run: _Run, actor: Actor, organization_id: str) -> Actor:
    if organization_id in actor.roles:
        return actor
    raise ImportRefused("harvester_not_member", "the harvest accounts are not members there")


def _save(
    run: _Run, ref: RemoteRef, dataset_id: str, content_hash: str, resources: Mapping[str, str]
) -> None:
    with run.deps.sessions.begin() as session:
        row = session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == run.context.source_id,
                HarvestObject.dataset_id == dataset_id,
            )
        ) or session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == run.context.source_id,
                HarvestObject.remote_id == ref.remote_id,
            )
        )
        if row is None:
            row = HarvestObject(source_id=run.context.source_id, remote_id=ref.remote_id)
            session.add(row)
        row.remote_id = ref.remote_id[:300]
        row.alt_id = ref.alt_id[:300]
        row.dataset_id = dataset_id
        row.stamp = ref.stamp[:100]
        row.content_hash = content_hash
        row.resources = dict(resources)
        row.withdrawn = False
        row.modified = run.deps.clock()


def _withdraw(run: _Run, known: _Known) -> ItemReport:
    if run.dry_run or known.dataset_id is None:
        return ItemReport(known.remote_id, Outcome.WITHDRAWN)
    try:
        name = run.deps.importer.withdraw(known.dataset_id, run.context.steward, run.context.name)
    except DomainError as exc:
        return ItemReport(
            known.remote_id, Outcome.FAILED, reason="withdraw_failed", detail=type(exc).__name__
        )
    with run.deps.sessions.begin() as session:
        row = session.scalar(
            select(HarvestObject).where(
                HarvestObject.source_id == run.context.source_id,
                HarvestObject.remote_id == known.remote_id,
            )
        )
        if row is not None:
            row.withdrawn = True
            row.modified = run.deps.clock()
    return ItemReport(known.remote_id, Outcome.WITHDRAWN, dataset=name or "")


def report_json(report: HarvestReport) -> dict[str, Any]:
    """Return the report as stored with the job."""
    return report.to_dict()
