"""The report of a harvest job: one outcome per dataset, with a reason when it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """What happened to one remote dataset."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemReport:
    """One dataset's outcome. ``reason`` is a code; ``detail`` never holds data values."""

    remote_id: str
    outcome: Outcome
    dataset: str = ""  # the local dataset's name
    reason: str = ""
    detail: str = ""
    held: bool = False  # imported but waiting for a steward (review required or undecided)
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored in ``harvest_jobs.report``."""
        return {
            "remote_id": self.remote_id,
            "outcome": self.outcome.value,
            "dataset": self.dataset,
            "reason": self.reason,
            "detail": self.detail,
            "held": self.held,
            "attempts": self.attempts,
        }


@dataclass
class HarvestReport:
    """What a job did: its status, a job-level error, and every dataset's outcome."""

    source: str
    dry_run: bool = False
    status: str = "finished"
    error: str = ""
    items: list[ItemReport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return how many datasets had each outcome, and how many are held for review."""
        result = {outcome.value: 0 for outcome in Outcome}
        for item in self.items:
            result[item.outcome.value] += 1
        result["held"] = sum(1 for item in self.items if item.held)
        return result

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored with the job."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "status": self.status,
            "error": self.error,
            "counts": self.counts(),
            "items": [item.to_dict() for item in self.items],
        }

    def summary(self) -> str:
        """Return a one-line summary for the command line."""
        counts = self.counts()
        parts = ", ".join(f"{counts[key]} {key}" for key in counts)
        prefix = "dry run: " if self.dry_run else ""
        line = f"{prefix}{self.source}: {self.status}; {parts}"
        return f"{line} ({self.error})" if self.error else line
