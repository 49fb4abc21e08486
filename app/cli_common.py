"""What the `opendata` commands share: the composed services and error messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from app.config import SettingsError, load_settings

if TYPE_CHECKING:
    from app.services import Services


def cli_services() -> Services:
    """Compose the portal for a command; a settings error ends it with its message."""
    # Imported here: the supervisor and its children start through `app.cli`, which must
    # stay light (the harvesters take seconds to import).
    from app.services import build_services

    try:
        services = build_services(load_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    # Audit entries written by commands (directly or by the workflow) say "via=cli"; the
    # actor is the operator at the terminal, who has no portal account (actor: none).
    services.audit.default_channel = "cli"
    return services


def explain(exc: Exception) -> str:
    """The message of a refused input: each field's error codes, or the exception's text."""
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{field}: {', '.join(codes)}" for field, codes in errors.items())
    return str(exc)
