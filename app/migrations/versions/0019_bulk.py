"""Bulk archives: the nightly archive of public tables and the catalog (issue 23)

Revision ID: 0019_bulk
Revises: 0016_follows
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_bulk"
down_revision = "0018_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_archives",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("datasets", sa.Integer(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bulk_archives_created", "bulk_archives", ["created"])


def downgrade() -> None:
    op.drop_index("ix_bulk_archives_created", table_name="bulk_archives")
    op.drop_table("bulk_archives")
