"""Sign-in sessions (Flask-Login) and CSRF protection (Flask-WTF) for every form."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect

from app.context import services
from publishers import UserInfo

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = ""  # the login page explains itself


class SessionUser(UserMixin):  # type: ignore[misc]  # Flask-Login ships no types
    """The signed-in user as Flask-Login sees it.

    The session id includes the user's session generation: bumping it (sign-out
    everywhere, deactivation) ends every session at once.
    """

    def __init__(self, info: UserInfo) -> None:
        self.info = info
        self.id = info.id

    def get_id(self) -> str:
        return f"{self.info.id}:{self.info.session_generation}"

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def is_sysadmin(self) -> bool:
        return self.info.is_sysadmin


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, generation = session_id.partition(":")
    info = services().accounts.find_user(user_id)
    if info is None or not info.is_active or str(info.session_generation) != generation:
        return None
    return SessionUser(info)


def init_app(app: Flask) -> None:
    """Install sign-in sessions and CSRF protection."""
    login_manager.init_app(app)
    csrf.init_app(app)
