"""The table of bulk archives: finished nightly archives of the public data (issue 23)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from publishers import Base, new_id, utcnow


class BulkArchive(Base):
    """One complete archive in the public store; a row is written only once it is whole."""

    __tablename__ = "bulk_archives"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))  # its key in the public store
    size: Mapped[int] = mapped_column(Integer)
    datasets: Mapped[int] = mapped_column(Integer)  # public datasets whose tables it holds
    tables: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
