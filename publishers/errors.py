"""Errors of the portal's domain; ``app/errors.py`` maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every domain error: a stable ``code`` and parameters for the message."""

    code = "error"

    def __init__(self, message: str = "", **params: object) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.params = params


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know that it does."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The actor may not do this."""

    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid credentials were given."""

    code = "unauthorized"


class Conflict(DomainError):
    """The request conflicts with the current state (a duplicate name, a stale version)."""

    code = "conflict"


class InvalidInput(DomainError):
    """The input is invalid; ``errors`` maps a field to its problems."""

    code = "validation_failed"

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message or "invalid input")
        self.errors = errors or {}
