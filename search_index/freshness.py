"""When a dataset is overdue for an update: its declared frequency and its last publication.

A dataset declares how often it is updated (``frequency``, an EU frequency code of
``datasets.vocab.FREQUENCIES``). Its last update is its last publication (the approval of its
live revision: the search document's ``modified``), the one date the portal knows for sure;
the temporal coverage is what the data says about itself, and a harvested or hand-typed end
would make a dataset look late (or on time) for reasons nobody published. A dataset is
overdue when ``now`` is past ``last update + period + grace``, the grace being a tenth of the
period and at least one day. Irregular, never-updated and unknown frequencies are never
overdue. Nothing here is stored: the flag is computed at query time from the indexed
frequency and date, so it moves with time without reindexing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The period of each frequency with a rhythm; months and quarters are taken as their
# average length, which the grace covers.
PERIODS: dict[str, timedelta] = {
    "CONT": timedelta(days=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(days=7),
    "MONTHLY": timedelta(days=30),
    "QUARTERLY": timedelta(days=91),
    "ANNUAL": timedelta(days=365),
}
MIN_GRACE = timedelta(days=1)


def grace(period: timedelta) -> timedelta:
    """Return the slack after a period: a tenth of it, at least ``MIN_GRACE``."""
    return max(period / 10, MIN_GRACE)


def due_date(frequency: str, last_update: datetime) -> datetime | None:
    """Return when the next update was due (``last_update + period``), or None without a rhythm."""
    period = PERIODS.get(frequency)
    if period is None:
        return None
    return _aware(last_update) + period


def overdue_after(frequency: str, last_update: datetime) -> datetime | None:
    """Return the moment past which the dataset is overdue, or None when it never is."""
    period = PERIODS.get(frequency)
    if period is None:
        return None
    return _aware(last_update) + period + grace(period)


def is_overdue(frequency: str, last_update: datetime, now: datetime) -> bool:
    """True when ``now`` is past ``last_update + period + grace`` for ``frequency``."""
    limit = overdue_after(frequency, last_update)
    return limit is not None and _aware(now) > limit


def overdue_cutoffs(now: datetime) -> dict[str, datetime]:
    """Map each frequency with a rhythm to the last update before which it is overdue now."""
    moment = _aware(now)
    return {code: moment - period - grace(period) for code, period in PERIODS.items()}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
