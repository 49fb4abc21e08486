"""Database migrations (Alembic), run by `opendata db upgrade` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from publishers.db import engine_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration for ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine_url(database_url).replace("%", "%%"))
    return config


def upgrade_database(database_url: str, encryption_key: bytes | None = None) -> None:
    """Create or migrate the database to the newest revision of every branch.

    ``encryption_key`` encrypts existing rows that migrations seal (personal-data
    reports); without it, a migration that needs it loads the keys from the settings.
    """
    config = alembic_config(database_url)
    if encryption_key is not None:
        config.attributes["encryption_key"] = encryption_key
    command.upgrade(config, "heads")
