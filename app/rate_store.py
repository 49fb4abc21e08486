"""Rate-limit counters (SPEC §4, §5) shared by every worker process: a SQLite file in the
data dir by default (``SqliteStorage``, a fixed-window storage for the ``limits`` library,
which ships none for SQLite), Redis when ``REDIS_URL`` is set. The API applies them
(``app.api.ratelimits``); the sign-in and mail throttles count in the same store."""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter


class SqliteStorage(Storage):
    """Fixed-window counters in a SQLite file shared by processes (WAL, busy timeout)."""

    STORAGE_SCHEME = None  # built directly, not from a URI

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Opened on first use: composing the services (the CLI too) creates no file.
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS counters "
                "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
            )
            self._local.conn = conn
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        row = (
            self._connect()
            .execute(
                "INSERT INTO counters (key, count, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                "count = CASE WHEN expires <= ? THEN excluded.count"
                " ELSE count + excluded.count END,"
                " expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END "
                "RETURNING count",
                (key, amount, now + expiry, now, now),
            )
            .fetchone()
        )
        return int(row[0])

    def get(self, key: str) -> int:
        row = (
            self._connect()
            .execute("SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connect().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        )
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connect().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._connect().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))

    def purge_expired(self) -> None:
        """Delete counters whose window has ended (keeps the file small)."""
        self._connect().execute("DELETE FROM counters WHERE expires <= ?", (time.time(),))


@dataclass(frozen=True)
class DayVerdict:
    """A token's daily quota after counting one request: calls today, and the window's end."""

    allowed: bool
    limit: int
    used: int
    reset: int  # the next UTC midnight, in Unix seconds

    @property
    def remaining(self) -> int:
        """Calls left today."""
        return max(0, self.limit - self.used)

    @property
    def retry_after(self) -> int:
        """Seconds until the quota starts again."""
        return max(1, math.ceil(self.reset - time.time()))


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on, and when to retry when not."""

    allowed: bool
    retry_after: int = 0
    limit: int = 0
    remaining: int = 0


class RateLimits:
    """The two limits of SPEC §5 on one shared storage."""

    def __init__(
        self,
        storage: Storage,
        anon: str,
        token: str,
        namespace: str = "opendata",
        *,
        daily: int = 0,
    ) -> None:
        self.storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._anon = _parse(anon)
        self._token = _parse(token)
        self.namespace = namespace
        self.daily = daily  # calls per token per UTC day; 0: no quota
        self._hits = 0

    @property
    def disabled(self) -> bool:
        """True when both limits and the daily quota are ``0``: nothing is counted."""
        return self._anon is None and self._token is None and not self.daily

    def _day_key(self, token_id: str, now: datetime) -> str:
        return f"{self.namespace}/day/{now.date().isoformat()}/{token_id}"

    def check_day(self, token_id: str, now: datetime | None = None) -> DayVerdict | None:
        """Count one call of a token against its daily quota (None without a quota).

        The window is the UTC day (the day the usage counters and the account page use):
        the counter's key names the day, and it expires an hour after the day ends.
        """
        if not self.daily:
            return None
        now = now or datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        expiry = int((midnight - now).total_seconds()) + 3600
        used = self.storage.incr(self._day_key(token_id, now), expiry)
        return DayVerdict(used <= self.daily, self.daily, used, int(midnight.timestamp()))

    def used_today(self, token_id: str, now: datetime | None = None) -> int:
        """The calls a token made today (UTC), as the quota counts them."""
        return int(self.storage.get(self._day_key(token_id, now or datetime.now(UTC))))

    def check(self, token_id: str | None, client: str) -> Verdict:
        """Count one request of a token (or of an anonymous client address)."""
        item = self._token if token_id else self._anon
        if item is None:
            return Verdict(True)
        who = f"token:{token_id}" if token_id else f"anon:{client}"
        allowed = self._limiter.hit(item, self.namespace, who)
        reset, remaining = self._limiter.get_window_stats(item, self.namespace, who)
        self._hits += 1
        if self._hits % 1000 == 0 and isinstance(self.storage, SqliteStorage):
            self.storage.purge_expired()
        retry = max(1, math.ceil(reset - time.time()))
        return Verdict(allowed, 0 if allowed else retry, item.amount, remaining)


def _parse(value: str) -> RateLimitItem | None:
    value = value.strip()
    return None if value in ("", "0") else parse(value.replace(" ", ""))


def open_rate_limits(
    data_dir: Path, redis_url: str, anon: str, token: str, *, daily: int = 0
) -> RateLimits:
    """Return the limits on Redis when ``redis_url`` is set, else on SQLite in ``data_dir``."""
    storage: Storage
    if redis_url:
        storage = RedisStorage(redis_url, key_prefix="opendata-limits")
    else:
        storage = SqliteStorage(data_dir / "ratelimits.sqlite3")
    return RateLimits(storage, anon, token, daily=daily)
