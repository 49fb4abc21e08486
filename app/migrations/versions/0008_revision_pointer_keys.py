"""foreign keys of datasets' live and working revision pointers on PostgreSQL

Migration 0001 declared them with ``use_alter`` (datasets and revisions point at each
other), which ``op.create_table`` leaves out on databases that add such keys with ALTER
TABLE: PostgreSQL databases had no key there (SQLite creates them with the table). Pointers
to a revision that no longer exists are cleared first; a dataset without a live revision is
what the code already expects.

Revision ID: 0008_revision_pointer_keys
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_revision_pointer_keys"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("live_revision_id", "working_revision_id")


def _name(column: str) -> str:
    return f"fk_datasets_{column}_revisions"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    existing = {key["name"] for key in sa.inspect(bind).get_foreign_keys("datasets")}
    for column in _COLUMNS:
        if _name(column) in existing:
            continue
        op.execute(
            f"UPDATE datasets SET {column} = NULL WHERE {column} IS NOT NULL "
            f"AND {column} NOT IN (SELECT id FROM revisions)"
        )
        op.create_foreign_key(
            _name(column), "datasets", "revisions", [column], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    for column in _COLUMNS:
        op.drop_constraint(_name(column), "datasets", type_="foreignkey")
