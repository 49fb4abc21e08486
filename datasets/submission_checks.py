"""Why a revision cannot be submitted yet: the checks a submission and a review run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from datasets.errors import SubmissionProblem
from datasets.model import Revision, VersionStatus

if TYPE_CHECKING:
    from datasets.validation_report import ValidationReport


class CheckedVersion(Protocol):
    """What a submission check reads of a resource version (a row or a member's view)."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def is_tabular(self) -> bool: ...
    @property
    def validation_report(self) -> ValidationReport | None: ...
    def undecided_columns(self) -> list[str]: ...


def submission_problems(revision: Revision) -> list[SubmissionProblem]:
    """Return why ``revision`` cannot be submitted yet (empty when it can)."""
    return resource_problems([entry.version for entry in revision.entries])


def resource_problems(versions: Sequence[CheckedVersion]) -> list[SubmissionProblem]:
    """Return why a revision holding ``versions`` cannot be submitted yet (empty when it can)."""
    problems: list[SubmissionProblem] = []
    if not versions:
        problems.append(SubmissionProblem("no_resources"))
    for version in versions:
        name = version.name
        status = VersionStatus(version.status)
        if status is VersionStatus.PROCESSING:
            problems.append(SubmissionProblem("processing", name))
        elif status is VersionStatus.FAILED:
            problems.append(SubmissionProblem("failed", name))
        elif version.is_tabular:
            report = version.validation_report
            if report is not None and not report.valid:
                problems.append(SubmissionProblem("invalid_table", name))
            undecided = version.undecided_columns()
            if undecided:
                problems.append(SubmissionProblem("undecided_findings", name, ", ".join(undecided)))
    return problems
