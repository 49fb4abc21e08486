"""Who: organizations, users, roles, permissions, API tokens and sign-in."""

from publishers.accounts import (
    SYSTEM_EMAIL_DOMAIN,
    Accounts,
    UserInfo,
    is_system_account,
    system_email,
)
from publishers.administration import Administration, Member, UserRow
from publishers.audit import Audit, AuditPage, AuditRow, truncate_ip
from publishers.db import Base, make_engine, make_sessions, new_id, utcnow
from publishers.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from publishers.mail import FileMailer, Mail, Mailer, SmtpMailer, open_mailer
from publishers.model import ApiToken, Membership, Organization, Role, User
from publishers.passwords import hash_password, verify_password
from publishers.permissions import (
    ANONYMOUS,
    Actor,
    Permission,
    can,
    organizations_where,
    require,
    require_on,
)
from publishers.registration import Registration
from publishers.signin_sessions import SignInSessions
from publishers.site import SITE_PAGES, Site, SiteContent
from publishers.tokens import Scope, TokenOwner, Tokens

__all__ = [
    "ANONYMOUS",
    "SITE_PAGES",
    "SYSTEM_EMAIL_DOMAIN",
    "Accounts",
    "Actor",
    "Administration",
    "ApiToken",
    "Audit",
    "AuditPage",
    "AuditRow",
    "Base",
    "Conflict",
    "DomainError",
    "FileMailer",
    "InvalidInput",
    "Mail",
    "Mailer",
    "Member",
    "Membership",
    "NotFound",
    "Organization",
    "Permission",
    "PermissionDenied",
    "Registration",
    "Role",
    "Scope",
    "SignInSessions",
    "Site",
    "SiteContent",
    "SmtpMailer",
    "TokenOwner",
    "Tokens",
    "Unauthenticated",
    "User",
    "UserInfo",
    "UserRow",
    "can",
    "hash_password",
    "is_system_account",
    "make_engine",
    "make_sessions",
    "new_id",
    "open_mailer",
    "organizations_where",
    "require",
    "require_on",
    "system_email",
    "truncate_ip",
    "utcnow",
    "verify_password",
]
