"""Alembic environment: one history for the tables of every package."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import datasets.bulk_model  # (registers the bulk_archives table)
import datasets.data_requests_model  # (registers the data requests)
import datasets.follow_model  # (registers the follows table)
import datasets.leak_reports  # (registers the personal-data reports)
import datasets.model
import datasets.sharing_model  # (registers the data-sharing tables)
import datasets.usage  # (registers the usage counters)
import datasets.webhooks_model  # noqa: F401  (registers the webhooks tables)
import harvesters.model  # noqa: F401  (registers the harvest tables)
import publishers.model  # noqa: F401  (registers the account tables)
from publishers import Base
from publishers.db import engine_url

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=engine_url(config.get_main_option("sqlalchemy.url") or ""),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = engine_url(section.get("sqlalchemy.url", ""))
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
