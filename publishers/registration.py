"""Self-registration with e-mail verification, password reset, and single sign-on accounts.

Links carry signed tokens (HMAC with the portal's secret key, via itsdangerous) that hold
the user id, an expiry time and a fingerprint of what the link may change: the e-mail
address for verification, the current password hash and session generation for a reset.
A reset therefore works once: the new password changes the fingerprint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from publishers.accounts import Accounts, UserInfo, _user_info
from publishers.db import utcnow
from publishers.errors import InvalidInput, Unauthenticated
from publishers.model import User
from publishers.passwords import hash_password, password_problems
from publishers.signin_sessions import end_all_sessions

VERIFY_MAX_AGE = timedelta(days=3)
RESET_MAX_AGE = timedelta(hours=2)
_VERIFY, _RESET = "verify-email", "reset-password"


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


class Registration:
    """Accounts created by their users, verified by e-mail, recovered by e-mail."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        secret_key: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._secret = secret_key
        self._clock = clock

    # -- signed tokens ---------------------------------------------------------------

    def _sign(self, purpose: str, user_id: str, fingerprint: str, max_age: timedelta) -> str:
        expires = int((self._clock() + max_age).timestamp())
        serializer = URLSafeSerializer(self._secret, salt=purpose)
        return str(serializer.dumps({"u": user_id, "x": expires, "f": fingerprint}))

    def _unsign(self, purpose: str, token: str) -> dict[str, Any]:
        try:
            data = URLSafeSerializer(self._secret, salt=purpose).loads(token)
        except BadSignature:
            raise InvalidInput("bad link", {"token": ["invalid_token"]}) from None
        if not isinstance(data, dict) or not {"u", "x", "f"} <= data.keys():
            raise InvalidInput("bad link", {"token": ["invalid_token"]})
        if int(data["x"]) < self._clock().timestamp():
            raise InvalidInput("expired link", {"token": ["expired_token"]})
        return data

    # -- registration ------------------------------------------------------------------

    def register(
        self, name: str, email: str, password: str, *, full_name: str = ""
    ) -> tuple[UserInfo, str]:
        """Create an unverified account; return it and the verification token to mail.

        Raises ``InvalidInput`` or ``Conflict`` (name or address taken).
        """
        info = self._accounts.create_user(
            name, email, password, full_name=full_name, email_verified=False
        )
        return info, self.verification_token(info)

    def verification_token(self, user: UserInfo) -> str:
        """Return a signed token that verifies the user's current e-mail address."""
        return self._sign(_VERIFY, user.id, _fingerprint(user.email.lower()), VERIFY_MAX_AGE)

    def verify_email(self, token: str) -> UserInfo:
        """Mark the address in ``token`` verified; raise ``InvalidInput`` for a bad link."""
        data = self._unsign(_VERIFY, token)
        with self._sessions.begin() as session:
            user = session.get(User, str(data["u"]))
            if user is None or data["f"] != _fingerprint(user.email.lower()):
                raise InvalidInput("bad link", {"token": ["invalid_token"]})
            user.email_verified = True
            return _user_info(user)

    # -- password reset ----------------------------------------------------------------

    def reset_token(self, email: str) -> tuple[UserInfo, str] | None:
        """Return the active user with that address and a reset token, or None.

        Callers answer the same way in both cases, so the form does not reveal accounts.
        """
        with self._sessions() as session:
            user = session.scalar(
                select(User).where(func.lower(User.email) == email.strip().lower())
            )
            if user is None or not user.is_active:
                return None
            fingerprint = _fingerprint(user.password_hash, user.session_generation)
            return _user_info(user), self._sign(_RESET, user.id, fingerprint, RESET_MAX_AGE)

    def reset_password(self, token: str, password: str) -> UserInfo:
        """Set a new password from a reset link (once); end the user's other sessions.

        Raises ``InvalidInput`` for a bad, expired or used link or a weak password.
        """
        data = self._unsign(_RESET, token)
        if problems := password_problems(password):
            raise InvalidInput("weak password", {"password": problems})
        with self._sessions.begin() as session:
            user = session.get(User, str(data["u"]))
            if (
                user is None
                or not user.is_active
                or data["f"] != _fingerprint(user.password_hash, user.session_generation)
            ):
                raise InvalidInput("bad link", {"token": ["invalid_token"]})
            user.password_hash = hash_password(password)
            user.session_generation += 1
            end_all_sessions(session, user.id)
            user.failed_logins, user.locked_until = 0, None
            user.email_verified = True  # the link reached the mailbox
            return _user_info(user)

    # -- single sign-on ----------------------------------------------------------------

    def user_for_sso(self, email: str, email_verified: bool, full_name: str = "") -> UserInfo:
        """Return the account of a verified e-mail address from the identity provider.

        An existing account with that address is used; otherwise one is created without
        password and without roles (a sysadmin assigns them). Raises ``Unauthenticated``
        with ``reason`` ``email_unverified``, ``email_missing`` or ``inactive``.
        """
        email = email.strip()
        if not email:
            raise Unauthenticated("no e-mail from the provider", reason="email_missing")
        if not email_verified:
            raise Unauthenticated("unverified e-mail", reason="email_unverified")
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
            if user is not None:
                if not user.is_active:
                    raise Unauthenticated("inactive user", reason="inactive")
                user.email_verified = True
                return _user_info(user)
            user = User(
                name=self._free_name(session, email),
                email=email,
                full_name=full_name.strip()[:300],
                password_hash="",
                email_verified=True,
            )
            session.add(user)
            session.flush()
            return _user_info(user)

    def _free_name(self, session: Session, email: str) -> str:
        base = re.sub(r"[^a-z0-9_-]+", "-", email.split("@", 1)[0].lower()).strip("-_")
        base = (base if len(base) >= 2 else f"user-{base}")[:90]
        candidate, n = base, 1
        while session.scalar(select(func.count()).where(User.name == candidate)):
            n += 1
            candidate = f"{base}-{n}"
        return candidate
