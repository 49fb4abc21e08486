"""The table of follows: who wants a mail when a dataset changes (issue 21)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from publishers import Base, utcnow


class Follow(Base):
    """A signed-in user following a dataset: one mail per published change."""

    __tablename__ = "follows"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
