"""Errors of the dataset domain."""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from publishers import Conflict, DomainError, InvalidInput, NotFound


class BlobNotFound(NotFound):
    """A stored file is missing."""


class StorageUnavailable(OSError):
    """The object store refused a request or could not be reached (HTTP 503).

    The message names the operation and the store's error code, never a credential."""


class UploadTooLarge(DomainError):
    """An upload exceeds the size limit (HTTP 413)."""

    code = "payload_too_large"


class StorageFull(DomainError):
    """The disk (or a file-size or quota limit) refused a file (HTTP 507); nothing was kept."""

    code = "insufficient_storage"


# ENOSPC: no space left; EFBIG: past a file-size limit; EDQUOT: past the disk quota.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is the operating system refusing to store more bytes."""
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


class TransitionNotAllowed(Conflict):
    """The lifecycle does not allow this transition from the current state (SPEC §3)."""


@dataclass(frozen=True)
class SubmissionProblem:
    """One reason a revision cannot be submitted yet (``datasets.workflow``).

    ``code`` is ``no_resources``, ``processing``, ``failed``, ``invalid_table``,
    ``undecided_findings`` or (at approval) ``licence_not_chosen``; ``resource`` names the
    resource it is about (None for the revision as a whole); ``columns`` lists the
    undecided columns, comma-separated.
    """

    code: str
    resource: str | None = None
    columns: str = ""

    def to_json(self) -> dict[str, str]:
        """Return ``{"code", "resource", "columns"}``, without the keys that do not apply."""
        data = {"code": self.code}
        if self.resource is not None:
            data["resource"] = self.resource
        if self.columns:
            data["columns"] = self.columns
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionProblem:
        """Rebuild a problem written with ``to_json``."""
        resource = data.get("resource")
        return cls(
            code=str(data["code"]),
            resource=None if resource is None else str(resource),
            columns=str(data.get("columns", "")),
        )


class SubmissionBlocked(InvalidInput):
    """The dataset cannot be submitted yet: ``problems`` says why.

    ``reasons`` is the same as JSON (what the APIs return).
    """

    def __init__(self, problems: Sequence[SubmissionProblem]) -> None:
        super().__init__("submission blocked", {})
        self.problems = tuple(problems)
        self.reasons = [problem.to_json() for problem in self.problems]


class StaleVersion(Conflict):
    """The dataset changed since the caller read it (HTTP 412 / a conflict in the form)."""

    code = "precondition_failed"
