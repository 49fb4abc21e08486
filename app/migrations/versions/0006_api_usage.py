"""API and download usage counters

Revision ID: 0006_api_usage
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_api_usage"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "subject", "subject_id", "metric", name="pk_usage_counts"),
    )
    op.create_index("ix_usage_counts_subject", "usage_counts", ["subject", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_usage_counts_subject", table_name="usage_counts")
    op.drop_table("usage_counts")
