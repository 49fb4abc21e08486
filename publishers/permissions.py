"""Who may do what (SPEC §1 and §3): the one place permission decisions are made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from publishers.errors import NotFound, PermissionDenied
from publishers.model import Role


class Permission(StrEnum):
    """An operation that needs a permission decision."""

    CREATE_DATASET = "create_dataset"
    EDIT_DATASET = "edit_dataset"
    READ_DRAFT = "read_draft"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    DELETE_DRAFT = "delete_draft"
    READ_ORIGINAL = "read_original"
    DECIDE_KEEP = "decide_keep"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_POLICY = "manage_policy"
    MANAGE_ORGANIZATIONS = "manage_organizations"
    MANAGE_USERS = "manage_users"
    MANAGE_HARVEST = "manage_harvest"
    MANAGE_SITE = "manage_site"
    READ_AUDIT = "read_audit"
    # Data requests (issue 21): answer those asked of the organization (or of nobody);
    # hide spam (sysadmins).
    ANSWER_DATA_REQUEST = "answer_data_request"
    MODERATE_DATA_REQUESTS = "moderate_data_requests"


_PUBLISHER = frozenset(
    {
        Permission.CREATE_DATASET,
        Permission.EDIT_DATASET,
        Permission.READ_DRAFT,
        Permission.SUBMIT,
        Permission.DELETE_DRAFT,
    }
)
_STEWARD = _PUBLISHER | {
    Permission.APPROVE,
    Permission.REJECT,
    Permission.WITHDRAW,
    Permission.READ_ORIGINAL,
    Permission.DECIDE_KEEP,
    Permission.MANAGE_MEMBERS,
    Permission.MANAGE_POLICY,
    Permission.ANSWER_DATA_REQUEST,
}
# Sysadmins manage the site and may approve, reject and withdraw anywhere (SPEC §3),
# but publishing work itself belongs to organization members.
_SYSADMIN = frozenset(
    {
        Permission.READ_DRAFT,
        Permission.APPROVE,
        Permission.REJECT,
        Permission.WITHDRAW,
        Permission.MANAGE_MEMBERS,
        Permission.MANAGE_POLICY,
        Permission.MANAGE_ORGANIZATIONS,
        Permission.MANAGE_USERS,
        Permission.MANAGE_HARVEST,
        Permission.MANAGE_SITE,
        Permission.READ_AUDIT,
        Permission.MODERATE_DATA_REQUESTS,
    }
)
_BY_ROLE = {Role.PUBLISHER: _PUBLISHER, Role.STEWARD: _STEWARD}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user's id, sysadmin flag and role per organization id."""

    user_id: str | None
    is_sysadmin: bool = False
    roles: Mapping[str, Role] = field(default_factory=dict)
    # An API token limited to named datasets (ids or names): it reads no other non-public
    # dataset. None: not limited (a browser session, or a token for every dataset).
    datasets: frozenset[str] | None = None

    @property
    def is_anonymous(self) -> bool:
        """True for the public (no signed-in user)."""
        return self.user_id is None


ANONYMOUS = Actor(user_id=None)


def can(actor: Actor, permission: Permission, organization_id: str | None = None) -> bool:
    """Return whether ``actor`` may do ``permission`` in ``organization_id``."""
    if actor.is_sysadmin and permission in _SYSADMIN:
        return True
    if organization_id is None:
        return False
    role = actor.roles.get(organization_id)
    return role is not None and permission in _BY_ROLE[role]


def require(actor: Actor, permission: Permission, organization_id: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``permission``."""
    if not can(actor, permission, organization_id):
        raise PermissionDenied(f"not allowed: {permission.value}", permission=permission.value)


def require_on(actor: Actor, permission: Permission, organization_id: str, *, public: bool) -> None:
    """Like ``require`` for one item of an organization (a dataset), without leaking it.

    An actor who may not even see the item (it is not ``public`` and they may not read the
    organization's drafts) gets ``NotFound``, exactly as if it did not exist: a refusal never
    tells an outsider that a draft exists. Others get ``PermissionDenied``.
    """
    if can(actor, permission, organization_id):
        return
    if not public and not can(actor, Permission.READ_DRAFT, organization_id):
        raise NotFound("not found")
    raise PermissionDenied(f"not allowed: {permission.value}", permission=permission.value)


def organizations_where(actor: Actor, permission: Permission) -> frozenset[str]:
    """Return the ids of organizations in which ``actor`` holds ``permission`` by role."""
    return frozenset(org for org, role in actor.roles.items() if permission in _BY_ROLE[role])
