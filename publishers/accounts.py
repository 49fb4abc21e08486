"""Organizations, users and memberships: creation, look-up, sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from publishers.db import utcnow
from publishers.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from publishers.model import Membership, Organization, Role, User
from publishers.passwords import DUMMY_HASH, hash_password, password_problems, verify_password
from publishers.permissions import Actor

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The accounts the portal acts through itself (a harvest source's publisher and steward)
# have no password and an address in the reserved ``.invalid`` domain (RFC 2606): nobody
# signs in as them and no mail can reach them. They are not people: they are mailed
# nothing and do not count as an organization's stewards (the self-approval rule of
# SPEC §3, the last-steward guard).
SYSTEM_EMAIL_DOMAIN = "harvest.invalid"


def system_email(username: str) -> str:
    """Return the reserved address of a system account."""
    return f"{username}@{SYSTEM_EMAIL_DOMAIN}"


def is_system_account(email: str, password_hash: str) -> bool:
    """Return whether an account is one the portal runs itself (see ``SYSTEM_EMAIL_DOMAIN``)."""
    return not password_hash and email.lower().endswith("@" + SYSTEM_EMAIL_DOMAIN)


def is_person() -> ColumnElement[bool]:
    """Return the SQL condition on ``User`` that leaves system accounts out."""
    system = User.email.endswith("@" + SYSTEM_EMAIL_DOMAIN, autoescape=True) & (
        User.password_hash == ""
    )
    return ~system


@dataclass(frozen=True)
class UserInfo:
    """A user's public-safe attributes, detached from the database."""

    id: str
    name: str
    email: str
    full_name: str
    is_sysadmin: bool
    is_active: bool
    session_generation: int
    locale: str
    email_verified: bool = True
    is_system: bool = False  # run by the portal itself (a harvester); not a person


def _user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        name=user.name,
        email=user.email,
        full_name=user.full_name,
        is_sysadmin=user.is_sysadmin,
        is_active=user.is_active,
        session_generation=user.session_generation,
        locale=user.locale,
        email_verified=user.email_verified,
        is_system=is_system_account(user.email, user.password_hash),
    )


