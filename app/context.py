"""Access to the composed services and the current actor from views."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from app.services import Services
from publishers import ANONYMOUS, Actor


def services() -> Services:
    """Return the services of the running application."""
    composed: Services = current_app.extensions["opendata"]
    return composed


def current_actor() -> Actor:
    """Return the permission actor of the signed-in user, or the anonymous actor."""
    if not current_user.is_authenticated:
        return ANONYMOUS
    return services().accounts.actor_for(current_user.id)
