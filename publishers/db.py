"""The one declarative base and naming conventions shared by every package's tables.

It lives in the lowest layer so that every package can declare tables on the same
``MetaData`` (one Alembic history) without importing upward.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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


def engine_url(url: str) -> str:
    """Return ``url`` with the SQLAlchemy driver the portal uses (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``: SQLite in WAL mode with foreign keys, or PostgreSQL.

    SQLite gets a 30 s busy timeout because the web workers, the job worker and the CLI
    write to the same file.
    """
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
