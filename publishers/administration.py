"""Privileged account operations, each checked by ``publishers.permissions`` and audited.

Sysadmins manage organizations and users; stewards (and sysadmins) manage the members
and the personal-data policy of their organization. Every change is written to the
audit log with the actor, the target's id and a truncated IP address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from publishers.accounts import (
    _EMAIL,
    Accounts,
    UserInfo,
    _user_info,
    is_person,
    is_system_account,
)
from publishers.audit import Audit
from publishers.db import utcnow
from publishers.errors import Conflict, InvalidInput, NotFound
from publishers.model import ApiToken, Membership, Organization, Role, User
from publishers.permissions import Actor, Permission, require
from publishers.signin_sessions import end_all_sessions

USERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class Member:
    """A member of an organization with their role."""

    user: UserInfo
    role: Role


@dataclass(frozen=True)
class UserRow:
    """A user as listed to sysadmins: attributes and roles by organization name."""

    user: UserInfo
    roles: dict[str, Role]
    created: datetime


class Administration:
    """Organizations, users, members and policies, changed by an actor with permission."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        audit: Audit,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._audit = audit
        self._clock = clock

    # -- organizations (sysadmins) -----------------------------------------------------

    def create_organization(
        self,
        actor: Actor,
        name: str,
        title: str,
        *,
        title_en: str = "",
        description: str = "",
        email: str = "",
    ) -> Organization:
        """Create an organization; raise ``InvalidInput`` or ``Conflict``."""
        require(actor, Permission.MANAGE_ORGANIZATIONS)
        org = self._accounts.create_organization(
            name, title, title_en=title_en, description=description, email=email
        )
        self._audit.record(actor.user_id, "organization.create", f"organization:{org.name}")
        return org

    def update_organization(
        self,
        actor: Actor,
        organization_id: str,
        *,
        title: str,
        title_en: str,
        description: str,
        email: str,
    ) -> Organization:
        """Change an organization's titles, description and functional mailbox."""
        require(actor, Permission.MANAGE_ORGANIZATIONS)
        errors: dict[str, list[str]] = {}
        if not title.strip():
            errors["title"] = ["required"]
        if email.strip() and not _EMAIL.match(email.strip()):
            errors["email"] = ["invalid_email"]
        if errors:
            raise InvalidInput("invalid organization", errors)
        with self._sessions.begin() as session:
            org = session.get(Organization, organization_id)
            if org is None:
                raise NotFound("organization not found")
            org.title, org.title_en = title.strip(), title_en.strip()
            org.description, org.email = description.strip(), email.strip()
            self._audit.record_in(
                session, actor.user_id, "organization.update", f"organization:{org.name}"
            )
        return org

    # -- users (sysadmins) ---------------------------------------------------------------

    def list_users(
        self, actor: Actor, *, query: str = "", page: int = 1
    ) -> tuple[list[UserRow], int]:
        """Return a page of users (name, e-mail or full name containing ``query``) and the total."""
        require(actor, Permission.MANAGE_USERS)
        with self._sessions() as session:
            statement = select(User)
            if query.strip():
                like = f"%{query.strip().lower()}%"
                statement = statement.where(
                    or_(
                        func.lower(User.name).like(like),
                        func.lower(User.email).like(like),
                        func.lower(User.full_name).like(like),
                    )
                )
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            users = session.scalars(
                statement.order_by(User.name)
                .offset((max(page, 1) - 1) * USERS_PAGE_SIZE)
                .limit(USERS_PAGE_SIZE)
            ).all()
            rows = [
                UserRow(
                    user=_user_info(u),
                    roles={m.organization.name: Role(m.role) for m in u.memberships},
                    created=u.created,
                )
                for u in users
            ]
        return rows, int(total)

    def create_user(
        self, actor: Actor, name: str, email: str, password: str | None, *, full_name: str = ""
    ) -> UserInfo:
        """Create a verified account (a sysadmin vouches for the address)."""
        require(actor, Permission.MANAGE_USERS)
        info = self._accounts.create_user(name, email, password, full_name=full_name)
        self._audit.record(actor.user_id, "user.create", f"user:{info.id}")
        return info

    def set_sysadmin(self, actor: Actor, user_id: str, value: bool) -> None:
        """Grant or take back sysadmin rights (never one's own, to keep a way back in)."""
        require(actor, Permission.MANAGE_USERS)
        if user_id == actor.user_id:
            raise Conflict("cannot change own sysadmin flag", reason="self")
        with self._sessions.begin() as session:
            user = self._user(session, user_id)
            user.is_sysadmin = value
            action = "user.sysadmin_grant" if value else "user.sysadmin_revoke"
            self._audit.record_in(session, actor.user_id, action, f"user:{user.id}")

    def set_active(self, actor: Actor, user_id: str, active: bool) -> None:
        """Deactivate (ending every session and revoking every token) or reactivate a user."""
        require(actor, Permission.MANAGE_USERS)
        if user_id == actor.user_id:
            raise Conflict("cannot deactivate oneself", reason="self")
        now = self._clock()
        with self._sessions.begin() as session:
            user = self._user(session, user_id)
            user.is_active = active
            if not active:
                user.session_generation += 1  # every signed-in session ends at once
                end_all_sessions(session, user.id)
                tokens = session.scalars(
                    select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(None))
                ).all()
                for row in tokens:
                    row.revoked = now
            action = "user.reactivate" if active else "user.deactivate"
            self._audit.record_in(session, actor.user_id, action, f"user:{user.id}")

    # -- members and policy (stewards of the organization, sysadmins) --------------------

    def members(self, actor: Actor, organization_id: str) -> list[Member]:
        """Return the organization's members by name."""
        require(actor, Permission.MANAGE_MEMBERS, organization_id)
        with self._sessions() as session:
            rows = session.execute(
                select(User, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.organization_id == organization_id)
                .order_by(User.name)
            ).all()
            return [Member(_user_info(user), Role(role)) for user, role in rows]

    def set_member(self, actor: Actor, organization_id: str, login: str, role: Role) -> UserInfo:
        """Add the user (by name or e-mail) to the organization or change their role."""
        require(actor, Permission.MANAGE_MEMBERS, organization_id)
        user = self._accounts.find_user(login.strip()) if login.strip() else None
        if user is None:
            raise InvalidInput("unknown user", {"user": ["unknown_user"]})
        if user.is_system:  # the harvester's account: its role is the harvest source's
            raise InvalidInput("system account", {"user": ["system_account"]})
        if role is Role.PUBLISHER:
            self._keep_a_steward(actor, organization_id, user.id)
        self._accounts.add_member(organization_id, user.id, role)
        self._audit.record(
            actor.user_id,
            "member.set",
            f"organization:{organization_id}",
            details={"user": user.id, "role": role.value},
        )
        return user

    def remove_member(self, actor: Actor, organization_id: str, user_id: str) -> None:
        """Remove the user from the organization (never the harvester's system account)."""
        require(actor, Permission.MANAGE_MEMBERS, organization_id)
        with self._sessions() as session:
            user = session.get(User, user_id)
            if user is not None and is_system_account(user.email, user.password_hash):
                raise InvalidInput("system account", {"user": ["system_account"]})
        self._keep_a_steward(actor, organization_id, user_id)
        with self._sessions.begin() as session:
            membership = session.scalar(
                select(Membership).where(
                    Membership.organization_id == organization_id, Membership.user_id == user_id
                )
            )
            if membership is None:
                raise NotFound("member not found")
            session.delete(membership)
            self._audit.record_in(
                session,
                actor.user_id,
                "member.remove",
                f"organization:{organization_id}",
                details={"user": user_id},
            )

    def set_policy(self, actor: Actor, organization_id: str, policy_json: str) -> None:
        """Store the organization's default personal-data policy (validated by the caller)."""
        require(actor, Permission.MANAGE_POLICY, organization_id)
        self._accounts.set_policy(organization_id, policy_json)
        self._audit.record(actor.user_id, "policy.update", f"organization:{organization_id}")

    # -- internals -------------------------------------------------------------------------

    def _user(self, session: Session, user_id: str) -> User:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        return user

    def _keep_a_steward(self, actor: Actor, organization_id: str, user_id: str) -> None:
        """Refuse to leave an organization without a steward (a sysadmin may)."""
        if actor.is_sysadmin:
            return
        with self._sessions() as session:
            # A harvester's system steward is no person to decide anything: it does not count.
            stewards: Sequence[str] = session.scalars(
                select(Membership.user_id)
                .join(User, User.id == Membership.user_id)
                .where(
                    Membership.organization_id == organization_id,
                    Membership.role == Role.STEWARD.value,
                    is_person(),
                )
            ).all()
        if list(stewards) == [user_id]:
            raise Conflict("the last steward stays", reason="last_steward")
