"""API tokens: created and shown once, stored as SHA-256, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from publishers.db import utcnow
from publishers.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from publishers.model import ApiToken, User

MAX_TOKEN_DATASETS = 100  # datasets one token may be limited to
TOKEN_PREFIX = "odp_"  # noqa: S105 -- a public marker that makes leaked tokens greppable, not a secret


class Scope(StrEnum):
    """What a token allows."""

    READ = "read"
    READ_WRITE = "read-write"


@dataclass(frozen=True)
class TokenOwner:
    """The user a valid token belongs to, and the token's scope."""

    user_id: str
    token_id: str
    scope: Scope
    # The datasets (names or ids) the token may read beyond public data; None: all.
    datasets: frozenset[str] | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """Create, verify and revoke API tokens."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def create(
        self,
        user_id: str,
        name: str,
        *,
        scope: Scope = Scope.READ_WRITE,
        expires_days: int | None = None,
        datasets: Sequence[str] | None = None,
    ) -> str:
        """Create a token for the user and return it; it is never retrievable again.

        ``datasets`` limits what the token reads beyond public data to the datasets named
        (names or ids; an empty list: public data only); None: whatever the user may read.
        """
        if not name.strip():
            raise InvalidInput("token name required", {"name": ["required"]})
        if expires_days is not None and expires_days <= 0:
            raise InvalidInput("expiry must be positive", {"expires_days": ["invalid"]})
        limited = _dataset_names(datasets)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        with self._sessions.begin() as session:
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                raise NotFound("user not found")
            if not user.email_verified:
                # SPEC §1: an API consumer's e-mail is verified before it gets tokens.
                raise PermissionDenied("e-mail not verified", reason="email_unverified")
            session.add(
                ApiToken(
                    user_id=user_id,
                    name=name.strip(),
                    token_hash=_digest(token),
                    prefix=token[:10],
                    scope=scope.value,
                    created=now,
                    expires=now + timedelta(days=expires_days) if expires_days else None,
                    datasets=limited,
                )
            )
        return token

    def verify(self, token: str) -> TokenOwner:
        """Return the owner of a valid token; raise ``Unauthenticated`` otherwise.

        Unknown, revoked and expired tokens, and tokens of deactivated users, all fail.
        """
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is None or row.revoked is not None:
                raise Unauthenticated("invalid token")
            if row.expires is not None and _aware(row.expires) <= now:
                raise Unauthenticated("expired token")
            user = session.get(User, row.user_id)
            if user is None or not user.is_active:
                raise Unauthenticated("invalid token")
            row.last_used = now
            limited = frozenset(row.datasets) if row.datasets is not None else None
            return TokenOwner(row.user_id, row.id, Scope(row.scope), datasets=limited)

    def list_for(self, user_id: str) -> Sequence[ApiToken]:
        """Return the user's tokens, newest first (hashes only, never the tokens)."""
        with self._sessions() as session:
            return session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user_id)
                .order_by(ApiToken.created.desc())
            ).all()

    def revoke_id(self, user_id: str, token_id: str) -> bool:
        """Revoke one of the user's tokens by id; return False when it is not theirs."""
        with self._sessions.begin() as session:
            row = session.get(ApiToken, token_id)
            if row is None or row.user_id != user_id:
                return False
            if row.revoked is None:
                row.revoked = self._clock()
            return True

    def revoke(self, user_id: str, *, name: str | None = None) -> int:
        """Revoke the user's token named ``name``, or all of them; return how many."""
        now = self._clock()
        with self._sessions.begin() as session:
            query = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(None))
            if name is not None:
                query = query.where(ApiToken.name == name)
            rows = session.scalars(query).all()
            for row in rows:
                row.revoked = now
            return len(rows)


def _dataset_names(datasets: Sequence[str] | None) -> list[str] | None:
    if datasets is None:
        return None
    names = list(dict.fromkeys(str(d).strip() for d in datasets if str(d).strip()))
    if len(names) > MAX_TOKEN_DATASETS or any(len(n) > 200 for n in names):
        raise InvalidInput("too many datasets", {"datasets": ["too_many"]})
    return names


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