class Accounts:
    """Organizations, users and memberships over one database."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    # -- organizations -------------------------------------------------------------

    def create_organization(
        self,
        name: str,
        title: str,
        *,
        title_en: str = "",
        description: str = "",
        email: str = "",
        homepage: str = "",
    ) -> Organization:
        """Create an organization; raise ``InvalidInput`` or ``Conflict`` on a bad name."""
        if not _NAME.match(name):
            raise InvalidInput("bad organization name", {"name": ["invalid_name"]})
        if not title.strip():
            raise InvalidInput("title required", {"title": ["required"]})
        if email and not _EMAIL.match(email):
            raise InvalidInput("bad e-mail", {"email": ["invalid_email"]})
        with self._sessions.begin() as session:
            if session.scalar(select(Organization).where(Organization.name == name)):
                raise Conflict("organization exists", name=name)
            org = Organization(
                name=name,
                title=title.strip(),
                title_en=title_en.strip(),
                description=description,
                email=email,
                homepage=homepage,
            )
            session.add(org)
        return org

    def find_organization(self, name_or_id: str) -> Organization | None:
        """Return the organization with that name or id, or None."""
        with self._sessions() as session:
            return session.scalar(
                select(Organization).where(
                    (Organization.name == name_or_id) | (Organization.id == name_or_id)
                )
            )

    def get_organization(self, name_or_id: str) -> Organization:
        """Return the organization with that name or id; raise ``NotFound``."""
        org = self.find_organization(name_or_id)
        if org is None:
            raise NotFound("organization not found", name=name_or_id)
        return org

    def list_organizations(self) -> Sequence[Organization]:
        """Return every organization ordered by title."""
        with self._sessions() as session:
            return session.scalars(select(Organization).order_by(Organization.title)).all()

    def set_policy(self, organization_id: str, policy_json: str) -> None:
        """Store the organization's default personal-data policy (a JSON object)."""
        with self._sessions.begin() as session:
            org = session.get(Organization, organization_id)
            if org is None:
                raise NotFound("organization not found")
            org.policy = policy_json

    # -- users ---------------------------------------------------------------------

    def create_user(
        self,
        name: str,
        email: str,
        password: str | None,
        *,
        full_name: str = "",
        is_sysadmin: bool = False,
        email_verified: bool = True,
    ) -> UserInfo:
        """Create a user; raise ``InvalidInput`` (weak password, bad name) or ``Conflict``."""
        errors: dict[str, list[str]] = {}
        if not _NAME.match(name):
            errors["name"] = ["invalid_name"]
        if not _EMAIL.match(email):
            errors["email"] = ["invalid_email"]
        if password is not None and (problems := password_problems(password)):
            errors["password"] = problems
        if errors:
            raise InvalidInput("invalid user", errors)
        with self._sessions.begin() as session:
            taken = session.scalar(
                select(User).where((User.name == name) | (func.lower(User.email) == email.lower()))
            )
            if taken:
                raise Conflict("user exists", name=name)
            user = User(
                name=name,
                email=email,
                full_name=full_name,
                password_hash=hash_password(password) if password else "",
                is_sysadmin=is_sysadmin,
                email_verified=email_verified,
            )
            session.add(user)
            session.flush()
            return _user_info(user)

    def find_user(self, name_or_id: str) -> UserInfo | None:
        """Return the user with that name, id or e-mail, or None."""
        with self._sessions() as session:
            user = session.scalar(
                select(User).where(
                    (User.name == name_or_id)
                    | (User.id == name_or_id)
                    | (func.lower(User.email) == name_or_id.lower())
                )
            )
            return _user_info(user) if user else None

    def get_user(self, name_or_id: str) -> UserInfo:
        """Return the user with that name, id or e-mail; raise ``NotFound``."""
        user = self.find_user(name_or_id)
        if user is None:
            raise NotFound("user not found")
        return user

    def authenticate(self, login: str, password: str) -> UserInfo:
        """Return the user whose name or e-mail and password match.

        Raises ``Unauthenticated`` for an unknown user, a wrong password or a deactivated
        account (the same message for all, so the answer does not tell which accounts
        exist). Guessing is slowed down by the web layer's throttles (``app.throttles``),
        which count attempts atomically before this check; nothing here locks an account.
        """
        with self._sessions() as session:
            user = session.scalar(
                select(User).where((User.name == login) | (func.lower(User.email) == login.lower()))
            )
            if user is None or not user.is_active or not user.password_hash:
                verify_password(password, DUMMY_HASH)  # same cost whether or not it exists
                raise Unauthenticated("bad credentials")
            if verify_password(password, user.password_hash):
                return _user_info(user)
            # The params name the account for the audit log, never for the answer.
            raise Unauthenticated("bad credentials", user_id=user.id)

    def add_member(self, organization_id: str, user_id: str, role: Role) -> None:
        """Give ``user_id`` ``role`` in the organization (replacing an earlier role)."""
        with self._sessions.begin() as session:
            if session.get(Organization, organization_id) is None:
                raise NotFound("organization not found")
            if session.get(User, user_id) is None:
                raise NotFound("user not found")
            existing = session.scalar(
                select(Membership).where(
                    Membership.organization_id == organization_id, Membership.user_id == user_id
                )
            )
            if existing:
                existing.role = role.value
            else:
                session.add(
                    Membership(organization_id=organization_id, user_id=user_id, role=role.value)
                )

    def actor_for(self, user_id: str) -> Actor:
        """Return the permission actor of an active user; raise ``Unauthenticated``."""
        with self._sessions() as session:
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                raise Unauthenticated("inactive user")
            roles = {m.organization_id: Role(m.role) for m in user.memberships}
            return Actor(user_id=user.id, is_sysadmin=user.is_sysadmin, roles=roles)

    def members(self, organization_id: str) -> list[tuple[str, Role]]:
        """Return ``(user id, role)`` of the organization's active members, by user id."""
        with self._sessions() as session:
            rows = session.execute(
                select(Membership.user_id, Membership.role)
                .join(User)
                .where(Membership.organization_id == organization_id, User.is_active.is_(True))
                .order_by(Membership.user_id)
            ).all()
            return [(user_id, Role(role)) for user_id, role in rows]

    def count_stewards(self, organization_id: str) -> int:
        """Return how many active stewards (people, not system accounts) the organization has."""
        with self._sessions() as session:
            count = session.scalar(
                select(func.count())
                .select_from(Membership)
                .join(User)
                .where(
                    Membership.organization_id == organization_id,
                    Membership.role == Role.STEWARD.value,
                    User.is_active.is_(True),
                    is_person(),
                )
            )
            return int(count or 0)

    def member_emails(self, organization_id: str, role: Role) -> list[str]:
        """Return the addresses of the organization's active members in ``role`` (people only)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(User.email)
                .join(Membership)
                .where(
                    Membership.organization_id == organization_id,
                    Membership.role == role.value,
                    User.is_active.is_(True),
                    is_person(),
                )
            ).all()
            return list(rows)
