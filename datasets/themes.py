"""Site themes (CKAN groups): created and edited by sysadmins."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session, sessionmaker

from datasets.model import Theme
from publishers import Actor, InvalidInput, Permission, require

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
# The EU data-theme vocabulary's codes (DCAT-AP themes).
EU_THEMES = frozenset(
    {
        "AGRI",
        "ECON",
        "EDUC",
        "ENER",
        "ENVI",
        "GOVE",
        "HEAL",
        "INTR",
        "JUST",
        "OP_DATPRO",
        "REGI",
        "SOCI",
        "TECH",
        "TRAN",
    }
)


def save_theme(
    sessions: sessionmaker[Session],
    actor: Actor,
    name: str,
    title_vi: str,
    title_en: str,
    eu_theme: str,
    position: int = 0,
) -> None:
    """Create or update a theme; sysadmins only; raise ``InvalidInput`` on bad values."""
    require(actor, Permission.MANAGE_SITE)
    errors: dict[str, list[str]] = {}
    if not _NAME.match(name):
        errors["name"] = ["invalid_name"]
    if not title_vi.strip():
        errors["title_vi"] = ["required"]
    if eu_theme and eu_theme not in EU_THEMES:
        errors["eu_theme"] = ["unknown_theme"]
    if errors:
        raise InvalidInput("invalid theme", errors)
    with sessions.begin() as session:
        theme = session.get(Theme, name) or Theme(name=name)
        theme.title_vi, theme.title_en = title_vi.strip(), title_en.strip()
        theme.eu_theme, theme.position = eu_theme, position
        session.add(theme)
