"""Who is calling an API: a bearer token (both APIs), CKAN's header forms, or a session.

SPEC §4 Tokens: ``Authorization: Bearer <token>`` for both APIs; the CKAN API also takes
the bare token in ``Authorization`` and ``X-CKAN-API-Key``. A token that is given but
invalid, expired or revoked is an error (never silently anonymous).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask import request
from flask_login import current_user

from app.context import services
from publishers import ANONYMOUS, Actor, InvalidInput, Scope, Unauthenticated


@dataclass(frozen=True)
class ApiCaller:
    """The actor behind a request, the token's scope, and the token id for rate limits."""

    actor: Actor
    scope: Scope | None  # None: anonymous or a browser session
    token_id: str | None

    @property
    def can_write(self) -> bool:
        """True unless the request used a read-only token or nobody is signed in."""
        return not self.actor.is_anonymous and self.scope is not Scope.READ


def _token_from_headers(ckan_forms: bool) -> str | None:
    header = request.headers.get("Authorization", "").strip()
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    if ckan_forms:
        if header:
            return header
        key = request.headers.get("X-CKAN-API-Key", "").strip()
        return key or None
    return None


def api_caller(*, ckan_forms: bool = False) -> ApiCaller:
    """Return the caller of this request; raise ``Unauthenticated`` for a bad token."""
    token = _token_from_headers(ckan_forms)
    svc = services()
    if token is not None:
        owner = svc.tokens.verify(token)  # raises Unauthenticated
        actor = svc.accounts.actor_for(owner.user_id)
        if owner.datasets is not None:  # a token limited to named datasets
            actor = replace(actor, datasets=owner.datasets)
        return ApiCaller(actor, owner.scope, owner.token_id)
    if current_user.is_authenticated:
        try:
            return ApiCaller(svc.accounts.actor_for(current_user.id), None, None)
        except Unauthenticated:
            return ApiCaller(ANONYMOUS, None, None)
    return ApiCaller(ANONYMOUS, None, None)


def token_datasets(names: Sequence[str]) -> list[str]:
    """Check the datasets a new token is limited to: each must be a published dataset.

    Returns their names; raises ``InvalidInput`` naming the unknown ones (``datasets``).
    """
    catalog = services().catalog
    found, unknown = [], []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        record = catalog.get(name)
        if record is None:
            unknown.append(name)
        else:
            found.append(record.name)
    if unknown:
        raise InvalidInput("unknown datasets", {"datasets": ["unknown_dataset"]})
    return found
