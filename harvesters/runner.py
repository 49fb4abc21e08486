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
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from datasets.personal import Policy, policy_from_dict
from datasets.vocab import DEFAULT_LICENSE_ID
from harvesters.base import HarvestSource, RemoteRecord, RemoteRef
from harvesters.batching import Batches, Ready, failure_report
from harvesters.config import SourceConfig
from harvesters.dcat import approved_status
from harvesters.decision import ImportRefused
from harvesters.errors import HarvestError
from harvesters.fetching import Prefetcher
from harvesters.harvest_objects import (
    KnownDataset,
    load_known,
    mark_withdrawn,
    save_harvest_object,
)
from harvesters.importer import BlockedDraft, ImportTarget, policy_fingerprint
from harvesters.prepare import Prepared, Preparer, StripTask
from harvesters.report import HarvestReport, ItemReport, Outcome
from harvesters.run_context import Progress, RunnerDeps, SourceContext
from harvesters.sanitize import StrippedRecord, remove_files, remove_raw_files
from publishers import Actor, DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")
MIN_FOR_SAFETY_STOP = 10
# A database or a bare file states no licence: like an upload, it gets the form's default.
_UPLOAD_LICENSE = {"sql": DEFAULT_LICENSE_ID, "file": DEFAULT_LICENSE_ID}


@dataclass
class _Run:
    context: SourceContext
    deps: RunnerDeps
    dry_run: bool
    known: dict[str, KnownDataset] = field(default_factory=dict)
    by_alt: dict[str, KnownDataset] = field(default_factory=dict)
    # The policies a job strips with, read once per organization when the job first needs
    # them: every dataset of a job is stripped by the same rules.
    policies: dict[str, tuple[Policy, str, str]] = field(default_factory=dict)


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
    to_fetch = sum(1 for ref in wanted.values() if not _unchanged_stamp(run, ref))
    pooled = deps.workers > 0 and to_fetch >= deps.pool_min
    preparer = Preparer(deps.workers if pooled else 0)
    # Records fetched ahead of the import, stripped meanwhile by the workers (and a batch
    # more when batched: the workers go on while a batch is imported, issue 24).
    ahead = deps.batch_size if deps.batches is not None and not dry_run else 0
    window = 2 * deps.workers + 2 + ahead if pooled else 1
    pending: deque[_Item] = deque()
    fetching = [ref for ref in wanted.values() if not _unchanged_stamp(run, ref)]
    fetches = Prefetcher(
        source, fetching, lambda ref, scratch: _fetch(run, source, ref, scratch), deps.scratch
    )

    def emit(item_report: ItemReport) -> None:
        report.items.append(item_report)
        if progress:
            progress(len(report.items), total, item_report.remote_id)

    batches = None
    if deps.batches is not None and not dry_run:
        batches = Batches(
            deps.batches, context.source_id, deps.clock, emit, deps.batch_size, partial(_alone, run)
        )
    try:
        for ref in wanted.values():
            pending.append(_start(run, fetches, ref, preparer))
            while len(pending) >= window:
                _take(run, pending.popleft(), preparer, batches, emit)
        while pending:
            _take(run, pending.popleft(), preparer, batches, emit)
        if batches is not None:
            batches.flush()
    finally:
        fetches.close()
        preparer.close()
        if batches is not None:
            batches.abandon()  # only when an unexpected error ends the job
        for item in pending:
            if item.scratch is not None:  # best effort, as in _clean
                shutil.rmtree(item.scratch, ignore_errors=True)
    for known in gone:
        emit(_withdraw(run, known))
    return report


def _take(
    run: _Run,
    item: _Item,
    preparer: Preparer,
    batches: Batches | None,
    emit: Callable[[ItemReport], None],
) -> None:
    """Finish the item: its report now, or its record into the batch being gathered."""
    outcome = _finish(run, item, preparer, batched=batches is not None)
    if batches is not None:
        batches.add(outcome)
    else:
        assert isinstance(outcome, ItemReport)
        emit(outcome)


def _load_known(run: _Run) -> None:
    for known in load_known(run.deps.sessions, run.context.source_id):
        run.known[known.remote_id] = known
        if known.alt_id:
            run.by_alt[known.alt_id] = known


def _match(run: _Run, ref: RemoteRef) -> KnownDataset | None:
    return run.known.get(ref.remote_id) or (run.by_alt.get(ref.alt_id) if ref.alt_id else None)


def _to_withdraw(run: _Run, wanted: Mapping[str, RemoteRef]) -> list[KnownDataset]:
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
    if organization_id in run.policies:
        return run.policies[organization_id]
    org = run.deps.accounts.find_organization(organization_id)
    stored = org.policy if org is not None else ""
    base = policy_from_dict(json.loads(stored)) if stored else Policy()
    policy = run.context.config.source_policy().over(base)
    fingerprint = policy_fingerprint(run.context.config.policy, stored)
    found = policy, fingerprint, org.email if org is not None else ""
    run.policies[organization_id] = found
    return found


