"""Usage counts: API calls per token per day, downloads and API calls per dataset per day.

Counting happens on every API request, so increments are buffered in memory and added to
the database in one upsert per counter every few seconds (or at once on ``flush``). Each
worker process flushes its own deltas, so the counts add up across processes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from publishers import Base, utcnow


class Subject(StrEnum):
    """What a counter counts for."""

    TOKEN = "token"  # noqa: S105 -- a subject kind, not a secret
    DATASET = "dataset"


class Metric(StrEnum):
    """What a counter counts."""

    API_CALLS = "api_calls"
    DOWNLOADS = "downloads"


class UsageCount(Base):
    """One counter: (day, subject kind, subject id, metric) → count."""

    __tablename__ = "usage_counts"
    __table_args__ = (Index("ix_usage_counts_subject", "subject", "subject_id"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    subject: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class UsageTotals:
    """The counts of one subject: all time and over the last 30 days."""

    api_calls: int
    downloads: int
    api_calls_30d: int
    downloads_30d: int


_Key = tuple[date, str, str, str]


class UsageRecorder:
    """Count usage with buffered increments (thread-safe)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        flush_seconds: float = 5.0,
        flush_count: int = 500,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._flush_seconds = flush_seconds
        self._flush_count = flush_count
        self._clock = clock
        self._pending: Counter[_Key] = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, subject: Subject, subject_id: str, metric: Metric, amount: int = 1) -> None:
        """Add ``amount`` to today's counter; written to the database within seconds."""
        key = (self._clock().date(), subject.value, subject_id[:36], metric.value)
        with self._lock:
            self._pending[key] += amount
            due = (
                sum(self._pending.values()) >= self._flush_count
                or time.monotonic() - self._last_flush >= self._flush_seconds
            )
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the buffered increments to the database now."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return
        with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            for (day, subject, subject_id, metric), amount in sorted(pending.items()):
                statement = insert(UsageCount).values(
                    day=day, subject=subject, subject_id=subject_id, metric=metric, count=amount
                )
                session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["day", "subject", "subject_id", "metric"],
                        set_={"count": UsageCount.count + statement.excluded.count},
                    )
                )

    def totals(self, subject: Subject, subject_id: str) -> UsageTotals:
        """Return the subject's counts (after flushing this process's buffer)."""
        self.flush()
        since = date.fromordinal(self._clock().date().toordinal() - 29)
        with self._sessions() as session:
            rows = session.execute(
                select(UsageCount.metric, UsageCount.day, UsageCount.count).where(
                    UsageCount.subject == subject.value, UsageCount.subject_id == subject_id
                )
            ).all()
        sums: Counter[str] = Counter()
        for metric, day, count in rows:
            sums[metric] += int(count)
            if day >= since:
                sums[f"{metric}_30d"] += int(count)
        return UsageTotals(
            api_calls=sums[Metric.API_CALLS.value],
            downloads=sums[Metric.DOWNLOADS.value],
            api_calls_30d=sums[f"{Metric.API_CALLS.value}_30d"],
            downloads_30d=sums[f"{Metric.DOWNLOADS.value}_30d"],
        )

    def daily(self, subject: Subject, subject_id: str, *, days: int = 30) -> list[tuple[date, int]]:
        """Return (day, API calls) of the subject over the last ``days`` days, oldest first."""
        self.flush()
        since = date.fromordinal(self._clock().date().toordinal() - days + 1)
        with self._sessions() as session:
            rows = session.execute(
                select(UsageCount.day, UsageCount.count)
                .where(
                    UsageCount.subject == subject.value,
                    UsageCount.subject_id == subject_id,
                    UsageCount.metric == Metric.API_CALLS.value,
                    UsageCount.day >= since,
                )
                .order_by(UsageCount.day)
            ).all()
        return [(day, int(count)) for day, count in rows]


__all__ = ["Metric", "Subject", "UsageCount", "UsageRecorder", "UsageTotals"]
