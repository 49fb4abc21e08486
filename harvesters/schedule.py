"""Schedules of harvest sources: ``manual``, ``hourly``, ``daily``, ``weekly`` or a cron line.

Cron expressions are read by ``croniter`` (five fields, UTC). ``is_due`` is the check the
worker runs every minute: a source is due when a scheduled moment has passed since its
last run (or since it was registered, when it never ran).
"""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import croniter

from publishers import InvalidInput

NAMED = {
    "hourly": "0 * * * *",
    "daily": "0 2 * * *",  # at night, when agency servers are quiet
    "weekly": "0 3 * * 1",
}


def validate_schedule(text: str) -> str:
    """Return the normalized schedule; raise ``InvalidInput`` naming ``schedule``."""
    value = " ".join((text or "manual").split()).lower()
    if value == "manual" or value in NAMED:
        return value
    if len(value.split(" ")) != 5 or not croniter.is_valid(value):
        raise InvalidInput("bad schedule", {"schedule": ["invalid_schedule"]})
    return value


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def previous_run_time(schedule: str, now: datetime) -> datetime | None:
    """Return the latest scheduled moment at or before ``now`` (None for ``manual``)."""
    value = validate_schedule(schedule)
    if value == "manual":
        return None
    expression = NAMED.get(value, value)
    moment: datetime = croniter(expression, _aware(now)).get_prev(datetime)
    return _aware(moment)


def is_due(schedule: str, last_run: datetime | None, created: datetime, now: datetime) -> bool:
    """Return whether a source with ``schedule`` should run at ``now``."""
    scheduled = previous_run_time(schedule, now)
    if scheduled is None:
        return False
    since = _aware(last_run or created)
    return scheduled > since
