"""Errors of the personal-data domain."""

from __future__ import annotations

from collections.abc import Sequence


class PersonalDataError(Exception):
    """Base class of the personal-data errors."""


class UnresolvedFinding(PersonalDataError):
    """Personal data was found in columns that have no decision: nothing may be published."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        super().__init__(f"undecided personal-data findings in columns: {', '.join(self.columns)}")


class InvalidDecision(PersonalDataError):
    """A decision cannot be applied (keep without justification, unknown column, ...)."""


class InvalidPolicy(PersonalDataError):
    """A stored or configured policy is malformed."""


class MalformedTable(PersonalDataError):
    """The CSV cannot be stripped safely (a row has more cells than the header)."""


class DecryptionFailed(PersonalDataError):
    """An encrypted file is truncated, reordered, tampered with, or the key is wrong."""
