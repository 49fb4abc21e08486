"""The overdue rule: last publication + declared period + grace (a tenth, at least a day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from search_index.freshness import due_date, grace, is_overdue, overdue_after

PUBLISHED = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def test_grace_is_a_tenth_of_the_period_and_at_least_a_day() -> None:
    assert grace(timedelta(days=365)) == timedelta(days=36.5)
    assert grace(timedelta(days=7)) == timedelta(days=1)
    assert grace(timedelta(days=1)) == timedelta(days=1)


def test_each_frequency_with_a_rhythm_is_overdue_after_period_and_grace() -> None:
    cases = {
        "DAILY": timedelta(days=2),
        "WEEKLY": timedelta(days=8),
        "MONTHLY": timedelta(days=33),
        "QUARTERLY": timedelta(days=100.1),
        "ANNUAL": timedelta(days=401.5),
    }
    for code, limit in cases.items():
        assert overdue_after(code, PUBLISHED) == PUBLISHED + limit, code
        assert not is_overdue(code, PUBLISHED, PUBLISHED + limit), code
        assert is_overdue(code, PUBLISHED, PUBLISHED + limit + timedelta(seconds=1)), code
    assert due_date("MONTHLY", PUBLISHED) == PUBLISHED + timedelta(days=30)


def test_irregular_never_and_unknown_frequencies_are_never_overdue() -> None:
    far = PUBLISHED + timedelta(days=3650)
    for code in ("IRREG", "NEVER", "", "FORTNIGHTLY"):
        assert overdue_after(code, PUBLISHED) is None
        assert not is_overdue(code, PUBLISHED, far)


def test_naive_dates_are_taken_as_utc() -> None:
    naive = PUBLISHED.replace(tzinfo=None)
    assert is_overdue("DAILY", naive, PUBLISHED + timedelta(days=3))
