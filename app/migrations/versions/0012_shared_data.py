"""Shared data (issue 18): access levels, agency projections, requests, grants, access log

Revision ID: 0012_shared_data
Revises: 0011_revision_extras
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_shared_data"
down_revision = "0011_revision_extras"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(
            sa.Column("access_level", sa.String(20), nullable=False, server_default="public")
        )
        batch.add_column(
            sa.Column("access_instructions", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("resource_versions") as batch:
        batch.add_column(sa.Column("agency_decisions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("agency_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("agency_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("agency_schema", sa.JSON(), nullable=True))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("datasets", sa.JSON(), nullable=True))
    op.create_table(
        "access_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "requester_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True
        ),
        sa.Column("organization_id", sa.String(36), sa.ForeignKey("organizations.id")),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("columns", sa.JSON()),
        sa.Column("until", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(36), sa.ForeignKey("users.id")),
        sa.Column("decided_at", _WHEN),
        sa.Column("grant_id", sa.String(36)),
        sa.Column("created", _WHEN, nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), index=True),
        sa.Column(
            "organization_id", sa.String(36), sa.ForeignKey("organizations.id"), index=True
        ),
        sa.Column("request_id", sa.String(36)),
        sa.Column("projection", sa.String(20), nullable=False),
        sa.Column("columns", sa.JSON()),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created", _WHEN, nullable=False),
        sa.Column("expires", _WHEN, nullable=False, index=True),
        sa.Column("revoked_at", _WHEN),
        sa.Column("revoked_by", sa.String(36), sa.ForeignKey("users.id")),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created", _WHEN, nullable=False, index=True),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), index=True),
        sa.Column("organization_ids", sa.JSON(), nullable=False),
        sa.Column("surface", sa.String(30), nullable=False),
        sa.Column("projection", sa.String(20), nullable=False),
        sa.Column("rows", sa.Integer()),
        sa.Column("grant_id", sa.String(36)),
    )


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_table("grants")
    op.drop_table("access_requests")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("datasets")
    with op.batch_alter_table("resource_versions") as batch:
        for name in ("agency_schema", "agency_size", "agency_key", "agency_decisions"):
            batch.drop_column(name)
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("access_instructions")
        batch.drop_column("access_level")