def _organization_for(run: _Run, remote_org: str) -> str:
    local = run.context.config.org_map.get(remote_org)
    if not local:
        return run.context.organization_id
    org = run.deps.accounts.find_organization(local)
    if org is None:
        raise ImportRefused("unknown_local_organization", local)
    return org.id


@dataclass
class _Item:
    """A dataset between its fetch and its import."""

    ref: RemoteRef
    known: KnownDataset | None
    scratch: Path | None = None
    task: StripTask | None = None
    future: Future[Prepared] | None = None
    generation: int = 0  # of the pool the task went to
    organization_id: str = ""
    attempts: int = 1
    breaks: int = 0  # how often a worker died while it was being prepared
    report: ItemReport | None = None  # decided before any stripping (unchanged, failed)


def _unchanged_stamp(run: _Run, ref: RemoteRef) -> bool:
    known = _match(run, ref)
    same_stamp = bool(ref.stamp) and known is not None and ref.stamp == known.stamp
    return bool(known and known.remote_id == ref.remote_id and not known.withdrawn and same_stamp)


def _fetch(
    run: _Run, source: HarvestSource, ref: RemoteRef, scratch: Path
) -> tuple[RemoteRecord, int]:
    return with_retries(run.deps, lambda: source.fetch(ref, scratch))


def _start(run: _Run, fetches: Prefetcher, ref: RemoteRef, preparer: Preparer) -> _Item:
    """Take the dataset's fetch and hand it to the preparer (or decide it at once)."""
    known = _match(run, ref)
    if _unchanged_stamp(run, ref):
        return _Item(ref, known, report=ItemReport(ref.remote_id, Outcome.UNCHANGED))
    fetched = fetches.take(ref)
    scratch = fetched.scratch
    item = _Item(ref, known, scratch, attempts=fetched.attempts)
    try:
        if fetched.error is not None:
            raise fetched.error
        assert fetched.record is not None
        record = fetched.record
        item.organization_id = _organization_for(run, record.org)
        policy, fingerprint, mailbox = _policy_for(run, item.organization_id)
    except HarvestError as exc:
        item.report = ItemReport(
            ref.remote_id,
            Outcome.FAILED,
            reason=exc.code,
            detail=str(exc)[:300],
            attempts=getattr(exc, "attempts", item.attempts),
        )
    except ImportRefused as exc:
        item.report = ItemReport(ref.remote_id, Outcome.FAILED, reason=exc.code, detail=exc.detail)
    if item.report is not None:
        shutil.rmtree(scratch, ignore_errors=True)
        item.scratch = None
        return item
    item.task = StripTask(
        record,
        policy,
        run.deps.hash_key,
        mailbox,
        fingerprint,
        scratch,
        analyse=run.deps.analyses is not None and not run.dry_run,
    )
    _submit(item, preparer)
    return item


def _submit(item: _Item, preparer: Preparer) -> None:
    assert item.task is not None
    item.future = preparer.submit(item.task)
    item.generation = preparer.restarts


def _prepared(run: _Run, item: _Item, preparer: Preparer) -> Prepared | ItemReport:
    """Wait for the item's stripped record; a dead worker gets the item another try."""
    assert item.future is not None and item.task is not None
    while True:
        try:
            result = item.future.result()
            preparer.succeeded = True
            # Only now: a worker that died before its result came back left the task to
            # a retry, which reads the downloaded files again.
            remove_raw_files(item.task.record, result.stripped.record if result.stripped else None)
            return result
        except BrokenProcessPool:
            item.breaks += 1
            if item.generation == preparer.restarts:
                preparer.restart()  # this pool broke: the others' tasks are resubmitted
            if item.breaks > 2:
                return ItemReport(item.ref.remote_id, Outcome.FAILED, reason="worker_failed")
            _submit(item, preparer)
        except Exception:
            # A table that breaks the stripping code is a bug to fix, not a reason to
            # abandon the other datasets of the job.
            log.exception("harvest strip failed", extra={"source": run.context.name})
            return ItemReport(item.ref.remote_id, Outcome.FAILED, reason="internal_error")


def _finish(run: _Run, item: _Item, preparer: Preparer, *, batched: bool) -> ItemReport | Ready:
    """Import the stripped record, or skip it when its content did not change (``batched``:
    return the record to import as ``Ready`` instead, its files kept)."""
    if item.report is not None:
        return item.report
    ref, known, attempts = item.ref, item.known, item.attempts
    prepared: Prepared | None = None
    handed_over = False
    try:
        outcome = _prepared(run, item, preparer)
        if isinstance(outcome, ItemReport):
            return outcome
        prepared = outcome
        if prepared.stripped is None:
            return ItemReport(
                ref.remote_id,
                Outcome.FAILED,
                reason=prepared.error_code,
                detail=prepared.error_detail,
                attempts=attempts,
            )
        stripped = prepared.stripped
        same = known is not None and known.content_hash == stripped.content_hash
        if known and known.dataset_id and not known.withdrawn and same:
            remove_files(stripped.record.resources)
            if not run.dry_run:
                _save(run, ref, known.dataset_id, stripped.content_hash, known.resources)
            return ItemReport(ref.remote_id, Outcome.UNCHANGED, attempts=attempts)
        if run.deps.analyses is not None:
            for sha, filename, analysis in prepared.analyses:
                run.deps.analyses.put(sha, filename, analysis)
        if not batched:
            return _import(run, ref, known, stripped, item.organization_id, attempts)
        target = _target(run, item.organization_id)
        handed_over = True
        return Ready(ref, known, stripped, target, attempts, partial(_clean, run, item, prepared))
    except ImportRefused as exc:
        return ItemReport(ref.remote_id, Outcome.FAILED, reason=exc.code, detail=exc.detail)
    finally:
        if not handed_over:
            _clean(run, item, prepared)


