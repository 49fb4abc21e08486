"""Follows: users who get a mail when a dataset changes (issue 21)

Revision ID: 0016_follows
Revises: 0015_data_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_follows"
down_revision = "0015_data_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "dataset_id"),
    )
    op.create_index("ix_follows_dataset_id", "follows", ["dataset_id"])


def downgrade() -> None:
    op.drop_index("ix_follows_dataset_id", table_name="follows")
    op.drop_table("follows")
