"""The stamp of a dataset: what tells whether a remembered public view is still its view.

``PublicCatalog`` reads the stamps of a whole page in one statement (``stamps_of``) and reuses
the views it remembers under the same stamps.
"""

from __future__ import annotations

import json

from sqlalchemy import ARRAY, String, any_, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from datasets.model import Dataset

# What tells whether a remembered view is still the dataset's public view (after the id).
# The time is compared as the driver reads it (SQLite's text, not parsed into a datetime:
# a page of 1,000 stamps read in 3 ms instead of 6); a view is remembered under the stamp
# read before it was loaded, so a change in between only makes the next read load it again.
STAMP_COLUMNS = (
    Dataset.id,
    Dataset.state,
    Dataset.live_revision_id,
    Dataset.lock_version,
    type_coerce(Dataset.modified, String).label("modified"),
    Dataset.downloads,
)
# The stamps of a batch of ids, passed as one parameter (not one per id, which SQLAlchemy
# renders anew for every call): a JSON array on SQLite, an array on PostgreSQL.
_STAMPS_OF = {
    "sqlite": select(*STAMP_COLUMNS).where(
        Dataset.id.in_(select(func.json_each(bindparam("ids")).table_valued("value").c.value))
    ),
    "postgresql": select(*STAMP_COLUMNS).where(
        Dataset.id == any_(bindparam("ids", type_=ARRAY(String)))
    ),
}


def stamps_of(session: Session, ids: list[str]) -> dict[str, tuple[object, ...]]:
    """Return ``{id: stamp}`` of those of ``ids`` that exist (one statement)."""
    connection = session.connection()  # rows as they are: no ORM entity is read
    dialect = connection.dialect.name
    if dialect == "sqlite":
        rows = connection.execute(_STAMPS_OF[dialect], {"ids": json.dumps(ids)})
    elif dialect == "postgresql":
        rows = connection.execute(_STAMPS_OF[dialect], {"ids": ids})
    else:
        rows = connection.execute(select(*STAMP_COLUMNS).where(Dataset.id.in_(ids)))
    return {row[0]: row[1:] for row in rows}
