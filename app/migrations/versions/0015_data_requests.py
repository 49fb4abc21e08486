"""Data requests (issue 21): requests for datasets, their votes and status history

Revision ID: 0015_data_requests
Revises: 0014_live_feeds
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_data_requests"
down_revision = "0014_live_feeds"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "organization_id",
            sa.String(36),
            sa.ForeignKey("organizations.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.Column(
            "requester_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False, index=True),
        sa.Column("created", _WHEN, nullable=False),
        sa.Column("updated", _WHEN, nullable=False),
    )
    op.create_table(
        "data_request_votes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("data_requests.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("voter", sa.String(100), nullable=False),
        sa.Column("created", _WHEN, nullable=False),
        sa.UniqueConstraint("request_id", "voter", name="uq_data_request_vote"),
    )
    op.create_table(
        "data_request_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(36),
            sa.ForeignKey("data_requests.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "actor_id", sa.String(36), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created", _WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("data_request_events")
    op.drop_table("data_request_votes")
    op.drop_table("data_requests")
