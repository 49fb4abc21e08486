"""The runner's side of batched imports (``harvesters.batch_import``).

A record ready to import waits in its place in the listing; when ``RunnerDeps.batch_size``
records wait (or the job has no more), they are imported together and every report comes out in
the listing's order, as one at a time did. The scratch files and the analyses made ahead
of a waiting record are kept until its batch is imported, then removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from datasets.errors import SubmissionBlocked, TransitionNotAllowed
from harvesters.base import RemoteRef
from harvesters.batch_import import BatchEntry, BatchImporter
from harvesters.decision import ImportRefused
from harvesters.harvest_objects import KnownDataset, save_harvest_object_in
from harvesters.importer import BlockedDraft, ImportResult, ImportTarget
from harvesters.report import ItemReport, Outcome
from harvesters.sanitize import StrippedRecord, remove_files
from publishers import DomainError, InvalidInput

# A record whose files hold more than this is imported on its own, after the batch before
# it: a batch processes its files with the database's write lock held, and a large table
# would keep other writers waiting (a record alone is processed outside that lock).
LARGE_RECORD_BYTES = 8 * 1024 * 1024


@dataclass
class Ready:
    """A stripped record waiting for its batch."""

    ref: RemoteRef
    known: KnownDataset | None
    stripped: StrippedRecord
    target: ImportTarget
    attempts: int
    cleanup: Callable[[], None]  # its scratch folder, the analyses processing did not take

    @property
    def large(self) -> bool:
        """Whether its files are too large for a batch (``LARGE_RECORD_BYTES``)."""
        paths = [r.path for r in self.stripped.record.resources if r.path is not None]
        return sum(p.stat().st_size for p in paths if p.exists()) > LARGE_RECORD_BYTES


def failure_report(remote_id: str, exc: Exception, attempts: int) -> ItemReport:
    """The report of a record whose import raised ``exc``."""
    if isinstance(exc, SubmissionBlocked):
        codes = sorted({str(r.get("code")) for r in exc.reasons})
        return ItemReport(
            remote_id,
            Outcome.FAILED,
            reason="submission_blocked",
            detail=", ".join(codes),
            attempts=attempts,
        )
    if isinstance(exc, TransitionNotAllowed):
        return ItemReport(
            remote_id,
            Outcome.FAILED,
            reason="under_review",
            detail="a steward has not decided the previous harvest yet",
        )
    if isinstance(exc, InvalidInput):
        fields = ", ".join(f"{k}: {'/'.join(v)}" for k, v in exc.errors.items())
        return ItemReport(remote_id, Outcome.FAILED, reason="invalid_metadata", detail=fields)
    if isinstance(exc, ImportRefused):
        return ItemReport(remote_id, Outcome.FAILED, reason=exc.code, detail=exc.detail)
    if isinstance(exc, DomainError):
        return ItemReport(remote_id, Outcome.FAILED, reason=type(exc).__name__)
    return ItemReport(remote_id, Outcome.FAILED, reason="internal_error", attempts=attempts)


class Batches:
    """Reports in listing order; the records between them imported in batches."""

    def __init__(
        self,
        importer: BatchImporter,
        source_id: str,
        clock: Callable[[], datetime],
        emit: Callable[[ItemReport], None],
        size: int,
        alone: Callable[[Ready], ItemReport],
    ) -> None:
        self._alone = alone  # imports one record in transactions of its own
        self._importer = importer
        self._source_id = source_id
        self._clock = clock
        self._emit = emit
        self._size = size
        self._slots: list[ItemReport | Ready] = []
        self._waiting = 0

    def add(self, outcome: ItemReport | Ready) -> None:
        """Take the next record's report, or the record to import."""
        if isinstance(outcome, Ready) and outcome.large:
            self.flush()  # the records before it first, as one at a time
            ready = outcome
            try:
                outcome = self._alone(ready)
            finally:
                remove_files(ready.stripped.record.resources)
                ready.cleanup()
        self._slots.append(outcome)
        if isinstance(outcome, Ready):
            self._waiting += 1
            if self._waiting >= self._size:
                self.flush()
        elif self._waiting == 0:
            self._emit_all()

    def flush(self) -> None:
        """Import the waiting records; emit every report held back until now."""
        ready = [slot for slot in self._slots if isinstance(slot, Ready)]
        if ready:
            entries = [
                BatchEntry(
                    r.stripped,
                    r.target,
                    r.known.dataset_id if r.known else None,
                    r.known.resources if r.known else {},
                    partial(self._save, r),
                )
                for r in ready
            ]
            try:
                outcomes = self._importer.run(entries)
            finally:
                for r in ready:
                    remove_files(r.stripped.record.resources)
                    r.cleanup()
            reports = iter([self._report(r, o) for r, o in zip(ready, outcomes, strict=True)])
            self._slots = [next(reports) if isinstance(s, Ready) else s for s in self._slots]
        self._waiting = 0
        self._emit_all()

    def abandon(self) -> None:
        """Remove the files of records never imported (an unexpected error ends the job)."""
        for slot in self._slots:
            if isinstance(slot, Ready):
                remove_files(slot.stripped.record.resources)
                slot.cleanup()
        self._slots = []

    def _emit_all(self) -> None:
        for slot in self._slots:
            assert isinstance(slot, ItemReport)
            self._emit(slot)
        self._slots = []

    def _save(self, ready: Ready, session: Session, result: ImportResult) -> None:
        # A blocked draft's object has no stamp and no hash: the next run takes it again.
        blocked = result.blocked
        save_harvest_object_in(
            session,
            self._source_id,
            replace(ready.ref, stamp="") if blocked else ready.ref,
            result.dataset_id,
            "" if blocked else ready.stripped.content_hash,
            result.resources,
            self._clock,
            new=ready.known is None and result.created,
        )

    @staticmethod
    def _report(ready: Ready, outcome: ImportResult | Exception) -> ItemReport:
        remote_id = ready.ref.remote_id
        if isinstance(outcome, Exception):
            error = outcome.error if isinstance(outcome, BlockedDraft) else outcome
            return failure_report(remote_id, error, ready.attempts)
        updated = bool(ready.known and ready.known.dataset_id) or not outcome.created
        return ItemReport(
            remote_id,
            Outcome.UPDATED if updated else Outcome.CREATED,
            dataset=outcome.dataset_name,
            reason=outcome.reason,
            detail=outcome.detail,
            held=outcome.held,
            attempts=ready.attempts,
        )
