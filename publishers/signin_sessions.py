"""Signed-in browser sessions kept in the database, so that the server can end them.

A session cookie is signed but lives in the browser: without a server-side record a copy
taken before sign-out would keep working. Each sign-in opens a row (the SHA-256 of a random
key; the key goes into the cookie); a request is signed in only while its row exists and
is neither idle for longer than ``idle`` nor older than ``absolute``. Sign-out deletes the
row; a password change or a deactivation deletes all rows of the user.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session, sessionmaker

from publishers.db import utcnow
from publishers.model import SignInSession

# last_seen is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def end_all_sessions(session: Session, user_id: str) -> None:
    """Delete every sign-in session of ``user_id`` inside the caller's transaction."""
    session.execute(delete(SignInSession).where(SignInSession.user_id == user_id))


class SignInSessions:
    """Open, check and end sign-in sessions."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        idle: timedelta,
        absolute: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.idle = idle
        self.absolute = absolute
        self._clock = clock

    def open(self, user_id: str) -> str:
        """Start a session for ``user_id``; return its key (for the cookie only)."""
        key = secrets.token_urlsafe(32)
        now = self._clock()
        with self._sessions.begin() as session:
            session.execute(
                delete(SignInSession).where(
                    or_(
                        SignInSession.last_seen < now - self.idle,
                        SignInSession.created < now - self.absolute,
                    )
                )
            )
            session.add(SignInSession(id=_hash(key), user_id=user_id, created=now, last_seen=now))
        return key

    def check(self, user_id: str, key: str) -> bool:
        """Return whether ``key`` is a live session of ``user_id`` (and note that it was used)."""
        if not key:
            return False
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.get(SignInSession, _hash(key))
            if row is None or row.user_id != user_id:
                return False
            last_seen, created = _aware(row.last_seen), _aware(row.created)
            if now - last_seen > self.idle or now - created > self.absolute:
                session.delete(row)
                return False
            if now - last_seen >= TOUCH_EVERY:
                row.last_seen = now
            return True

    def end(self, key: str) -> None:
        """End one session (sign-out)."""
        with self._sessions.begin() as session:
            session.execute(delete(SignInSession).where(SignInSession.id == _hash(key)))

    def end_all(self, user_id: str) -> None:
        """End every session of ``user_id``."""
        with self._sessions.begin() as session:
            end_all_sessions(session, user_id)