def _clean(run: _Run, item: _Item, prepared: Prepared | None) -> None:
    """Drop the analyses no upload used and the item's scratch folder."""
    if prepared is not None and run.deps.analyses is not None:
        for sha, filename, _analysis in prepared.analyses:
            run.deps.analyses.discard(sha, filename)
    if item.scratch is not None:
        shutil.rmtree(item.scratch, ignore_errors=True)  # best effort: never fails the import


def _target(run: _Run, organization_id: str) -> ImportTarget:
    context = run.context
    return ImportTarget(
        source_name=context.name,
        source_type=context.type,
        organization_id=organization_id,
        publisher=_actor_in(run, context.publisher, organization_id),
        steward=_actor_in(run, context.steward, organization_id),
        require_review=context.config.require_review,
        default_license=context.config.default_license or _UPLOAD_LICENSE.get(context.type, ""),
    )


def _import(
    run: _Run,
    ref: RemoteRef,
    known: KnownDataset | None,
    stripped: StrippedRecord,
    organization_id: str,
    attempts: int,
) -> ItemReport:
    outcome = Outcome.UPDATED if known and known.dataset_id else Outcome.CREATED
    dataset_id = known.dataset_id if known else None
    try:
        target = _target(run, organization_id)
        if run.dry_run:
            # The decision the real run takes (``Importer.plan``), without its writes.
            plan = run.deps.importer.plan(stripped, target, dataset_id)
            hold = plan.hold
            return ItemReport(
                ref.remote_id,
                outcome,
                reason=hold.reason if hold else "",
                detail=hold.detail if hold else "",
                held=hold is not None,
                attempts=attempts,
            )
        result = run.deps.importer.run(
            stripped, target, dataset_id, known.resources if known else {}
        )
    except BlockedDraft as exc:  # the next run takes the record into the kept draft again
        _save(run, replace(ref, stamp=""), exc.dataset_id, "", exc.resources, new=known is None)
        return failure_report(ref.remote_id, exc.error, attempts)
    except DomainError as exc:
        return failure_report(ref.remote_id, exc, attempts)
    finally:
        remove_files(stripped.record.resources)
    new = known is None and result.created
    _save(run, ref, result.dataset_id, stripped.content_hash, result.resources, new=new)
    if not result.created:
        outcome = Outcome.UPDATED
    return ItemReport(
        ref.remote_id,
        outcome,
        dataset=result.dataset_name,
        reason=result.reason,
        detail=result.detail,
        held=result.held,
        attempts=attempts,
    )


def _alone(run: _Run, ready: Ready) -> ItemReport:
    """Import one record in transactions of its own (``batching.LARGE_RECORD_BYTES``)."""
    org = ready.target.organization_id
    try:
        return _import(run, ready.ref, ready.known, ready.stripped, org, ready.attempts)
    except ImportRefused as exc:
        return ItemReport(ready.ref.remote_id, Outcome.FAILED, reason=exc.code, detail=exc.detail)


def _actor_in(run: _Run, actor: Actor, organization_id: str) -> Actor:
    if organization_id in actor.roles:
        return actor
    raise ImportRefused("harvester_not_member", "the harvest accounts are not members there")


def _save(
    run: _Run,
    ref: RemoteRef,
    dataset_id: str,
    content_hash: str,
    resources: Mapping[str, str],
    *,
    new: bool = False,
) -> None:
    """Store the harvest object (``new``: the job started without one for this dataset)."""
    save_harvest_object(
        run.deps.sessions,
        run.context.source_id,
        ref,
        dataset_id,
        content_hash,
        resources,
        run.deps.clock,
        new=new,
    )


def _withdraw(run: _Run, known: KnownDataset) -> ItemReport:
    if run.dry_run or known.dataset_id is None:
        return ItemReport(known.remote_id, Outcome.WITHDRAWN)
    try:
        name = run.deps.importer.withdraw(known.dataset_id, run.context.steward, run.context.name)
    except DomainError as exc:
        return ItemReport(
            known.remote_id, Outcome.FAILED, reason="withdraw_failed", detail=type(exc).__name__
        )
    mark_withdrawn(run.deps.sessions, run.context.source_id, known.remote_id, run.deps.clock)
    return ItemReport(known.remote_id, Outcome.WITHDRAWN, dataset=name or "")
