"""Personal-data reports: the two-working-day deadline, filing, throttling, who reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from datasets.leak_reports import (
    THROTTLE_COUNT,
    ReportStatus,
    TooManyReports,
    client_key,
    deadline_for,
)
from publishers import InvalidInput, NotFound, Role
from tests.factories import actor, make_org, make_user, publish_sample


def _local(y: int, m: int, d: int, h: int = 10) -> datetime:
    # 10:00 in Ho Chi Minh City (UTC+7) is 03:00 UTC.
    return datetime(y, m, d, h - 7, 0, tzinfo=UTC)


def test_deadline_skips_the_weekend() -> None:
    friday = _local(2026, 11, 20)
    assert deadline_for(friday) == _local(2026, 11, 24)  # Tuesday 10:00


def test_deadline_on_a_weekday_is_two_days_later() -> None:
    monday = _local(2026, 11, 23)
    assert deadline_for(monday) == _local(2026, 11, 25)
    wednesday = _local(2026, 11, 25)
    assert deadline_for(wednesday) == _local(2026, 11, 27)
    thursday = _local(2026, 11, 26)
    assert deadline_for(thursday) == _local(2026, 11, 30)  # Monday


def test_report_received_on_a_weekend_counts_from_monday_morning() -> None:
    saturday = _local(2026, 11, 21)
    sunday = _local(2026, 11, 22, 23)
    expected = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # Wednesday 00:00 local
    assert deadline_for(saturday) == expected  # Wednesday 00:00 local = end of Tuesday
    assert deadline_for(sunday) == expected


def test_deadline_uses_local_time_not_utc() -> None:
    # Friday 23:00 UTC is already Saturday 06:00 in Ho Chi Minh City.
    late_friday_utc = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    assert deadline_for(late_friday_utc) == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def test_deadline_skips_holidays() -> None:
    friday = _local(2026, 11, 20)
    assert deadline_for(friday, holidays=[date(2026, 11, 23)]) == _local(2026, 11, 25)


def test_client_key_is_a_keyed_hash_not_the_address() -> None:
    key = b"k" * 32
    assert client_key("203.0.113.7", key) != client_key("203.0.113.8", key)
    assert "203.0.113.7" not in client_key("203.0.113.7", key)
    assert len(client_key("203.0.113.7", key)) == 64


def test_filed_report_reaches_only_the_organizations_stewards(services) -> None:
    dataset, resource_id, publisher, steward = publish_sample(services)
    report_id = services.reports.file(
        dataset.name, resource_id, "Cột ten_tram có tên người", "", "client-a"
    )
    mine = services.reports.for_steward(steward)
    assert [r.id for r in mine] == [report_id]
    assert mine[0].text == "Cột ten_tram có tên người"
    assert mine[0].status is ReportStatus.RECEIVED
    assert mine[0].deadline == deadline_for(mine[0].received_at)
    other_org = make_org(services)
    outsider = actor(services, make_user(services, other_org, Role.STEWARD))
    assert services.reports.for_steward(outsider) == []
    with pytest.raises(NotFound):
        services.reports.get(outsider, report_id)
    with pytest.raises(NotFound):
        services.reports.get(publisher, report_id)  # publishers do not handle reports
    updated = services.reports.set_status(steward, report_id, "resolved", "Đã xoá cột")
    assert updated.status is ReportStatus.RESOLVED and updated.note == "Đã xoá cột"
    assert services.reports.count_open(steward) == 0


def test_report_needs_text_and_a_valid_email(services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    with pytest.raises(InvalidInput) as caught:
        services.reports.file(dataset.name, resource_id, "  ", "not-an-email", "c")
    assert caught.value.errors == {"text": ["required"], "contact_email": ["invalid_email"]}
    with pytest.raises(InvalidInput) as caught:
        services.reports.file(dataset.name, "no-such-resource", "x", "", "c")
    assert caught.value.errors == {"resource_id": ["unknown_resource"]}


def test_reports_from_one_client_are_throttled(services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    for n in range(THROTTLE_COUNT):
        services.reports.file(dataset.name, resource_id, f"report {n}", "", "same-client")
    with pytest.raises(TooManyReports):
        services.reports.file(dataset.name, resource_id, "one more", "", "same-client")
    assert services.reports.file(dataset.name, resource_id, "other", "", "other-client")


def test_unpublished_dataset_cannot_be_reported(services) -> None:
    dataset, resource_id, _p, steward = publish_sample(services)
    services.workflow.withdraw(steward, dataset.name, "Có dữ liệu cá nhân")
    with pytest.raises(NotFound):
        services.reports.file(dataset.name, resource_id, "x", "", "c")
