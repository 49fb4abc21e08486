"""Spatial coverage as units of the places catalogue (issue 22)

Revision ID: 0017_places
Revises: 0016_follows

Adds ``revisions.spatial_units`` (keys of ``datasets.places`` units) and moves each
revision's coverage text that names units into it: "Thành phố Hồ Chí Minh" becomes ["79"];
text that names no unit stays in ``spatial`` as it was written. The downgrade writes the
units' names back into ``spatial``.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from datasets.places import coverage_label, place_catalogue, resolve_coverage

revision = "0017_places"
down_revision = "0016_follows"
branch_labels = None
depends_on = None

_REVISIONS = sa.table(
    "revisions",
    sa.column("id", sa.String),
    sa.column("spatial", sa.String),
    sa.column("spatial_units", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("spatial_units", sa.JSON(), nullable=False, server_default="[]"))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_REVISIONS.c.id, _REVISIONS.c.spatial).where(_REVISIONS.c.spatial != "")
    ).all()
    if not rows:
        return
    catalogue = place_catalogue()
    for revision_id, spatial in rows:
        coverage = resolve_coverage(catalogue, (), spatial)
        if coverage.keys:
            conn.execute(
                _REVISIONS.update()
                .where(_REVISIONS.c.id == revision_id)
                .values(spatial=coverage.text[:300], spatial_units=list(coverage.keys))
            )


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_REVISIONS.c.id, _REVISIONS.c.spatial, _REVISIONS.c.spatial_units)
    ).all()
    catalogue = None
    for revision_id, spatial, units in rows:
        keys = tuple(json.loads(units) if isinstance(units, str) else units or ())
        if keys:
            catalogue = catalogue or place_catalogue()
            label = coverage_label(catalogue, keys, spatial)[:300]
            conn.execute(
                _REVISIONS.update().where(_REVISIONS.c.id == revision_id).values(spatial=label)
            )
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("spatial_units")
