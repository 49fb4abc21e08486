"""The one declarative base and naming conventions shared by every package's tables.

It lives in the lowest layer so that every package can declare tables on the same
``MetaData`` (one Alembic history) without importing upward.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table of the portal."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    """Return a new random identifier (UUID4 as 36 characters); ids never change."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware (the default clock)."""
    return datetime.now(UTC)
