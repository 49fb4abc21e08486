"""Harvest credentials sealed in the database when several servers share it (issue 19)

Revision ID: 0013_harvest_secrets
Revises: 0012_shared_data
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_harvest_secrets"
down_revision = "0012_shared_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "harvest_secrets",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("harvest_secrets")
