"""Sign-in sessions (Flask-Login) and CSRF protection (Flask-WTF) for every form."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from app.context import services
from publishers import UserInfo

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = ""  # the login page explains itself


class SessionUser(UserMixin):  # type: ignore[misc]  # Flask-Login ships no types
    """The signed-in user as Flask-Login sees it.

    The session id (in the session cookie and Flask-Login's remember cookie) is the user's
    id, session generation and the key of a server-side sign-in session: bumping the
    generation or deleting the session row (sign-out, password change, deactivation,
    idle or absolute lifetime) ends it, wherever copies of the cookie are.
    """

    def __init__(self, info: UserInfo, session_key: str) -> None:
        self.info = info
        self.id = info.id
        self.session_key = session_key

    def get_id(self) -> str:
        return f"{self.info.id}:{self.info.session_generation}:{self.session_key}"

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def is_sysadmin(self) -> bool:
        return self.info.is_sysadmin


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, rest = session_id.partition(":")
    generation, _, key = rest.partition(":")
    svc = services()
    info = svc.accounts.find_user(user_id)
    if info is None or not info.is_active or str(info.session_generation) != generation:
        return None
    if not svc.signin_sessions.check(info.id, key):
        return None
    return SessionUser(info, key)


def sign_in(info: UserInfo) -> None:
    """Open a server-side session for ``info`` and put it in the browser's cookie."""
    key = services().signin_sessions.open(info.id)
    login_user(SessionUser(info, key))


def sign_out() -> None:
    """End the current browser's session on the server, then clear its cookies."""
    user = current_user._get_current_object()
    if isinstance(user, SessionUser):
        services().signin_sessions.end(user.session_key)
    logout_user()


def init_app(app: Flask) -> None:
    """Install sign-in sessions and CSRF protection."""
    login_manager.init_app(app)
    csrf.init_app(app)
