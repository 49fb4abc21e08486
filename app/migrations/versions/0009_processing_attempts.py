"""how many times processing of an upload was started (crash recovery gives up after a few)

Revision ID: 0009_processing_attempts
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_processing_attempts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource_versions") as batch:
        batch.add_column(
            sa.Column("processing_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("resource_versions") as batch:
        batch.drop_column("processing_attempts")
