"""Live writes to published tables: a write counter and the pause of a feed (issue 17)

Revision ID: 0014_live_feeds
Revises: 0013_harvest_secrets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_live_feeds"
down_revision = "0013_harvest_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resources") as batch:
        batch.add_column(sa.Column("feed_writes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("feed_paused", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resources") as batch:
        batch.drop_column("feed_paused")
        batch.drop_column("feed_writes")
