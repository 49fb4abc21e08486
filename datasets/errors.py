"""Errors of the dataset domain."""

from __future__ import annotations

import errno

from publishers import Conflict, DomainError, InvalidInput, NotFound


class BlobNotFound(NotFound):
    """A stored file is missing."""


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


class SubmissionBlocked(InvalidInput):
    """The dataset cannot be submitted yet; ``reasons`` lists why, as codes with params."""

    def __init__(self, reasons: list[dict[str, str]]) -> None:
        super().__init__("submission blocked", {})
        self.reasons = reasons


class StaleVersion(Conflict):
    """The dataset changed since the caller read it (HTTP 412 / a conflict in the form)."""

    code = "precondition_failed"
