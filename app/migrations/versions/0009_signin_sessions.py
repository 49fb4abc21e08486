"""sign-in sessions kept on the server (revocable by sign-out, password change, deactivation)

Revision ID: 0009_signin_sessions
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_signin_sessions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_signin_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_sessions")),
    )
    op.create_index(op.f("ix_signin_sessions_user_id"), "signin_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signin_sessions_user_id"), table_name="signin_sessions")
    op.drop_table("signin_sessions")
